"""Background work for admin uploads: the preview (a dry run) and, once confirmed, the import.

Both run `imports.engine.run.workbook_import` on the uploaded file (read through the storage
API, so the worker may be on another host than the web server that took the upload) and keep
the ImportRun row up to date (stage, rows done of total) as they go, which the run's page polls
for its progress bar. A rejected file's rejected rows are stored beside it for download.
With the immediate backend (tests) they run inside the request.
"""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django_tasks import task

from imports.engine.run import workbook_import
from imports.models import ImportRun
from imports.rejects import rejected_rows_workbook


def _allowed_codes(user) -> frozenset[str] | None:
    if user.is_superuser:
        return None
    return frozenset(user.organisations.values_list("code", flat=True))


def _run(run_id: int, *, dry_run: bool) -> str:
    run = ImportRun.objects.select_related("user").get(pk=run_id)
    with run.upload.open("rb") as handle:
        data = handle.read()
    result = workbook_import(
        data=data,
        file_name=run.file_name,
        acting_user=run.user,
        dry_run=dry_run,
        run=run,
        source=ImportRun.Source.ADMIN,
        allowed_codes=_allowed_codes(run.user),
    )
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
