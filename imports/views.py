"""The Workbooks screens: upload -> preview -> confirm -> applied, the import history, exports
and the template. Uploads are open to people who may change the establishment (HR managers,
superusers) and may only touch the organisations their role covers. The import history and a
run's page are open to whoever may view imports: HR managers see their own imports and every
import whose rows name only organisations they cover (their colleagues' too); auditors and
superusers see all; union representatives none."""

from __future__ import annotations

import hashlib
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import FileResponse, Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from imports import exports, liveness, tasks
from imports.access import may_confirm, may_use_workbooks, may_view_imports
from imports.engine.progress import live_progress
from imports.forms import EstablishmentExportForm, TransferScheduleForm, UploadForm
from imports.models import ImportRun
from tracker.models import Organisation
from tracker.selectors import sees_all_organisations, visible_organisations

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require(request) -> None:
    if not may_use_workbooks(request.user):
        raise PermissionDenied


def _require_view(request) -> None:
    if not may_view_imports(request.user):
        raise PermissionDenied


def runs_visible_to(user):
    """The user's own imports, and every import whose rows name only organisations the user
    covers (a colleague's upload for them). A file that also names organisations the user does
    not cover stays with its uploader, auditors and superusers: its preview and problems show
    those organisations' rows."""
    runs = ImportRun.objects.select_related("user")
    if sees_all_organisations(user):
        return runs
    covered = visible_organisations(user).values("pk")
    named = ImportRun.organisations.through.objects.filter(importrun_id=OuterRef("pk"))
    return runs.filter(
        Q(user=user)
        | (
            Exists(named.filter(organisation_id__in=covered))
            & ~Exists(named.exclude(organisation_id__in=covered))
        )
    )


