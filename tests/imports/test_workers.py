"""Real `db_worker` processes: several share one queue, each queued task running exactly once;
one killed part-way through an import leaves nothing written and a run that starts again.

Two real worker processes (`manage.py db_worker --batch`) work through N queued tasks on the
test database. On PostgreSQL (`DATABASE_URL`) a worker claims a task with SELECT ... FOR UPDATE
SKIP LOCKED; SQLite cannot lock rows, and there the worker claims inside an exclusive
transaction instead, which serialises claims on the whole database file (the test database is
a file, see config/settings/test.py, so the workers can open it).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tests.imports.worker_tasks import note_run

TASKS = 16
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _skip_if_in_memory() -> None:
    if connection.vendor == "sqlite" and "mode=memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("an in-memory SQLite database cannot be opened by a worker process")


def _worker_env() -> dict[str, str]:
    """A worker process's environment: this test database, the database task backend."""
    return {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "tests.imports.worker_settings",
    }


def _files_in(media) -> dict:
    """Storage on the file system under `media`, which the worker is told of too."""
    return {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
        "staticfiles": settings.STORAGES["staticfiles"],
    }


def _hr_manager_of_qnq():
    from tests import factories
    from tracker import roles

    qnq = factories.OrganisationFactory(code="QNQ")
    hr = factories.UserFactory(
        groups=[Group.objects.get(name=roles.HR_MANAGER)], organisations=[qnq]
    )
    return qnq, hr


@pytest.mark.django_db(transaction=True)
def test_two_workers_run_each_queued_task_exactly_once(tmp_path):
    _skip_if_in_memory()
    log = tmp_path / "runs.log"
    with override_settings(TASKS=DB_TASKS):
        for number in range(TASKS):
            note_run.enqueue(number, str(log))
    assert DBTaskResult.objects.filter(status="READY").count() == TASKS

    env = _worker_env()
    command = [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"]
    workers = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
            [*command, "--worker-id", f"worker-{n}", "--interval", "0.1"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for n in (1, 2)
    ]
    outputs = [worker.communicate(timeout=300)[0] for worker in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs

    runs = [line.split() for line in log.read_text().splitlines()]
    assert Counter(number for number, _ in runs) == {str(n): 1 for n in range(TASKS)}
    results = DBTaskResult.objects.all()
    assert Counter(r.status for r in results) == {"SUCCESSFUL": TASKS}
    by_worker = Counter(r.worker_ids[-1] for r in results)
    print(f"tasks per worker: {dict(by_worker)}")
    assert set(by_worker) == {"worker-1", "worker-2"}  # both shared the queue
    assert len({pid for _, pid in runs}) == 2


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_part_way_through_an_import_wrote_nothing_and_it_starts_again(
    tmp_path, client, django_capture_on_commit_callbacks
):
    """A real `db_worker` killed (SIGKILL, as the out-of-memory killer does) after writing an
    import's rows and before committing them: nothing is in the tracker, and the run, still
    "running" (as is django-tasks-db's record of the task), is taken for stopped once ten
    minutes pass without a word from it; its uploader starts it again from the same stored
    file."""
    _skip_if_in_memory()
    from imports import liveness
    from imports.models import ImportRun
    from tests.imports.conftest import ESTABLISHMENT_HEADER, person_row, xlsx_bytes
    from tests.imports.worker_tasks import import_then_hang
    from tracker.models import Assignment, Post, StaffMember

    media = tmp_path / "media"
    storages = _files_in(media)
    _qnq, hr = _hr_manager_of_qnq()
    rows = [person_row(position=f"P{n}", assignment=f"A{n}", employee=f"E{n}") for n in range(3)]
    data = xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, *rows]})
    client.force_login(hr)
    with override_settings(STORAGES=storages):
        client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("e.xlsx", data)})
        run = ImportRun.objects.get()
        assert run.outcome == ImportRun.Outcome.PREVIEWED, run.message
        ImportRun.objects.filter(pk=run.pk).update(  # confirmed, as the confirm view does
            dry_run=False, outcome=ImportRun.Outcome.PENDING, stage=ImportRun.Stage.QUEUED
        )
        marker = tmp_path / "written"
        with override_settings(TASKS=DB_TASKS):
            import_then_hang.enqueue(run.pk, str(marker))

        env = {**_worker_env(), "WORKER_MEDIA_ROOT": str(media)}
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.1"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            deadline = time.monotonic() + 120
            while not marker.exists():
                assert worker.poll() is None, worker.communicate()[0][-3000:]
                assert time.monotonic() < deadline, "the worker never reached the write"
                time.sleep(0.1)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.communicate(timeout=30)

        assert (Post.objects.count(), StaffMember.objects.count(), Assignment.objects.count()) == (
            0,
            0,
            0,
        )
        run.refresh_from_db()
        assert (run.outcome, run.stage) == (ImportRun.Outcome.RUNNING, ImportRun.Stage.WRITING)
        assert DBTaskResult.objects.get().status == "RUNNING"  # and will say so for ever
        heard = liveness.import_last_heard(run)
        assert not liveness.import_stalled(run, heard + liveness.STALLED_AFTER / 2)
        assert liveness.import_stalled(run, heard + liveness.STALLED_AFTER)

        ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=heard - liveness.STALLED_AFTER)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("imports:restart", args=[run.pk]))
        again = ImportRun.objects.exclude(pk=run.pk).get()
        assert response.url == reverse("imports:run", args=[again.pk])
        assert again.outcome == ImportRun.Outcome.PREVIEWED, again.message
        assert again.counts["Establishment"]["created"] == 3
        run.refresh_from_db()
        assert run.outcome == ImportRun.Outcome.FAILED
        assert f"Started again as import #{again.pk}" in run.message


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_writes_a_long_list_export(tmp_path, client, monkeypatch):
    """A list export past the inline threshold, written by a real `db_worker`: a process that
    has served no request, so has not loaded the admin's URLs and with them Wagtail's viewsets.
    (The system checks load them as a side effect; the worker runs with `--skip-checks` so the
    export cannot lean on that.)"""
    _skip_if_in_memory()
    from imports.exports import listing
    from imports.exports.models import ExportRun
    from tests import factories

    media = tmp_path / "media"
    storages = _files_in(media)
    qnq, hr = _hr_manager_of_qnq()
    for n in range(4):
        factories.PostFactory(organisation=qnq, title=f"Listed post {n}")
    monkeypatch.setattr(listing, "INLINE_ROWS", 2)
    client.force_login(hr)
    with override_settings(STORAGES=storages, TASKS=DB_TASKS):
        response = client.get("/admin/posts/?export=csv")
        run = ExportRun.objects.get()
        assert response.url == reverse("exports:run", args=[run.pk])
        assert run.status == ExportRun.Status.PENDING

        env = {**_worker_env(), "WORKER_MEDIA_ROOT": str(media)}
        worker = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--skip-checks",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert worker.returncode == 0, worker.stdout[-3000:] + worker.stderr[-3000:]
        run.refresh_from_db()
        assert (run.status, run.rows_done) == (ExportRun.Status.DONE, 4), run.message
        download = client.get(reverse("exports:download", args=[run.pk]))
        text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert sorted(line.split(",")[2] for line in text.splitlines()[1:]) == [
        f"Listed post {n}" for n in range(4)
    ]
