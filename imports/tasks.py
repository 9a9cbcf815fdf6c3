"""Background work for admin uploads: the preview (a dry run) and, once confirmed, the import.

Both run `imports.apply.workbook_import` on the uploaded file and keep the ImportRun row up to
date (phase, rows done of total) as they go, which the run's page polls for its progress bar.
With the immediate backend (tests) they run inside the request.
"""

from __future__ import annotations

from django_tasks import task

from imports.engine.run import workbook_import
from imports.models import ImportRun


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
    return result.run.outcome


@task()
def preview_import(run_id: int) -> str:
    return _run(run_id, dry_run=True)


@task()
def apply_import(run_id: int) -> str:
    return _run(run_id, dry_run=False)
