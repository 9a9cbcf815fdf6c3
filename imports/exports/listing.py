"""The admin lists' own exports: the XLSX and CSV buttons on Organisations, Posts, Staff,
Assignments, Planned changes and the other tracker lists, with the list's filters, search and
ordering, holding only the rows the list shows its user.

Wagtail's own export builds the list's page first, holding every row in memory, and writes the
workbook inside the request: at 100,000 posts that is minutes and gigabytes, and a change's
author and approver were read once per row. Here the rows stream from the database in chunks,
with every relation the columns name read in the same query, through the exports' writer
(formula-safe cells, dates as dates). A list of at most `INLINE_ROWS` rows downloads at once; a
longer one becomes a background export (an `ExportRun` of kind `listing`, remembering the list
and its query string): its page shows the rows written and then the download link, which is
served only while its requester may still see that list (`view_for`).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from typing import IO, Any

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist
from django.db.models import ForeignKey, OneToOneField, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils import timezone

from imports.exports.writer import Col, Progress, new_book

KIND = "listing"
#: Lists longer than this are exported in the background (2,000 rows write inline in about
#: half a second; 5,000 took 1.3 s).
INLINE_ROWS = 2_000
CHUNK = 2_000
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


class UnknownListing(Exception):
    """No tracker list by that name, or not one this user may see."""


def _viewsets() -> dict[str, Any]:
    from django.urls import get_resolver
    from wagtail.admin.viewsets import viewsets

    from tracker.wagtail_hooks import TrackerViewSet

    # Wagtail registers its viewsets when the admin's URLs are first loaded. A task worker
    # serves no request, so nothing has loaded them there yet: load them (once per process).
    get_resolver().url_patterns  # noqa: B018 (loading is the point)
    return {
        viewset.name: viewset
        for viewset in viewsets.viewsets
        if isinstance(viewset, TrackerViewSet) and viewset.list_export
    }


def listing_name(view) -> str:
    """The list a view belongs to: "posts" for `posts:index`."""
    return view.index_url_name.split(":")[0]


def file_name(name: str, fmt: str) -> str:
    """The file's name, the list and the day ("planned-changes-2026-12-07.xlsx"), whether
    written at once or in the background."""
    return f"{name.replace('_', '-')}-{timezone.localdate().isoformat()}.{fmt}"


def view_for(user, name: str, query: str):
    """The list `name` as `user` would see it with `query` (its filters, search and ordering),
    ready for `get_queryset()`; UnknownListing unless the user may open that list now."""
    viewset = _viewsets().get(name)
    if viewset is None or not (user and user.is_authenticated and user.is_active):
        raise UnknownListing(name)
    if not user.has_perm("wagtailadmin.access_admin"):  # the admin's own door
        raise UnknownListing(name)
    # The request the list would have had: its path, its query string and its user.
    request = HttpRequest()
    request.method, request.path = "GET", viewset.menu_url
    request.path_info = request.path
    request.GET = QueryDict(query)
    request.user = user
    # The view as Django's as_view() makes it for each request, with the viewset's arguments.
    as_view = viewset.index_view
    view = as_view.view_class(**as_view.view_initkwargs)
    view.setup(request)
    # The list's own permission check (Wagtail's PermissionCheckedMixin.dispatch).
    if view.permission_required and not view.user_has_permission(view.permission_required):
        raise UnknownListing(name)
    if view.any_permission_required and not view.user_has_any_permission(
        view.any_permission_required
    ):
        raise UnknownListing(name)
    return view


def describe(user, params: dict) -> list[str]:
    """What a list export was narrowed to, as the list's filters name it ("Status: Approved",
    "Search: Smith"), for its page; nothing if the user may no longer open the list."""
    try:
        view = view_for(user, str(params.get("listing", "")), str(params.get("query", "")))
    except UnknownListing:
        return []
    return narrowed_to(view)


def narrowed_to(view) -> list[str]:
    """The list's filters and search as they name them, each "Label: value"."""
    parts = []
    filters = view.filters
    if filters is not None and filters.form.is_valid():
        for name, value in filters.form.cleaned_data.items():
            if value in (None, "", [], ()) or (isinstance(value, slice) and value == slice(None)):
                continue
            field = filters.form.fields[name]
            parts.append(f"{field.label or name}: {_shown(field, value)}")
    if view.search_query:
        parts.append(f"Search: {view.search_query}")
    return parts


def _shown(field, value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, slice):  # a date range: from, to
        return " to ".join(_shown(field, v) if v else "any" for v in (value.start, value.stop))
    if isinstance(value, list | tuple | QuerySet):
        return ", ".join(_shown(field, v) for v in value)
    if isinstance(value, str):  # a choice's code: its label, as the filter shows it
        return str(dict(getattr(field, "choices", ()) or ()).get(value, value))
    return str(value)


