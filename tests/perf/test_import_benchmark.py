"""Benchmark: a generated 100,000-row establishment workbook (posts, staff and assignments, each
with history) imported by the `import_workbook` command, then re-imported unchanged (the same
file, and the same rows saved into a different file), then with every row changed. Prints rows,
seconds and peak memory, beside the time python-calamine alone takes to read the same file.

Each import runs in its own process (`manage.py import_workbook` against the test database), so
its peak resident memory (VmHWM) is the command's own, not the test runner's. Seconds are the
import's own (ImportRun.timings, without Python and Django start-up).

Run: .venv/bin/python -m pytest -q -s tests/perf/test_import_benchmark.py --override-ini addopts=
(with DATABASE_URL=postgres://... for PostgreSQL; BENCH_ROWS=20000 for a quicker run). Targets
(issue 9): the first import in at most 5x the calamine read time; PostgreSQL no slower than
SQLite (compare the two runs' figures); an update import of every row under 500 MB peak; a
re-saved unchanged workbook in at most 2x the read time.
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


def establishment_rows(rows: int, *, raise_by: int = 0):
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
            20000 + (n % 500) * 100 + raise_by,
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
        "DJANGO_SETTINGS_MODULE": "tests.perf.child_settings",
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


def calamine_read_seconds(path: Path) -> float:
    """The time python-calamine alone takes to open the file and read every row of every sheet
    (the best of two, so a cold cache does not flatter the import)."""
    from python_calamine import CalamineWorkbook

    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            for _row in book.get_sheet_by_name(name).iter_rows():
                pass
        best = min(best, time.perf_counter() - started)
    return best


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()  # noqa: S607


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

    read = calamine_read_seconds(path)
    print(f"[bench] {_uptime()}")
    print(f"[bench] python-calamine reads the file in {read:.2f} s")

    first, wall, peak = _import_in_child(path)
    _report("first import", first, wall, peak)
    assert first.outcome == ImportRun.Outcome.APPLIED
    assert first.counts["Establishment"] == {"created": ROWS, "updated": 0, "unchanged": 0}
    for model in (Post, StaffMember, Assignment):
        assert model.objects.count() == ROWS
        assert model.history.count() == ROWS
        assert set(model.history.values_list("history_change_reason", flat=True)) == {first.reason}
    first_seconds = first.timings["total"]

    again, wall, peak = _import_in_child(path)
    _report("unchanged re-import (same file)", again, wall, peak)
    assert again.counts["Establishment"] == {"created": 0, "updated": 0, "unchanged": ROWS}
    assert Post.history.count() == ROWS  # nothing written

    # The same rows saved into a file with different bytes: every row is read and compared.
    resaved = tmp_path / "establishment-100k-resaved.xlsx"
    write_xlsx(resaved, {"Establishment": establishment_rows(ROWS), "Notes": [["resaved"]]})
    assert resaved.read_bytes() != path.read_bytes()  # so the SHA-256 shortcut cannot apply
    resaved_read = calamine_read_seconds(resaved)
    full, wall, peak = _import_in_child(resaved)
    _report("unchanged re-import (re-saved file, content compared)", full, wall, peak)
    assert full.counts["Establishment"] == {"created": 0, "updated": 0, "unchanged": ROWS}
    assert Post.history.count() == ROWS and Assignment.history.count() == ROWS

    # Every row changed (each salary up by 1): every assignment updated, with history.
    changed = tmp_path / "establishment-100k-changed.xlsx"
    write_xlsx(changed, {"Establishment": establishment_rows(ROWS, raise_by=1)})
    update, wall, update_peak = _import_in_child(changed)
    _report("update import (every row changed)", update, wall, update_peak)
    assert update.counts["Establishment"] == {"created": 0, "updated": ROWS, "unchanged": 0}
    assert Assignment.history.count() == 2 * ROWS and Post.history.count() == ROWS

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    first_ratio = first_seconds / read
    resaved_ratio = full.timings["total"] / resaved_read
    print(f"[bench] {_uptime()}")
    print(
        f"[bench] targets ({connection.vendor}): first import {first_seconds:.1f} s = "
        f"{first_ratio:.1f}x the read ({read:.2f} s), <= 5x: {verdict(first_ratio <= 5)}; "
        f"re-saved unchanged {full.timings['total']:.1f} s = {resaved_ratio:.1f}x the read, "
        f"<= 2x: {verdict(resaved_ratio <= 2)}; update of every row peak {update_peak:.0f} MB "
        f"< 500 MB: {verdict(update_peak < 500)}; same-file re-import "
        f"{again.timings['total']:.2f} s"
    )
