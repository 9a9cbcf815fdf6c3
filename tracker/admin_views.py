"""Wagtail admin views for the tracker: the generic views, narrowed so that

- every list and record is limited to the organisations the user's role covers (`scoped`);
- every create and edit goes through `tracker.services` with the user and a stated reason;
- the history screen reads the one audit trail (django-simple-history), fields before and after;
- planned changes are approved, applied and cancelled through their services, one by one or in
  bulk for a programme and organisation.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import capfirst
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui import tables
from wagtail.admin.ui.components import MediaContainer
from wagtail.admin.ui.side_panels import StatusSidePanel
from wagtail.admin.views.generic import (
    CreateView,
    DeleteView,
    EditView,
    IndexView,
    InspectView,
)
from wagtail.admin.views.generic.base import BaseListingView
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import TitleColumn as UsageTitleColumn
from wagtail.admin.views.generic.usage import UsageView
from wagtail.permissions import policy_registry

from tracker import services
from tracker.admin_kit import (
    ReadableInspectMixin,
    ReasonFormMixin,
    SafeExportMixin,
    ScopedFormMixin,
    ScopedObjectMixin,
    ServiceFormMixin,
)
from tracker.models import (
    Assignment,
    Organisation,
    PlannedChange,
    Post,
    Programme,
    StaffMember,
    Succession,
)
from tracker.selectors import (
    ChangeLog,
    held_as_of,
    holders_as_of,
    post_snapshots,
    posts_as_of,
    record_timeline,
    scoped,
    visible_organisations,
)
from tracker.usage import Usage


class ReasonForm(ReasonFormMixin, ScopedFormMixin, WagtailAdminModelForm):
    """Every tracker form: asks why, and offers only the rows the user may link to."""


SCOPED_MODELS = (Organisation, Succession, Programme, Post, StaffMember, Assignment, PlannedChange)
# Each tracker record's inspect page (the viewsets' names, tracker/wagtail_hooks.py).
INSPECT_URL_NAMES = {
    Organisation: "organisations:inspect",
    Succession: "successions:inspect",
    Programme: "programmes:inspect",
    Post: "posts:inspect",
    StaffMember: "staff:inspect",
    Assignment: "assignments:inspect",
    PlannedChange: "planned_changes:inspect",
}

# model -> (create service, update service, the update service's name for the record)
_SERVICES = {
    Organisation: (services.organisation_create, services.organisation_update, "organisation"),
    Succession: (services.succession_create, services.succession_update, "succession"),
    Programme: (services.programme_create, services.programme_update, "programme"),
    Post: (services.post_create, services.post_update, "post"),
    StaffMember: (services.staff_member_create, services.staff_member_update, "staff_member"),
    Assignment: (services.assignment_create, services.assignment_update, "assignment"),
    PlannedChange: (services.planned_change_create, services.planned_change_update, "change"),
}


def _service_create(model, *, cleaned: dict, acting_user, reason: str):
    create, _update, _name = _SERVICES[model]
    return create(acting_user=acting_user, reason=reason, **cleaned)


def _service_update(instance, *, cleaned: dict, acting_user, reason: str):
    _create, update, name = _SERVICES[type(instance)]
    return update(**{name: instance}, acting_user=acting_user, reason=reason, **cleaned)


class ScopedIndexView(SafeExportMixin, IndexView):
    list_select_related: tuple[str, ...] = ()

    @cached_property
    def filters(self):
        """A filter on a related record (organisation, programme) lists only what the user may
        see: its choices would otherwise name every organisation and programme."""
        filterset = super().filters
        if filterset is not None:
            for field in filterset.form.fields.values():
                queryset = getattr(field, "queryset", None)
                if queryset is not None and queryset.model in SCOPED_MODELS:
                    field.queryset = scoped(queryset.model, self.request.user)
        return filterset

    def get_base_queryset(self):
        queryset = scoped(self.model, self.request.user)
        if self.list_select_related:
            queryset = queryset.select_related(*self.list_select_related)
        return queryset


def _editable_values(form) -> dict:
    fields = [name for name in form._meta.fields or form.fields if name != "change_reason"]
    return {name: form.cleaned_data[name] for name in fields if name in form.cleaned_data}


class ServiceCreateView(ServiceFormMixin, CreateView):
    def save_instance(self):
        return _service_create(
            self.model,
            cleaned=_editable_values(self.form),
            acting_user=self.request.user,
            reason=self.form.cleaned_data["change_reason"],
        )


class UsageStatusPanel(StatusSidePanel):
    """The edit page's "Used N times", counted as the record's Usage page lists
    (`tracker.usage`), not from Wagtail's reference index."""

    def get_usage_context(self):
        usage = Usage(self.object, self.request.user, SCOPED_MODELS)
        return {"usage_count": usage.count(), "usage_url": self.usage_url}


