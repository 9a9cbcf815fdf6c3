"""Runs whose worker stopped: telling them apart from runs still at work, and starting them again.

django-tasks-db keeps no heartbeat of its own: a worker killed part-way through a task (out of
memory, a host restarted, a deploy that did not wait for it) leaves the task "running" for ever,
and the import or export run with it. So every run records when its worker last reported
(`heartbeat_at`): each stage of an import, every 10,000 rows read and every 5,000 written, every
1,000 rows of an export. At the largest workbook allowed those reports come seconds apart; a run
not heard from for STALLED_AFTER has lost its worker. A run still waiting to start after as
long means no worker is taking tasks from the queue.

An import records its outcome in the transaction that writes its rows (`imports.engine.run`),
so a run still marked running has written nothing, and starting it again cannot apply it twice.
It starts again as a new run, a preview of the same stored file: the person checks what it
would change now and confirms it, as for any upload. The stopped run ends as failed, naming the
new one. An export starts again as a new export with the same filters, checked again against
what its requester may export now.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from imports import tasks
from imports.access import may_confirm
from imports.engine.progress import live_progress
from imports.engine.record import end_failed
from imports.exports import access as export_access
from imports.exports.models import ExportRun
from imports.exports.tasks import end_failed as export_end_failed
from imports.exports.tasks import make_export
from imports.models import ImportRun

STALLED_AFTER = dt.timedelta(minutes=10)

STOPPED = (
    "{file}: stopped. Nothing was heard from its worker after {heard} (a worker restarted or ran "
    "out of memory); nothing was written."
)
STARTED_AGAIN = " Started again as import #{pk} by {who}."
EXPORT_STOPPED = (
    "Stopped. Nothing was heard from its worker after {heard} (a worker restarted or ran out of "
    "memory)."
)
EXPORT_STARTED_AGAIN = " Asked for again as export #{pk}."


class NotStopped(Exception):
    """Starting a run again that has not stopped: it is still at work, or it has finished."""


def _silent(heard_at: dt.datetime, now: dt.datetime | None = None) -> bool:
    return heard_at <= (now or timezone.now()) - STALLED_AFTER


def _when(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "j F Y H:i")


# -- imports -----------------------------------------------------------------------------------


def import_last_heard(run: ImportRun) -> dt.datetime:
    """When the run's worker last reported: on PostgreSQL and at every stage the run's row says;
    while SQLite's write holds the database, the write's progress in the cache does."""
    heard = run.heartbeat_at or run.created_at
    if run.stage == ImportRun.Stage.WRITING and (live := live_progress(run.pk)):
        heard = max(heard, live.heard_at)
    return heard


def import_stalled(run: ImportRun, now: dt.datetime | None = None) -> bool:
    """Started, and not heard from for STALLED_AFTER: its worker stopped."""
    return run.outcome == ImportRun.Outcome.RUNNING and _silent(import_last_heard(run), now)


def import_waiting_long(run: ImportRun, now: dt.datetime | None = None) -> bool:
    """Waiting to start for STALLED_AFTER: no worker is taking tasks from the queue."""
    return run.outcome == ImportRun.Outcome.PENDING and _silent(import_last_heard(run), now)


def may_restart_import(user, run: ImportRun) -> bool:
    """Who confirms a file starts it again (the new preview will be theirs to confirm); only an
    upload has a stored file to start from (a command's run is started again by the command)."""
    return may_confirm(user, run) and bool(run.upload)


def import_run_restart(*, run_id: int, acting_user) -> ImportRun:
    """Start a stopped import again: a new preview of the same stored file, by `acting_user`.
    The stopped run ends as failed, naming the new one. Raises NotStopped if the run is not
    stopped (it went on, or someone started it again first) and PermissionError if the user
    may not start it again."""
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run_id)
        if not may_restart_import(acting_user, run):
            raise PermissionError(
                "Only whoever uploaded the file, or an administrator, can start it again; an "
                "import run from the command line is run again with the command."
            )
        if not import_stalled(run):
            raise NotStopped(f"{run} has not stopped: it is {run.get_outcome_display().lower()}.")
        heard = import_last_heard(run)
        new = ImportRun.objects.create(
            file_name=run.file_name,
            sha256=run.sha256,
            size_bytes=run.size_bytes,
            upload=run.upload.name,  # stored once and never changed or deleted: shared
            user=acting_user,
            source=ImportRun.Source.ADMIN,
            dry_run=True,
            heartbeat_at=timezone.now(),
        )
        who = acting_user.get_full_name() or acting_user.get_username()
        end_failed(
            run,
            STOPPED.format(file=run.file_name, heard=_when(heard))
            + STARTED_AGAIN.format(pk=new.pk, who=who),
        )
        transaction.on_commit(lambda: tasks.preview_import.enqueue(new.pk))
    return new


# -- exports -----------------------------------------------------------------------------------


def export_last_heard(run: ExportRun) -> dt.datetime:
    """When the export's worker last reported (its progress updates the run's row)."""
    return run.heartbeat_at or run.created_at


def export_stalled(run: ExportRun, now: dt.datetime | None = None) -> bool:
    return run.status == ExportRun.Status.RUNNING and _silent(export_last_heard(run), now)


def export_waiting_long(run: ExportRun, now: dt.datetime | None = None) -> bool:
    return run.status == ExportRun.Status.PENDING and _silent(export_last_heard(run), now)


def export_run_restart(*, run_id: int, acting_user) -> ExportRun:
    """Ask again for a stopped export of one's own, with the same filters and format, checked
    again against what `acting_user` may export now. Raises NotStopped, PermissionError (not
    their export) or `access.NotAllowed` (they may no longer make it)."""
    with transaction.atomic():
        run = ExportRun.objects.select_for_update().get(pk=run_id)
        if run.user_id != acting_user.pk:
            raise PermissionError("Only the person who asked for an export can ask again.")
        if not export_stalled(run):
            raise NotStopped(f"{run} has not stopped: it is {run.get_status_display().lower()}.")
        export_access.resolve(acting_user, run.kind, run.params)  # NotAllowed if not now
        new = ExportRun.objects.create(
            kind=run.kind,
            params=run.params,
            fmt=run.fmt,
            user=acting_user,
            heartbeat_at=timezone.now(),
        )
        export_end_failed(
            run.pk,
            EXPORT_STOPPED.format(heard=_when(export_last_heard(run)))
            + EXPORT_STARTED_AGAIN.format(pk=new.pk),
        )
        transaction.on_commit(lambda: make_export.enqueue(new.pk))
    return new
