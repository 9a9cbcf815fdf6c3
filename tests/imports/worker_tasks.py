"""A task for the two-worker test: it notes which process ran which number, slowly enough that
both workers get some of the queue."""

from __future__ import annotations

import os
import time

from django_tasks import task


@task()
def note_run(number: int, path: str) -> int:
    with open(path, "a") as log:  # one short line per write: appends do not interleave
        log.write(f"{number} {os.getpid()}\n")
    time.sleep(0.4)
    return number


@task()
def import_then_hang(run_id: int, marker: str) -> str:
    """The confirmed import of run `run_id`, as `imports.tasks.apply_import` runs it, except that
    once its rows are written, before the commit, it says so in the file `marker` and hangs: the
    test kills this worker there, as an out-of-memory kill or a restart would."""
    from pathlib import Path

    from imports import tasks
    from imports.engine import run as engine_run

    write_plan = engine_run.write_plan

    def write_and_hang(plan, writer):
        write_plan(plan, writer)
        Path(marker).write_text("written, not committed")
        time.sleep(300)

    engine_run.write_plan = write_and_hang
    return tasks._run(run_id, dry_run=False)