class ServiceEditView(ScopedObjectMixin, ServiceFormMixin, EditView):
    scope_action = "change"

    def get_side_panels(self):
        return MediaContainer(
            [
                UsageStatusPanel(
                    self.object,
                    self.request,
                    locale=self.locale,
                    translations=self.translations,
                    usage_url=self.get_usage_url(),
                    history_url=self.get_history_url(),
                    last_updated_info=self.get_last_updated_info(),
                )
            ]
        )

    def save_instance(self):
        # The form has already written its values onto self.object; the service compares against
        # a fresh copy so it can tell what really changed (and write nothing if nothing did).
        original = type(self.object)._default_manager.get(pk=self.object.pk)
        return _service_update(
            original,
            cleaned=_editable_values(self.form),
            acting_user=self.request.user,
            reason=self.form.cleaned_data["change_reason"],
        )


class ScopedInspectView(ReadableInspectMixin, ScopedObjectMixin, InspectView):
    pass


class ScopedUsageView(ScopedObjectMixin, UsageView):
    """Usage answers for records the user may see (404 otherwise), not only those they edit,
    from the relations themselves (`tracker.usage`: Wagtail's reference index misses what was
    written in bulk), listing only referring records the user may see too: an ICB's usage page
    would otherwise name every other organisation's change that transfers a post into it. A
    referring tracker record links to its inspect page (which offers Edit to those who may)."""

    permission_required = "view"

    def get_queryset(self):
        return Usage(self.object, self.request.user, SCOPED_MODELS)

    @cached_property
    def columns(self):
        return [
            UsageTitleColumn("name", label="Name", accessor="label", get_url=lambda r: r["url"]),
            tables.Column("content_type", label="Type", accessor="type"),
            tables.Column(
                "field",
                label="If you confirm deletion" if self.describe_on_delete else "Field",
                accessor="field",
            ),
        ]

    def get_table(self, object_list, **kwargs):
        finder = AdminURLFinder(self.request.user)
        rows = []
        for row, relation in object_list:
            if relation.model in INSPECT_URL_NAMES:
                url = reverse(INSPECT_URL_NAMES[relation.model], args=[row.pk])
            else:
                url = finder.get_edit_url(row)
            name = row._meta.verbose_name
            rows.append(
                {
                    "label": str(row),
                    "url": url,
                    "edit_link_title": f"Open this {name}",
                    "type": capfirst(name),
                    "field": relation.on_delete if self.describe_on_delete else relation.label,
                }
            )
        # Wagtail's UsageView.get_table reads reference-index rows; the listing's own is wanted.
        return BaseListingView.get_table(self, rows, **kwargs)


class ScopedDeleteView(ScopedObjectMixin, DeleteView):
    """Its count of references and its refusal to delete a record something still refers to
    come from the relations themselves (`tracker.usage`), as the Usage page's list does: a
    record a PROTECT relation still refers to is refused with Wagtail's message, not a
    database error."""

    scope_action = "delete"

    def get_usage(self):
        if not self.usage_url:
            return None
        # Every row, seen or not: whether one stops the deletion is the database's question
        # (only administrators may delete, and they see every row anyway).
        return Usage(self.object, None, SCOPED_MODELS)


class AuditHistoryView(ScopedObjectMixin, HistoryView):
    """The record's audit trail from django-simple-history: each change with who, when, why and
    every field before and after. Replaces Wagtail's log-entry history so there is one timeline."""

    permission_required = "view"
    any_permission_required = None
    template_name = "tracker/admin/audit_history.html"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return TemplateResponse(
            request,
            self.template_name,
            {
                "object": self.object,
                "entries": record_timeline(self.object),
                "page_title": f"History: {self.object}",
                "header_icon": "history",
                "breadcrumbs_items": self.get_breadcrumbs_items(),
            },
        )

    @cached_property
    def header_buttons(self):
        return []


# --- planned changes ---------------------------------------------------------------------------


class ReasonOnlyForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded in the audit history of every record this touches.",
    )


def _can_change_changes(user) -> bool:
    return user.has_perm("tracker.change_plannedchange")


class PlannedChangeInspectView(ScopedInspectView):
    template_name = "tracker/admin/planned_change_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        change = self.object
        user = self.request.user
        can = policy_registry.get_by_type(PlannedChange).user_has_permission_for_instance(
            user, "change", change
        )
        context["actions"] = [
            (verb, label)
            for verb, label, ok in (
                (
                    "approve",
                    "Approve",
                    change.status == PlannedChange.Status.DRAFT and change.author_id != user.pk,
                ),
                ("apply", "Apply", change.status == PlannedChange.Status.APPROVED),
                (
                    "cancel",
                    "Cancel",
                    change.status in (PlannedChange.Status.DRAFT, PlannedChange.Status.APPROVED),
                ),
            )
            if ok and can
        ]
        context["reason_form"] = ReasonOnlyForm()
        context["timeline"] = record_timeline(change)
        return context


_ACTIONS = {
    "approve": services.planned_change_approve,
    "apply": services.planned_change_apply,
    "cancel": services.planned_change_cancel,
}


def planned_change_action(request, pk: int, verb: str):
    """POST only: approve, apply or cancel one change, with a reason."""
    if request.method != "POST" or verb not in _ACTIONS:
        raise Http404
    if not _can_change_changes(request.user):
        raise PermissionDenied
    change = get_object_or_404(scoped(PlannedChange, request.user), pk=pk)
    inspect_url = reverse("planned_changes:inspect", args=[change.pk])
    form = ReasonOnlyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason: it is recorded in the audit history.")
        return redirect(inspect_url)
    try:
        _ACTIONS[verb](change=change, acting_user=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Change to post {change.post.position_number}: {verb} done.")
    return redirect(inspect_url)


# --- the establishment as it stood -------------------------------------------------------------


class AsOfForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none())
    as_of = forms.DateField(
        label="As at the end of",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The establishment as recorded by the end of this day.",
    )
    changes_from = forms.DateField(
        label="Also list changes from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional: every recorded change from this day up to the date above.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = visible_organisations(user)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("changes_from"), cleaned.get("as_of")
        if start and end and start > end:
            self.add_error("changes_from", "Must be on or before the 'as at' date.")
        return cleaned


AS_OF_PAGE_SIZE = 100
CHANGES_PAGE_SIZE = 100


def establishment_view(request):
    """Posts and holders of one organisation as they stood on a date, read from history, a page
    at a time (the page's posts and their holders are a few queries whatever the organisation's
    size); and, optionally, every change between two dates, also paged."""
    if not request.user.has_perm("tracker.view_post"):
        raise PermissionDenied
    form = AsOfForm(request.GET or None, user=request.user)
    context = {"form": form, "page_title": "Establishment as at a date"}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        organisation, as_of = data["organisation"], data["as_of"]
        posts = posts_as_of(as_of=as_of, organisation_ids=[organisation.pk])
        totals = posts.aggregate(
            count=models.Count("id"),
            wte=models.Sum("wte"),
            filled=models.Count("id", filter=held_as_of(as_of=as_of)),
        )
        paginator = Paginator(posts, AS_OF_PAGE_SIZE)
        paginator.count = totals["count"]  # counted above: not a second time
        page = paginator.get_page(request.GET.get("p"))
        context.update(
            organisation=organisation,
            as_of=as_of,
            page=page,
            posts=post_snapshots(
                as_of=as_of,
                post_rows=list(page.object_list),
                holders=holders_as_of(as_of=as_of, post_ids=[p["id"] for p in page.object_list]),
            ),
            total=totals["count"],
            filled=totals["filled"],
            wte=totals["wte"] or Decimal(0),
            page_query=_query_without(request, "p"),
            changes_query=_query_without(request, "cp"),
        )
        if data["changes_from"]:
            changes = ChangeLog(start=data["changes_from"], end=as_of, organisation=organisation)
            context["changes_page"] = changes.get_page(request.GET.get("cp"), CHANGES_PAGE_SIZE)
            context["changes"] = context["changes_page"].object_list
    return TemplateResponse(request, "tracker/admin/establishment.html", context)


def _query_without(request, name: str) -> str:
    query = request.GET.copy()
    query.pop(name, None)
    return query.urlencode()
