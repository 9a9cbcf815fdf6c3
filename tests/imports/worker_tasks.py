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