def upload(request):
    _require(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        data = uploaded.read()
        run = ImportRun.objects.create(
            file_name=uploaded.name[:255],
            sha256=hashlib.sha256(data).hexdigest(),
            size_bytes=len(data),
            user=request.user,
            source=ImportRun.Source.ADMIN,
            dry_run=True,
        )
        run.upload.save(uploaded.name, ContentFile(data), save=True)
        tasks.preview_import.enqueue(run.pk)
        return redirect("imports:run", pk=run.pk)
    return TemplateResponse(
        request,
        "imports/upload.html",
        {"page_title": "Import workbook", "header_icon": "upload", "form": form},
    )


def run_detail(request, pk: int):
    _require_view(request)
    run = get_object_or_404(runs_visible_to(request.user), pk=pk)
    can_confirm = (
        may_confirm(request.user, run)
        and run.outcome == ImportRun.Outcome.PREVIEWED
        and run.dry_run
        and bool(run.upload)
        and any(c.get("created") or c.get("updated") for c in run.counts.values())
    )
    stalled = liveness.import_stalled(run)
    return TemplateResponse(
        request,
        "imports/run.html",
        {
            "page_title": str(run),
            "header_icon": "doc-full",
            "run": run,
            "can_confirm": can_confirm,
            "stalled": stalled,
            "waiting_long": liveness.import_waiting_long(run),
            "last_heard": liveness.import_last_heard(run),
            "can_restart": stalled and liveness.may_restart_import(request.user, run),
            "status_url": reverse("imports:run_status", args=[run.pk]),
        },
    )


def restart(request, pk: int):
    """Start a stopped import again (`imports.liveness.import_run_restart`): a new preview."""
    _require(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    run = get_object_or_404(runs_visible_to(request.user), pk=pk)
    try:
        new = liveness.import_run_restart(run_id=run.pk, acting_user=request.user)
    except PermissionError:
        raise PermissionDenied from None
    except liveness.NotStopped as exc:
        messages.warning(request, str(exc))
        return redirect("imports:run", pk=run.pk)
    messages.success(request, f"Started again as import #{new.pk}: check its preview.")
    return redirect("imports:run", pk=new.pk)


def run_status(request, pk: int):
    _require_view(request)
    run = get_object_or_404(runs_visible_to(request.user), pk=pk)
    if run.stage == ImportRun.Stage.WRITING and (live := live_progress(run.pk)):
        run.progress_done, run.progress_total = live.done, live.total
    return JsonResponse(
        {
            "outcome": run.outcome,
            "finished": run.is_finished,
            # The page shows why and offers to start it again (`imports.liveness`).
            "stalled": liveness.import_stalled(run),
            "stage": run.stage,
            "stage_label": run.get_stage_display(),
            "phase": run.phase,
            "done": run.progress_done,
            "total": run.progress_total,
            "percent": run.percent,
        }
    )


def rejected_rows(request, pk: int):
    """The rejected rows of a run, with a Reason column (the command's --errors-out workbook)."""
    _require_view(request)
    run = get_object_or_404(runs_visible_to(request.user), pk=pk)
    if not run.rejects:
        raise Http404("This import has no rejected rows.")
    return FileResponse(
        run.rejects.open("rb"),
        as_attachment=True,
        filename=f"import-{run.pk}-rejected-rows.xlsx",
        content_type=XLSX,
    )


def confirm(request, pk: int):
    _require(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    run = get_object_or_404(runs_visible_to(request.user), pk=pk)
    if not may_confirm(request.user, run):
        raise PermissionDenied
    if run.outcome != ImportRun.Outcome.PREVIEWED or not run.dry_run:
        return redirect("imports:run", pk=run.pk)
    ImportRun.objects.filter(pk=run.pk).update(
        dry_run=False,
        outcome=ImportRun.Outcome.PENDING,
        stage=ImportRun.Stage.QUEUED,
        phase="waiting to start",
        progress_done=0,
        progress_total=0,
        heartbeat_at=timezone.now(),  # queued now (`imports.liveness`)
    )
    tasks.apply_import.enqueue(run.pk)
    return redirect("imports:run", pk=run.pk)


def history(request):
    _require_view(request)
    runs = runs_visible_to(request.user).prefetch_related("organisations")
    page = Paginator(runs, 50).get_page(request.GET.get("p"))
    for run in page:
        run.stalled = liveness.import_stalled(run)
    return TemplateResponse(
        request,
        "imports/history.html",
        {"page_title": "Import history", "header_icon": "history", "page": page},
    )


def _organisations_for(user):
    if user.is_superuser:
        organisations = Organisation.objects.all()
        organisations._all_allowed = True
        return organisations
    return user.organisations.all()


def exports_view(request):
    _require(request)
    establishment = EstablishmentExportForm(
        request.GET if request.GET.get("kind") == "establishment" else None,
        organisations=_organisations_for(request.user),
    )
    schedule = TransferScheduleForm(
        request.GET if request.GET.get("kind") == "transfer-schedule" else None
    )
    buffer = io.BytesIO()
    stamp = timezone.localdate().isoformat()
    if establishment.is_bound and establishment.is_valid():
        as_of = establishment.cleaned_data["as_of"]
        organisation = establishment.cleaned_data["organisation"]
        exports.export_establishment(
            buffer, as_of=as_of, organisation=organisation, user=request.user
        )
        code = organisation.code if organisation else "all"
        return _download(buffer, f"establishment-{code}-{as_of.isoformat()}.xlsx")
    if schedule.is_bound and schedule.is_valid():
        programme = schedule.cleaned_data["programme"]
        exports.export_transfer_schedule(buffer, programme=programme, user=request.user)
        return _download(buffer, f"transfer-schedule-{programme.slug}-{stamp}.xlsx")
    if request.GET.get("kind") == "at-risk":
        code = request.GET.get("organisation", "")
        organisation = _organisations_for(request.user).filter(code=code).first()
        if organisation is None and not request.user.is_superuser:
            raise PermissionDenied
        exports.export_at_risk(buffer, organisation=organisation, user=request.user)
        return _download(buffer, f"at-risk-{code or 'all'}-{stamp}.xlsx")
    if request.GET.get("kind") == "audit":
        if not request.user.is_superuser:
            raise PermissionDenied  # every organisation's history
        exports.export_audit(buffer)
        return _download(buffer, f"audit-{stamp}.xlsx")
    return TemplateResponse(
        request,
        "imports/exports.html",
        {
            "page_title": "Exports",
            "header_icon": "download",
            "establishment": establishment,
            "schedule": schedule,
            "organisations": _organisations_for(request.user),
        },
    )


def template_download(request):
    _require(request)
    buffer = io.BytesIO()
    exports.workbook_template(buffer)
    return _download(buffer, "transition-tracker-import-template.xlsx")


def _download(buffer: io.BytesIO, name: str) -> FileResponse:
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=name, content_type=XLSX)
