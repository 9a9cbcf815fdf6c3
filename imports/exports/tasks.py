"""Background exports: the admin asks for one (an ExportRun), a task worker writes it.

The file is written to a temporary file, then saved through Django's storage API
(`default_storage`: the file system in development, S3-compatible object storage in production),
so any app host can serve it. Reads go to the read replica when one is configured
(`tracker.db_router.reading_from_replica`); progress and the outcome are written to the primary.
Named cases exported by a union representative or an auditor are logged as viewed, one entry
per case, as every other screen that shows them does.
"""

from __future__ import annotations

import logging
import tempfile

from django.core.files import File
from django.utils import timezone
from django_tasks import task

from imports import exports
from imports.exports import listing
from imports.exports.access import NotAllowed, organisation_label, resolve
from imports.exports.models import ExportRun
from tracker.db_router import reading_from_replica

log = logging.getLogger(__name__)

_FUNCTIONS = {
    "establishment": exports.export_establishment,
    "transfer-schedule": exports.export_transfer_schedule,
    "at-risk": exports.export_at_risk,
    "consultation": exports.export_consultation,
    "audit": exports.export_audit,
    "cases": exports.export_cases,
    listing.KIND: listing.export_listing,
}


def file_name(run: ExportRun) -> str:
    params = run.params
    if run.kind == listing.KIND:
        return listing.file_name(str(params.get("listing", "list")), run.fmt)
    parts = [run.kind, organisation_label(params.get("organisation"))]
    for name in ("as_of", "since", "until", "status"):
        if params.get(name):
            parts.append(params[name])
    parts.append(timezone.localdate().isoformat())
    return "-".join(str(p) for p in parts) + "." + run.fmt


def _log_named_cases(run: ExportRun, arguments: dict) -> None:
    """An export of named cases by a rep or an auditor is a view of those cases: one log entry
    naming them all, as for a screen."""
    from employment.models import CaseViewLog
    from employment.selectors import is_logged_viewer, log_case_views
    from imports.exports.cases import cases_for_export

    if run.kind not in ("at-risk", "cases") or not is_logged_viewer(run.user):
        return
    ids = cases_for_export(
        user=run.user,
        organisation=arguments.get("organisation"),
        programme=arguments.get("programme"),
        status=arguments.get("status"),
        at_risk_only=run.kind == "at-risk",
    ).values_list("pk", flat=True)
    log_case_views(run.user, list(ids), screen=CaseViewLog.Screen.EXPORT, path=f"export #{run.pk}")


def end_failed(run_id: int, message: str) -> None:
    """Write an export's end as failed, `message` saying why. Also for an export whose worker
    stopped and that was asked for again (`imports.liveness`)."""
    ExportRun.objects.filter(pk=run_id).update(
        status=ExportRun.Status.FAILED, message=message, finished_at=timezone.now()
    )


def export_run(run_id: int) -> str:
    """Write the export of run `run_id`; its outcome is on the run."""
    run = ExportRun.objects.select_related("user").get(pk=run_id)
    ExportRun.objects.filter(pk=run.pk).update(
        status=ExportRun.Status.RUNNING, heartbeat_at=timezone.now()
    )

    def progress(rows: int) -> None:
        """The rows written so far, and with them that the worker is alive (imports.liveness)."""
        ExportRun.objects.filter(pk=run.pk).update(rows_done=rows, heartbeat_at=timezone.now())

    try:
        arguments = resolve(run.user, run.kind, run.params)
        with tempfile.TemporaryFile() as scratch:
            with reading_from_replica():
                rows = _FUNCTIONS[run.kind](
                    scratch, user=run.user, fmt=run.fmt, progress=progress, **arguments
                )
            scratch.seek(0)
            run.file_name = file_name(run)
            run.file.save(run.file_name, File(scratch), save=False)
        _log_named_cases(run, arguments)
    except (NotAllowed, exports.ExportError) as exc:
        message = f"Not allowed: {exc}" if isinstance(exc, NotAllowed) else str(exc)
        end_failed(run.pk, message)
        return ExportRun.Status.FAILED
    except Exception:
        log.exception("export %s failed", run.pk)
        end_failed(run.pk, "The export failed; the error is in the worker's log.")
        raise
    ExportRun.objects.filter(pk=run.pk).update(
        status=ExportRun.Status.DONE,
        rows_done=rows,
        file=run.file.name,
        file_name=run.file_name,
        finished_at=timezone.now(),
    )
    return ExportRun.Status.DONE


@task()
def make_export(run_id: int) -> str:
    return export_run(run_id)
