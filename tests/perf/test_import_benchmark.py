"""Benchmark: a generated 100,000-row establishment workbook (posts, staff and assignments, each
with history) imported by the `import_workbook` command, then re-imported unchanged (the same
file, and the same rows saved into a different file). Prints rows, seconds and peak memory.

Each import runs in its own process (`manage.py import_workbook` against the test database), so
its peak resident memory (VmHWM) is the command's own, not the test runner's. Seconds are the
import's own (ImportRun.timings, without Python and Django start-up).

Run: .venv/bin/python -m pytest -q -s tests/perf/test_import_benchmark.py --override-ini addopts=
(with DATABASE_URL=postgres://... for PostgreSQL). Targets (issue 4): first import <= 20 s on
SQLite and <= 30 s on PostgreSQL, peak memory < 500 MB; unchanged re-import < a quarter of that.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from imports.models import ImportRun
from tests.imports.builders import write_xlsx
from tests.imports.conftest import ESTABLISHMENT_HEADER, ORGANISATIONS_HEADER
from tracker.models import Assignment, Post, StaffMember

ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
ORGS = [f"{i:02d}X" for i in range(20)]
BANDS = ["2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9", "VSM"]
MAX_SECONDS = {"sqlite": 20, "postgresql": 30}

CHILD = """
import sys, django
django.setup()
from django.core.management import call_command
try:
    call_command("import_workbook", sys.argv[1])
finally:
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            print("PEAK_KB", line.split()[1])
"""


def establishment_rows(rows: int):
    yield ESTABLISHMENT_HEADER
    for n in range(rows):
        yield [
            ORGS[n % len(ORGS)],
            f"{n:08d}",
            f"Commissioning Manager {n % 97}",
            f"Directorate {n % 13}",
            BANDS[n % len(BANDS)],
            1 if n % 5 else 0.5,
            f"CC{n % 400:04d}",
            "Y" if n % 1000 == 0 else "N",
            f"{n:09d}-1",
            f"{n:08d}",
            f"Surname{n}",
            f"First{n % 211}",
            f"person{n}@nhs.net",
            dt.date(1960 + n % 40, 1 + n % 12, 1 + n % 28),
            dt.date(2000 + n % 20, 1 + n % 12, 1 + n % 28),
            20000 + (n % 500) * 100,
            ("Permanent", "Fixed Term", "Secondment", "Bank")[n % 4],
        ]


def organisation_rows():
    yield ORGANISATIONS_HEADER
    for code in ORGS:
        yield [
            code,
            f"Organisation {code}",
            "ICB",
            "London",
            dt.date(2022, 7, 1),
            None,
            "Y",
            None,
            None,
        ]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _import_in_child(path: Path) -> tuple[ImportRun, float, float]:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", CHILD, str(path)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    wall = time.perf_counter() - started
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    peak_kb = next(
        int(line.split()[1]) for line in done.stdout.splitlines() if line.startswith("PEAK_KB")
    )
    return ImportRun.objects.latest("pk"), wall, peak_kb / 1024


def _report(label: str, run: ImportRun, wall: float, peak_mb: float) -> None:
    print(
        f"[bench] {label}: {ROWS:,} rows in {run.timings['total']:.1f} s "
        f"(process {wall:.1f} s with start-up), peak memory {peak_mb:.0f} MB"
    )
    print(f"[bench]   phases (s): {run.timings}")
    print(f"[bench]   counts: {run.counts}")


@pytest.mark.perf
@pytest.mark.django_db(transaction=True)
def test_import_100k_rows(tmp_path, system_user):
    path = tmp_path / "establishment-100k.xlsx"
    started = time.perf_counter()
    write_xlsx(
        path, {"Organisations": organisation_rows(), "Establishment": establishment_rows(ROWS)}
    )
    generated = time.perf_counter() - started
    print(
        f"\n[bench] database={connection.vendor} rows={ROWS:,} "
        f"file={path.stat().st_size / 1048576:.1f} MB generated in {generated:.1f} s"
    )

    first, wall, peak = _import_in_child(path)
    _report("first import", first, wall, peak)
    assert first.outcome == ImportRun.Outcome.APPLIED
    assert first.counts["Establishment"] == {"created": ROWS, "updated": 0, "unchanged": 0}
    for model in (Post, StaffMember, Assignment):
        assert model.objects.count() == ROWS
        assert model.history.count() == ROWS
        assert set(model.history.values_list("history_change_reason", flat=True)) == {first.reason}
    first_seconds, first_peak = first.timings["total"], peak

    again, wall, peak = _import_in_child(path)
    _report("unchanged re-import (same file)", again, wall, peak)
    assert again.counts["Establishment"] == {"created": 0, "updated": 0, "unchanged": ROWS}
    assert Post.history.count() == ROWS  # nothing written

    # The same rows saved into a file with different bytes: every row is read and compared.
    resaved = tmp_path / "establishment-100k-resaved.xlsx"
    write_xlsx(resaved, {"Establishment": establishment_rows(ROWS), "Notes": [["resaved"]]})
    assert resaved.read_bytes() != path.read_bytes()  # so the SHA-256 shortcut cannot apply
    full, wall, peak = _import_in_child(resaved)
    _report("unchanged re-import (re-saved file, full compare)", full, wall, peak)
    assert full.counts["Establishment"] == {"created": 0, "updated": 0, "unchanged": ROWS}
    assert Post.history.count() == ROWS and Assignment.history.count() == ROWS

    full_peak = peak

    limit = MAX_SECONDS[connection.vendor]
    print(
        f"[bench] targets: first import {first_seconds:.1f} s <= {limit} s: "
        f"{'met' if first_seconds <= limit else 'MISSED'}; peak {first_peak:.0f} MB < 500 MB: "
        f"{'met' if first_peak < 500 else 'MISSED'}; same-file re-import "
        f"{again.timings['total']:.2f} s < {limit / 4:.1f} s: "
        f"{'met' if again.timings['total'] < limit / 4 else 'MISSED'}"
    )
    print(
        f"[bench] targets: re-saved unchanged re-import (full compare) "
        f"{full.timings['total']:.1f} s < {limit / 4:.1f} s: "
        f"{'met' if full.timings['total'] < limit / 4 else 'MISSED'}; peak {full_peak:.0f} MB "
        f"< 500 MB: {'met' if full_peak < 500 else 'MISSED'}"
    )
