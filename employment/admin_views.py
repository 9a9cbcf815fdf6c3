"""Wagtail admin views for cases, collective consultation and the redeployment register.

The generic views are narrowed so that
- who sees which record is decided by `employment.selectors` (never by the URL);
- every write goes through the services with the acting user and a stated reason;
- opening a named case as a union representative or an auditor is logged (`case_for_viewer`);
- the union's name appears only on the case page, to HR and the member's representative: never
  on lists, the register or exports.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic import CreateView, EditView, IndexView, InspectView

from employment import consultation as cc
from employment import redeployment as rd
from employment import selectors, services
from employment.models import (
    Case,
    CollectiveConsultation,
    ConsultationDisclosure,
    RedeploymentOffer,
)
from tracker.admin_kit import ReasonFormMixin, RolePermissionPolicy, ServiceFormMixin
from tracker.models import Organisation
from tracker.roles import AUDITOR, HR_MANAGER, UNION_REP, has_role

# --- permissions -------------------------------------------------------------------------------
# The policy class and the form mixins are shared with the tracker screens (tracker.admin_kit).

case_policy = RolePermissionPolicy(
    Case,
    view_roles=(UNION_REP, AUDITOR),
    change_roles=(HR_MANAGER,),
    visible=selectors.cases_visible_to,
    changeable=selectors.cases_changeable_by,
)
consultation_policy = RolePermissionPolicy(
    CollectiveConsultation,
    view_roles=(UNION_REP, AUDITOR),
    change_roles=(HR_MANAGER,),
    visible=selectors.consultations_visible_to,
)
offer_policy = RolePermissionPolicy(
    RedeploymentOffer,
    view_roles=(AUDITOR,),
    change_roles=(HR_MANAGER,),
    visible=lambda user: RedeploymentOffer.objects.filter(
        case__in=selectors.register_visible_to(user)
    ),
)


# --- shared form plumbing ----------------------------------------------------------------------


def _employers_for(user):
    employers = Organisation.objects.filter(is_legal_employer=True)
    if user.is_superuser:
        return employers
    return employers.filter(users=user)


# --- cases -------------------------------------------------------------------------------------


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None:
            self.fields["employer"].queryset = _employers_for(self.for_user)


class CaseEditForm(ReasonFormMixin, WagtailAdminModelForm):
    class Meta:
        model = Case
        # What HR may correct outside a transition, plus the representation request (saved
        # through its own service).
        fields = [*services.CASE_EDITABLE_FIELDS, "requested_representation", "union_name"]


class CaseIndexView(IndexView):
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


class CaseInspectView(InspectView):
    template_name = "employment/admin/case_inspect.html"

    def get_object(self, queryset=None):
        return selectors.case_for_viewer(self.request.user, self.pk)

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
            # Sensitive: HR and the member's own representative only.
            show_sensitive=can_change or user.is_superuser,
            show_union=can_change or has_role(user, UNION_REP),
        )
        return context


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


# --- collective consultation -------------------------------------------------------------------


class ConsultationForm(ReasonFormMixin, WagtailAdminModelForm):
    class Meta:
        model = CollectiveConsultation
        fields = ["employer", "establishment", "programme", "starts_on", "hr1_submitted_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None:
            self.fields["employer"].queryset = _employers_for(self.for_user)
        if self.instance.pk:
            for name in ("employer", "establishment", "programme"):
                self.fields[name].disabled = True


class ConsultationIndexView(IndexView):
    def get_base_queryset(self):
        return selectors.consultations_visible_to(self.request.user).select_related("employer")

    def get_table(self, object_list):
        object_list = list(object_list)  # annotate the very instances the table renders
        figures = cc.consultation_figures_for(object_list)
        for consultation in object_list:
            f = figures[consultation.pk]
            consultation.peak_in_90_days = f.peak.count
            consultation.threshold_text = (
                f"{f.threshold}+: {f.minimum_days} days" if f.threshold else "below 20"
            )
            consultation.hr1_due = f.hr1_due_on or "-"
        return super().get_table(object_list)


class ConsultationCreateView(ServiceFormMixin, CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        consultation = cc.consultation_open(
            employer=data["employer"], establishment=data["establishment"],
            programme=data["programme"], starts_on=data["starts_on"],
            acting_user=self.request.user, reason=data["change_reason"],
        )
        if data["hr1_submitted_on"]:
            cc.consultation_update(
                consultation=consultation, hr1_submitted_on=data["hr1_submitted_on"],
                acting_user=self.request.user, reason=data["change_reason"],
            )
        return consultation


class ConsultationEditView(ServiceFormMixin, EditView):
    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not selectors.consultations_visible_to(self.request.user).filter(pk=obj.pk).exists():
            raise Http404
        return obj

    def save_instance(self):
        data = self.form.cleaned_data
        return cc.consultation_update(
            consultation=CollectiveConsultation.objects.get(pk=self.object.pk),
            starts_on=data["starts_on"], hr1_submitted_on=data["hr1_submitted_on"],
            acting_user=self.request.user, reason=data["change_reason"],
        )


class DisclosureForm(forms.Form):
    item = forms.ChoiceField(choices=ConsultationDisclosure.Item.choices)
    content = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    disclosed_on = forms.DateField(initial=timezone.localdate)
    reason = forms.CharField(initial="Statutory disclosure under TULRCA s.188(4)")


class MeetingForm(forms.Form):
    held_on = forms.DateField(initial=timezone.localdate)
    attendees = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    disclosed = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    responses = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    reason = forms.CharField(initial="Meeting minutes")


class ConsultationInspectView(InspectView):
    template_name = "employment/admin/consultation_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            selectors.consultations_visible_to(self.request.user).select_related("employer"),
            pk=self.pk,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        consultation = self.object
        can_change = consultation_policy.user_has_permission(self.request.user, "change")
        context.update(
            figures=cc.consultation_figures(consultation),
            disclosures=consultation.disclosures.all(),
            missing=cc.missing_disclosures(consultation),
            meetings=consultation.meetings.all(),
            can_change=can_change,
            disclosure_form=DisclosureForm() if can_change else None,
            meeting_form=MeetingForm() if can_change else None,
        )
        return context


def consultation_record_view(request, pk: int, what: str):
    """POST only: add a disclosure or a meeting to a consultation."""
    if request.method != "POST" or what not in ("disclosure", "meeting"):
        raise Http404
    if not consultation_policy.user_has_permission(request.user, "change"):
        raise PermissionDenied
    consultation = get_object_or_404(
        selectors.consultations_visible_to(request.user), pk=pk
    )
    form = (DisclosureForm if what == "disclosure" else MeetingForm)(request.POST)
    url = reverse("employment_consultations:inspect", args=[consultation.pk])
    if not form.is_valid():
        messages.error(request, f"The {what} was not recorded: check every field.")
        return redirect(url)
    data = dict(form.cleaned_data)
    reason = data.pop("reason")
    try:
        if what == "disclosure":
            cc.consultation_record_disclosure(
                consultation=consultation, acting_user=request.user, reason=reason, **data
            )
        else:
            cc.consultation_record_meeting(
                consultation=consultation, acting_user=request.user, reason=reason, **data
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The {what} was recorded.")
    return redirect(url)


# --- redeployment register ---------------------------------------------------------------------


def _can_see_register(user) -> bool:
    return offer_policy.user_has_permission(user, "view")


def redeployment_register_view(request):
    """People on the register (statutory priority first) and the vacant posts matching each.
    Shows no union information at all: this is a matching screen."""
    if not _can_see_register(request.user):
        raise PermissionDenied
    cases = rd.register_cases().filter(pk__in=selectors.register_visible_to(request.user))
    return TemplateResponse(
        request,
        "employment/admin/redeployment_register.html",
        {
            "page_title": "Redeployment register",
            "header_icon": "resubmit",
            "entries": rd.redeployment_register(cases),
            "can_offer": offer_policy.user_has_permission(request.user, "add"),
            "today": timezone.localdate(),
        },
    )


class OfferForm(forms.Form):
    case = forms.IntegerField(widget=forms.HiddenInput)
    post = forms.IntegerField(widget=forms.HiddenInput)
    offered_on = forms.DateField(initial=timezone.localdate)
    reason = forms.CharField()
    unsuitable_for_priority_reason = forms.CharField(required=False)


def redeployment_offer_view(request):
    """POST only: record an offer from the register."""
    if request.method != "POST":
        raise Http404
    if not offer_policy.user_has_permission(request.user, "add"):
        raise PermissionDenied
    form = OfferForm(request.POST)
    url = reverse("employment_redeployment_register")
    if not form.is_valid():
        messages.error(request, "Give the offer date and a reason.")
        return redirect(url)
    data = form.cleaned_data
    case = get_object_or_404(selectors.cases_changeable_by(request.user), pk=data["case"])
    post = get_object_or_404(rd.vacant_posts(), pk=data["post"])
    try:
        rd.redeployment_offer_record(
            case=case, post=post, offered_on=data["offered_on"], acting_user=request.user,
            reason=data["reason"],
            unsuitable_for_priority_reason=data["unsuitable_for_priority_reason"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Offer of {post} recorded.")
    return redirect(url)


class OfferIndexView(IndexView):
    def get_base_queryset(self):
        return offer_policy.instances_user_has_any_permission_for(
            self.request.user, ["view"]
        ).select_related("case__staff_member", "post__organisation")


class OfferInspectView(InspectView):
    template_name = "employment/admin/offer_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            offer_policy.instances_user_has_any_permission_for(self.request.user, ["view"]),
            pk=self.pk,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        offer = self.object
        can_change = offer_policy.user_has_permission(self.request.user, "change")
        actions = []
        if can_change and offer.status == RedeploymentOffer.Status.OFFERED:
            actions = [("accept", "Accepted"), ("refuse", "Refused"), ("withdraw", "Withdraw")]
        elif can_change and offer.status == RedeploymentOffer.Status.ACCEPTED and not (
            offer.trial_outcome
        ):
            actions = [("trial_passed", "Trial successful"), ("trial_failed", "Trial failed")]
        context.update(actions=actions, today=timezone.localdate())
        return context


class OfferActionForm(forms.Form):
    on = forms.DateField()
    reason = forms.CharField()
    refusal_reason = forms.CharField(required=False)


def redeployment_offer_action_view(request, pk: int, verb: str):
    if request.method != "POST":
        raise Http404
    if not offer_policy.user_has_permission(request.user, "change"):
        raise PermissionDenied
    offer = get_object_or_404(
        offer_policy.instances_user_has_any_permission_for(request.user, ["change"]), pk=pk
    )
    url = reverse("employment_offers:inspect", args=[offer.pk])
    form = OfferActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the date and a reason.")
        return redirect(url)
    data, user = form.cleaned_data, request.user
    try:
        if verb in ("accept", "refuse"):
            rd.redeployment_offer_respond(
                offer=offer, accepted=verb == "accept", responded_on=data["on"],
                refusal_reason=data["refusal_reason"], acting_user=user, reason=data["reason"],
            )
        elif verb == "withdraw":
            rd.redeployment_offer_withdraw(
                offer=offer, on=data["on"], acting_user=user, reason=data["reason"]
            )
        elif verb in ("trial_passed", "trial_failed"):
            rd.redeployment_trial_outcome_record(
                offer=offer, successful=verb == "trial_passed", on=data["on"],
                acting_user=user, reason=data["reason"],
            )
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Recorded.")
    return redirect(url)
