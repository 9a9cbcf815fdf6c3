"""Several `db_worker` processes share one queue: each queued task runs exactly once.

Two real worker processes (`manage.py db_worker --batch`) work through N queued tasks on the
test database. On PostgreSQL (`DATABASE_URL`) a worker claims a task with SELECT ... FOR UPDATE
SKIP LOCKED; SQLite cannot lock rows, and there the worker claims inside an exclusive
transaction instead, which serialises claims on the whole database file (the test database is
a file, see config/settings/test.py, so the workers can open it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
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


@pytest.mark.django_db(transaction=True)
def test_two_workers_run_each_queued_task_exactly_once(tmp_path):
    if connection.vendor == "sqlite" and "mode=memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("an in-memory SQLite database cannot be opened by a worker process")
    log = tmp_path / "runs.log"
    with override_settings(TASKS=DB_TASKS):
        for number in range(TASKS):
            note_run.enqueue(number, str(log))
    assert DBTaskResult.objects.filter(status="READY").count() == TASKS

    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "tests.imports.worker_settings",
    }
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
