"""Background work for admin uploads: the preview (a dry run) and, once confirmed, the import.

Both run `imports.engine.run.workbook_import` on the uploaded file (read through the storage
API, so the worker may be on another host than the web server that took the upload) and keep
the ImportRun row up to date (stage, rows done of total) as they go, which the run's page polls
for its progress bar. A rejected file's rejected rows are stored beside it for download.
With the immediate backend (tests) they run inside the request.

A run never stays "running" because its task could not finish: an upload the worker cannot read
(a worker whose storage is not the web server's) or a fault of ours ends the run as failed, with
a message saying what to do, and the fault goes to the worker's log. A worker killed part-way
cannot say anything: its run shows as stopped once it has not reported for a while, and its
uploader starts it again (`imports.liveness`).
"""

from __future__ import annotations

import io
import logging

from django.core.files.base import ContentFile
from django_tasks import task

from imports.engine.record import end_failed
from imports.engine.run import workbook_import
from imports.models import ImportRun
from imports.rejects import rejected_rows_workbook

log = logging.getLogger(__name__)

# What the person sees; the storage's own error (paths, bucket names) goes to the log only.
UNREADABLE = (
    "{file}: the worker could not read the uploaded file from storage; nothing was written. "
    "Every web server and worker must use the same storage: tell the service desk, then upload "
    "the file again."
)
FAULT = (
    "{file}: the import stopped on an unexpected error, logged for the service desk. An import "
    "is written in one transaction, so it either wrote everything or nothing: run it again, and "
    "rows already in the tracker will show as unchanged."
)


def _allowed_codes(user) -> frozenset[str] | None:
    if user.is_superuser:
        return None
    return frozenset(user.organisations.values_list("code", flat=True))


def _run(run_id: int, *, dry_run: bool) -> str:
    run = ImportRun.objects.select_related("user").get(pk=run_id)
    try:
        with run.upload.open("rb") as handle:
            data = handle.read()
    except Exception:  # the storages raise unrelated types (OSError, botocore's errors)
        log.exception(
            "import %s: the upload %r could not be read; do the web servers and workers share "
            "one storage (docs/scaling.md)?",
            run.pk,
            run.upload.name,
        )
        end_failed(run, UNREADABLE.format(file=run.file_name))
        return run.outcome
    try:
        result = workbook_import(
            data=data,
            file_name=run.file_name,
            acting_user=run.user,
            dry_run=dry_run,
            run=run,
            source=ImportRun.Source.ADMIN,
            allowed_codes=_allowed_codes(run.user),
        )
    except Exception:
        log.exception("import %s failed", run.pk)
        end_failed(run, FAULT.format(file=run.file_name))
        raise
    if result.problems and result.parsed is not None:
        # The rejected rows, downloadable from the run's page (stored like the upload).
        buffer = io.BytesIO()
        rejected_rows_workbook(result.parsed, result.problems, buffer)
        run.rejects.save(f"import-{run.pk}-rejected-rows.xlsx", ContentFile(buffer.getvalue()))
    return result.run.outcome


@task()
def preview_import(run_id: int) -> str:
    return _run(run_id, dry_run=True)


@task()
def apply_import(run_id: int) -> str:
    return _run(run_id, dry_run=False)