def scope_of(user) -> list[int] | None:
    """The organisations whose rows `user` may see now (None: every organisation)."""
    from tracker.selectors import sees_all_organisations, visible_organisations

    if sees_all_organisations(user):
        return None
    return sorted(visible_organisations(user).values_list("pk", flat=True))


def still_covers(user, made_for: list[int] | None) -> bool:
    """Whether `user` may still see every organisation a list export was made with: one taken
    off their list closes the download of a file that may hold its rows."""
    now = scope_of(user)
    if now is None:
        return True
    return made_for is not None and set(made_for) <= set(now)


def _column(model, column: str) -> tuple[str | None, Any]:
    """Where a dotted column ("post.organisation.code") reads from: the select_related path of
    the relations it goes through ("post__organisation", or None), and the model field it ends
    on (None for a method or property, such as `get_band_display`)."""
    joined: list[str] = []
    field = None
    for name in column.split("."):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return "__".join(joined) or None, None  # it reads what the model already holds
        if not isinstance(field, ForeignKey | OneToOneField):
            break
        joined.append(name)
        model = field.related_model
    return "__".join(joined) or None, field


def rows_of(view, queryset: QuerySet) -> QuerySet:
    """The list's rows with every relation a column reads, so the export's queries do not grow
    with its rows."""
    paths = {_column(queryset.model, field)[0] for field in view.list_export}
    return queryset.select_related(*sorted(p for p in paths if p))


def _cell(view, field: str, value: Any, fmt: str) -> Any:
    # Dates, times and numbers go to the writer as they are (it formats them, and gives aware
    # times in local time); anything else as Wagtail's export would show it.
    if value is None or isinstance(value, dt.date | int | float | Decimal):
        return value
    return view.preprocess_field_value(field, value, fmt)


def _kind(model, column: str) -> str:
    field = _column(model, column)[1]
    internal = field.get_internal_type() if field is not None else ""
    return {"DateField": "date", "DateTimeField": "datetime"}.get(internal, "text")


def write(
    stream: IO[bytes], view, queryset: QuerySet, *, fmt: str, progress: Progress | None = None
) -> int:
    """Write the list's rows to `stream`; returns how many."""
    book = new_book(stream, fmt, progress=progress)
    columns = [
        Col(
            label := view.get_heading(queryset, field),
            width=max(12, min(40, len(label) + 4)),
            kind=_kind(queryset.model, field),
        )
        for field in view.list_export
    ]
    title = str(queryset.model._meta.verbose_name_plural).capitalize()
    sheet = book.sheet(title, columns)
    for item in rows_of(view, queryset).iterator(chunk_size=CHUNK):
        row = view.to_row_dict(item)
        sheet.append([_cell(view, field, value, fmt) for field, value in row.items()])
    sheet.finish()
    narrowed = narrowed_to(view)
    book.about(
        f"{title}: the list as "
        f"{view.request.user.get_full_name() or view.request.user.get_username()} saw it",
        [f"Filtered to: {'; '.join(narrowed)}" if narrowed else "Not filtered or searched"],
    )
    book.save()
    return sheet.rows


def export_listing(stream: IO[bytes], *, user, fmt: str, progress=None, view) -> int:
    """The background export's writer (`imports.exports.tasks`): `view` is the list as its
    requester sees it now (`access.resolve` builds it with `view_for`)."""
    return write(stream, view, view.get_queryset(), fmt=fmt, progress=progress)


def respond(view) -> HttpResponse:
    """The answer to a list's export button: the file, or for a long list the background
    export's page."""
    request = view.request
    fmt = request.GET.get("export")
    queryset = view.get_queryset()
    rows = queryset.count()
    if rows > INLINE_ROWS:
        return _start(view, fmt, rows)
    scratch = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it once sent)
    write(scratch, view, queryset, fmt=fmt)
    scratch.seek(0)
    return FileResponse(
        scratch,
        as_attachment=True,
        filename=file_name(listing_name(view), fmt),
        content_type=CONTENT_TYPES[fmt],
    )


def _start(view, fmt: str, rows: int) -> HttpResponse:
    from imports.exports.models import ExportRun
    from imports.exports.tasks import make_export

    request = view.request
    query = request.GET.copy()
    query.pop("export", None)
    run = ExportRun.objects.create(
        kind=KIND,
        params={
            "listing": listing_name(view),
            "query": query.urlencode(),
            "rows": rows,
            "organisations": scope_of(request.user),
        },
        fmt=fmt,
        user=request.user,
    )
    make_export.enqueue(run.pk)
    messages.info(
        request,
        f"{rows:,} rows are being written in the background: this page shows how far it has "
        "got, and the download link when it is ready.",
    )
    return redirect("exports:run", pk=run.pk)
