"""The Exports screens in the Wagtail admin: ask for an export, watch it run, download it.

Every export runs as a background task (Django's task framework; the `db_worker` in production,
immediately in tests) and writes its file through the storage API; its page shows the rows
written so far and, when it is done, the download link. Only the requester can open a run, and
the download checks again that they may still make that export (`access.may_download`).
Registered from `imports.wagtail_hooks` (`register`).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from imports import liveness
from imports.exports import access
from imports.exports.forms import ExportForm
from imports.exports.models import ExportRun
from imports.exports.tasks import make_export

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _forms(request, bound_kind: str | None = None):
    kinds = access.kinds_for(request.user)
    return [
        (
            kind,
            access.KIND_LABELS[kind],
            ExportForm(
                request.POST if kind == bound_kind else None,
                kind=kind,
                user=request.user,
            ),
        )
        for kind in kinds
    ]


def _page(request, forms, status=200):
    runs = Paginator(ExportRun.objects.filter(user=request.user), 20).get_page(request.GET.get("p"))
    for run in runs:
        run.stalled = liveness.export_stalled(run)
    return TemplateResponse(
        request,
        "exports/index.html",
        {"page_title": "Exports", "header_icon": "download", "forms": forms, "runs": runs},
        status=status,
    )


def index(request):
    if not access.kinds_for(request.user):
        raise Http404
    return _page(request, _forms(request))


def start(request, kind: str):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not access.may_make(request.user, kind):
        raise Http404
    forms = _forms(request, bound_kind=kind)
    form = next(f for k, _label, f in forms if k == kind)
    if not form.is_valid():
        return _page(request, forms, status=400)
    params = form.params()
    try:
        access.resolve(request.user, kind, params)
    except access.NotAllowed:
        raise Http404 from None
    run = ExportRun.objects.create(
        kind=kind, params=params, fmt=form.cleaned_data["fmt"], user=request.user
    )
    make_export.enqueue(run.pk)
    return redirect("exports:run", pk=run.pk)


def _own_run(request, pk: int) -> ExportRun:
    return get_object_or_404(ExportRun.objects.filter(user=request.user), pk=pk)


def run_detail(request, pk: int):
    run = _own_run(request, pk)
    return TemplateResponse(
        request,
        "exports/run.html",
        {
            "page_title": f"{access.run_label(run)} export",
            "header_icon": "download",
            "run": run,
            "may_download": run.status == ExportRun.Status.DONE
            and access.may_download(request.user, run),
            "narrowed": access.run_filters(request.user, run),
            "stalled": liveness.export_stalled(run),
            "waiting_long": liveness.export_waiting_long(run),
            "last_heard": liveness.export_last_heard(run),
        },
    )


def restart(request, pk: int):
    """Ask again for an export whose worker stopped (`imports.liveness.export_run_restart`)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    run = _own_run(request, pk)
    try:
        new = liveness.export_run_restart(run_id=run.pk, acting_user=request.user)
    except (PermissionError, access.NotAllowed):
        raise Http404("No such export, or not one you may still make.") from None
    except liveness.NotStopped as exc:
        messages.warning(request, str(exc))
        return redirect("exports:run", pk=run.pk)
    return redirect("exports:run", pk=new.pk)


def run_status(request, pk: int):
    run = _own_run(request, pk)
    done = run.status == ExportRun.Status.DONE
    return JsonResponse(
        {
            "status": run.status,
            "finished": run.is_finished,
            "rows": run.rows_done,
            "download": reverse("exports:download", args=[run.pk]) if done else None,
        }
    )


def download(request, pk: int):
    run = _own_run(request, pk)
    if run.status != ExportRun.Status.DONE or not access.may_download(request.user, run):
        raise Http404("No such export, or not one you may still see.")
    return FileResponse(
        run.file.open("rb"),
        as_attachment=True,
        filename=run.file_name,
        content_type=CONTENT_TYPES.get(run.fmt, "application/octet-stream"),
    )


urlpatterns = [
    path("", index, name="index"),
    path("new/<slug:kind>/", start, name="start"),
    path("<int:pk>/", run_detail, name="run"),
    path("<int:pk>/status/", run_status, name="status"),
    path("<int:pk>/download/", download, name="download"),
    path("<int:pk>/restart/", restart, name="restart"),
]


class ExportsMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(access.kinds_for(request.user))


def register() -> None:
    """Called once from `imports.wagtail_hooks`: the URLs under /admin/exports/ and the menu."""

    @hooks.register("register_admin_urls")
    def _urls():
        return [path("exports/", include((urlpatterns, "exports"), namespace="exports"))]

    @hooks.register("register_admin_menu_item")
    def _menu():
        return ExportsMenuItem("Exports", reverse("exports:index"), icon_name="download", order=450)
