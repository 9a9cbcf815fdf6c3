"""The case screens: open and correct a case, its record with clocks and estimate, moving it
through the status machine, and the at-risk figures."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic import CreateView, EditView, IndexView, InspectView

from employment import selectors, services
from employment.admin_views.common import (
    LoggedListMixin,
    _employers_for,
    _posts_for,
    _staff_for,
)
from employment.estimates import EstimateUnavailable, estimate_for_case
from employment.models import (
    Case,
    CaseViewLog,
)
from employment.rules.report import as_text
from tracker.admin_kit import ReadableInspectMixin, ReasonFormMixin, ServiceFormMixin
from tracker.choosers import PostChooserWidget, StaffMemberChooserWidget
from tracker.roles import AUDITOR, HR_MANAGER, UNION_REP, has_role


class CaseOpenForm(ReasonFormMixin, WagtailAdminModelForm):
    opened_on = forms.DateField(label="Effective date", initial=timezone.localdate)
    status = forms.ChoiceField(
        label="Opens as",
        choices=[(s, Case.Status(s).label) for s in Case.OPENING_STATUSES],
        initial=Case.Status.AT_RISK,
    )

    class Meta:
        model = Case
        fields = [
            "staff_member",
            "employer",
            "post",
            "programme",
            "establishment",
            "proposed_dismissal_on",
            "is_very_senior",
            "package_total",
            "has_statutory_redeployment_priority",
        ]
        # Searchable, paged choosers: a select would list every person and post in scope (at
        # 100,000 of each, a 12 MB page that took 20 s). Named here because this form class is
        # made when the module is imported, before the choosers register their widgets for
        # Wagtail's generated forms. The querysets below still decide what a POST may name.
        widgets = {"staff_member": StaffMemberChooserWidget, "post": PostChooserWidget}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None:
            self.fields["employer"].queryset = _employers_for(self.for_user)
            self.fields["post"].queryset = _posts_for(self.for_user)
            self.fields["staff_member"].queryset = _staff_for(self.for_user)
            # The chooser also finds people who hold no post yet; a case needs one who holds,
            # or held, a post in the user's organisations.
            self.fields["staff_member"].error_messages["invalid_choice"] = (
                "Choose someone who holds, or held, a post in an organisation you manage."
            )


class CaseEditForm(ReasonFormMixin, WagtailAdminModelForm):
    class Meta:
        model = Case
        # What HR may correct outside a transition, plus the representation request (saved
        # through its own service).
        fields = [*services.CASE_EDITABLE_FIELDS, "requested_representation", "union_name"]
        widgets = {"post": PostChooserWidget}  # as on CaseOpenForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None:
            self.fields["post"].queryset = _posts_for(self.for_user)



class CaseIndexView(LoggedListMixin, IndexView):
    view_log_screen = CaseViewLog.Screen.CASE_LIST

    @cached_property
    def filters(self):
        """The employer filter offers only employers the user may see (as
        `tracker.admin_views.ScopedIndexView` does): its choices would otherwise name every
        organisation to an HR manager who covers a few."""
        filterset = super().filters
        if filterset is not None and "employer" in filterset.form.fields:
            field = filterset.form.fields["employer"]
            field.queryset = selectors.case_employers_visible_to(self.request.user)
        return filterset

    def get_base_queryset(self):
        return selectors.cases_visible_to(self.request.user).select_related(
            "staff_member", "employer", "post"
        )


class CaseCreateView(ServiceFormMixin, CreateView):
    def save_instance(self):
        data = dict(self.form.cleaned_data)
        reason, on, status = data.pop("change_reason"), data.pop("opened_on"), data.pop("status")
        return services.case_open(
            acting_user=self.request.user, reason=reason, on=on, status=status, **data
        )


class CaseEditView(ServiceFormMixin, EditView):
    def get_object(self, queryset=None):
        case = super().get_object(queryset)
        if not selectors.cases_changeable_by(self.request.user).filter(pk=case.pk).exists():
            raise Http404
        return case

    def save_instance(self):
        data = dict(self.form.cleaned_data)
        reason = data.pop("change_reason")
        requested = data.pop("requested_representation")
        union_name = data.pop("union_name")
        case = Case.objects.get(pk=self.object.pk)
        services.case_update(case=case, acting_user=self.request.user, reason=reason, **data)
        services.case_representation_record(
            case=case, requested=requested, union_name=union_name,
            acting_user=self.request.user, reason=reason,
        )
        return case


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label="Move to")
    on = forms.DateField(label="Effective date", initial=timezone.localdate)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    seen_status = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(s, Case.Status(s).label) for s in case.allowed_next]
        self.fields["seen_status"].initial = case.status


class CaseInspectView(ReadableInspectMixin, InspectView):
    template_name = "employment/admin/case_inspect.html"

    def get_object(self, queryset=None):
        return selectors.case_for_viewer(
            self.request.user, self.pk, screen=CaseViewLog.Screen.CASE_INSPECT,
            path=self.request.get_full_path(),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case, user = self.object, self.request.user
        can_change = selectors.cases_changeable_by(user).filter(pk=case.pk).exists()
        context.update(
            clocks=selectors.case_clocks(case),
            timeline=selectors.case_status_timeline(case),
            can_change=can_change,
            transition_form=TransitionForm(case=case) if can_change and case.allowed_next
            else None,
            # Sensitive: the priority flag for HR only; the union for HR and the member's own
            # representative (the only reps who can open the case).
            show_sensitive=can_change and selectors.sees_priority_flag(user),
            show_union=can_change or has_role(user, UNION_REP),
        )
        if can_change:
            # Pay is HR's to see: the estimate is on the HR manager's screen only.
            context["estimate"], context["estimate_unavailable"] = _estimate(case)
        return context


def _estimate(case) -> tuple[str | None, str | None]:
    """The case's entitlement estimate as the `estimate` command prints it, or why not."""
    try:
        entitlements = estimate_for_case(case)
    except EstimateUnavailable as exc:
        # HR reads this screen: the record is the person's, not the reader's.
        return None, exc.reason(whose="this person's")
    except ValueError as exc:
        return None, str(exc)
    return as_text(entitlements), None


def case_transition_view(request, pk: int):
    """POST only: move a case through `case_transition`, with a reason."""
    if request.method != "POST":
        raise Http404
    case = get_object_or_404(selectors.cases_changeable_by(request.user), pk=pk)
    inspect_url = reverse("employment_cases:inspect", args=[case.pk])
    form = TransitionForm(request.POST, case=case)
    # The status the person saw when they chose, so a move made meanwhile is a conflict.
    case.status = request.POST.get("seen_status") or case.status
    if not form.is_valid():
        messages.error(
            request,
            "Choose an allowed status, a date and a reason: "
            + "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
        )
        return redirect(inspect_url)
    data = form.cleaned_data
    try:
        services.case_transition(
            case=case, to=data["to"], acting_user=request.user, reason=data["reason"],
            on=data["on"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Case moved to {case.get_status_display()}.")
    return redirect(inspect_url)


def at_risk_summary_view(request):
    """Aggregated figures (numbers, never names) for the organisations a user covers."""
    user = request.user
    if not (
        user.is_superuser
        or has_role(user, UNION_REP)
        or has_role(user, HR_MANAGER)
        or has_role(user, AUDITOR)
    ):
        raise PermissionDenied
    return TemplateResponse(
        request,
        "employment/admin/at_risk_summary.html",
        {
            "page_title": "At-risk figures",
            "header_icon": "table",
            "figures": selectors.at_risk_summary_for_rep(user),
        },
    )
