"""Wagtail admin views for cases, collective consultation and the redeployment register.

The generic views are narrowed so that
- who sees which record is decided by `employment.selectors` (never by the URL);
- every write goes through the services with the acting user and a stated reason;
- every screen showing named cases to a union representative or an auditor logs one entry
  naming the cases shown (`selectors.log_case_views`): case list and record, the redeployment
  register and a person's matches, offer list and record;
- the union's name appears only on the case page, to HR and the member's representative: never
  on lists, the register or exports; the statutory-priority flag only to HR;
- forms offer only the staff, posts and employers the user may change (the services refuse the
  rest anyway, with `tracker.access.OutOfScope`, shown as a form error).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic import CreateView, EditView, IndexView, InspectView

from employment import consultation as cc
from employment import selectors, services
from employment.estimates import EstimateUnavailable, estimate_for_case
from employment.models import (
    Case,
    CaseViewLog,
    CollectiveConsultation,
    ConsultationDisclosure,
    RedeploymentOffer,
)
from employment.rules.report import as_text
from tracker.access import changeable_organisation_ids
from tracker.admin_kit import ReasonFormMixin, RolePermissionPolicy, ServiceFormMixin
from tracker.models import Assignment, Organisation, Post, StaffMember
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
    changeable=selectors.consultations_changeable_by,
)
offer_policy = RolePermissionPolicy(
    RedeploymentOffer,
    view_roles=(AUDITOR,),
    change_roles=(HR_MANAGER,),
    visible=selectors.offers_visible_to,
    changeable=selectors.offers_changeable_by,
)
view_log_policy = RolePermissionPolicy(
    CaseViewLog,
    view_roles=(AUDITOR,),
    change_roles=(),
    visible=lambda user: CaseViewLog.objects.all(),
    changeable=lambda user: CaseViewLog.objects.none(),
)


# --- shared form plumbing ----------------------------------------------------------------------


def _employers_for(user):
    employers = Organisation.objects.filter(is_legal_employer=True)
    allowed = changeable_organisation_ids(user)
    return employers if allowed is None else employers.filter(pk__in=allowed)


def _posts_for(user):
    allowed = changeable_organisation_ids(user)
    posts = Post.objects.select_related("organisation")
    return posts if allowed is None else posts.filter(organisation__in=allowed)


def _staff_for(user):
    """People holding, or who held, a post in the organisations the user may change."""
    allowed = changeable_organisation_ids(user)
    if allowed is None:
        return StaffMember.objects.all()
    return StaffMember.objects.filter(
        pk__in=Assignment.objects.filter(post__organisation__in=allowed).values("staff_member")
    )


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
            self.fields["post"].queryset = _posts_for(self.for_user)
            self.fields["staff_member"].queryset = _staff_for(self.for_user)


class CaseEditForm(ReasonFormMixin, WagtailAdminModelForm):
    class Meta:
        model = Case
        # What HR may correct outside a transition, plus the representation request (saved
        # through its own service).
        fields = [*services.CASE_EDITABLE_FIELDS, "requested_representation", "union_name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None:
            self.fields["post"].queryset = _posts_for(self.for_user)


class LoggedListMixin:
    """Log the named cases on the page shown to a union representative or an auditor."""

    view_log_screen = ""

    def cases_on_page(self, object_list):
        return object_list

    def get_table(self, object_list):
        object_list = list(object_list)
        selectors.log_case_views(
            self.request.user,
            self.cases_on_page(object_list),
            screen=self.view_log_screen,
            path=self.request.get_full_path(),
        )
        return super().get_table(object_list)


class CaseIndexView(LoggedListMixin, IndexView):
    view_log_screen = CaseViewLog.Screen.CASE_LIST

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
    except (EstimateUnavailable, ValueError) as exc:
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


def _sees_exact_figures(user) -> bool:
    """HR, auditors and superusers see exact consultation counts; union representatives see the
    statutory band (see `employment.selectors.summaries`)."""
    return selectors.can_change_cases(user) or selectors.can_see_all_cases(user)


class ConsultationIndexView(IndexView):
    def get_base_queryset(self):
        return selectors.consultations_visible_to(self.request.user).select_related("employer")

    def get_table(self, object_list):
        object_list = list(object_list)  # annotate the very instances the table renders
        figures = cc.consultation_figures_for(object_list)
        exact = _sees_exact_figures(self.request.user)
        for consultation in object_list:
            f = figures[consultation.pk]
            consultation.peak_in_90_days = (
                f.peak.count if exact else selectors.threshold_band(f.peak.count)
            )
            consultation.threshold_text = (
                f"{f.threshold}+: {f.minimum_days} days" if f.threshold else "below 20"
            )
            consultation.hr1_due = f.hr1_due_on or "-"
        return super().get_table(object_list)


class ConsultationCreateView(ServiceFormMixin, CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        consultation = services.consultation_open(
            employer=data["employer"], establishment=data["establishment"],
            programme=data["programme"], starts_on=data["starts_on"],
            acting_user=self.request.user, reason=data["change_reason"],
        )
        if data["hr1_submitted_on"]:
            services.consultation_update(
                consultation=consultation, hr1_submitted_on=data["hr1_submitted_on"],
                acting_user=self.request.user, reason=data["change_reason"],
            )
        return consultation


class ConsultationEditView(ServiceFormMixin, EditView):
    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not selectors.consultations_changeable_by(self.request.user).filter(pk=obj.pk).exists():
            raise Http404
        return obj

    def save_instance(self):
        data = self.form.cleaned_data
        return services.consultation_update(
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
        consultation, user = self.object, self.request.user
        can_change = selectors.consultations_changeable_by(user).filter(pk=consultation.pk).exists()
        figures = cc.consultation_figures(consultation)
        context.update(
            figures=figures,
            exact_figures=_sees_exact_figures(user),
            peak_band=selectors.threshold_band(figures.peak.count),
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
    consultation = get_object_or_404(selectors.consultations_changeable_by(request.user), pk=pk)
    form = (DisclosureForm if what == "disclosure" else MeetingForm)(request.POST)
    url = reverse("employment_consultations:inspect", args=[consultation.pk])
    if not form.is_valid():
        messages.error(request, f"The {what} was not recorded: check every field.")
        return redirect(url)
    data = dict(form.cleaned_data)
    reason = data.pop("reason")
    try:
        if what == "disclosure":
            services.consultation_record_disclosure(
                consultation=consultation, acting_user=request.user, reason=reason, **data
            )
        else:
            services.consultation_record_meeting(
                consultation=consultation, acting_user=request.user, reason=reason, **data
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The {what} was recorded.")
    return redirect(url)


# --- redeployment register ---------------------------------------------------------------------

REGISTER_PAGE_SIZE = 25
MATCHES_PAGE_SIZE = 50


def _can_see_register(user) -> bool:
    return offer_policy.user_has_permission(user, "view")


def _page(request, items, per_page):
    return Paginator(items, per_page).get_page(request.GET.get("p"))


def redeployment_register_view(request):
    """People on the register, a page at a time, each with the number of vacant posts matching
    them (counted by the database); a person's matches and the offer form are on their own
    pages. Shows no union information at all: this is a matching screen. The priority flag, and
    the priority-first order that would reveal it, are for HR only."""
    user = request.user
    if not _can_see_register(user):
        raise PermissionDenied
    priority = selectors.sees_priority_flag(user)
    cases = selectors.register_cases(priority_first=priority).filter(
        pk__in=selectors.register_visible_to(user).values("pk")
    )
    page = _page(request, cases, REGISTER_PAGE_SIZE)
    page.object_list = selectors.set_match_counts(list(page.object_list))
    selectors.log_case_views(
        user, page.object_list, screen=CaseViewLog.Screen.REGISTER, path=request.get_full_path()
    )
    return TemplateResponse(
        request,
        "employment/admin/redeployment_register.html",
        {
            "page_title": "Redeployment register",
            "header_icon": "resubmit",
            "page": page,
            "show_priority": priority,
        },
    )


def _register_case(user, pk, *, changeable: bool = False) -> Case:
    visible = selectors.cases_changeable_by(user) if changeable else selectors.register_visible_to(
        user
    )
    return get_object_or_404(
        selectors.register_cases().filter(pk__in=visible.values("pk")), pk=pk
    )


def redeployment_matches_view(request, pk: int):
    """One person on the register and the vacant posts matching them, paged."""
    user = request.user
    if not _can_see_register(user):
        raise PermissionDenied
    case = _register_case(user, pk)
    selectors.log_case_views(
        user, [case], screen=CaseViewLog.Screen.REGISTER_MATCHES, path=request.get_full_path()
    )
    can_offer = selectors.cases_changeable_by(user).filter(pk=case.pk).exists()
    return TemplateResponse(
        request,
        "employment/admin/redeployment_matches.html",
        {
            "page_title": f"Matching vacancies: {case.staff_member.full_name}",
            "header_icon": "resubmit",
            "case": case,
            "page": _page(request, selectors.redeployment_matches(case), MATCHES_PAGE_SIZE),
            "can_offer": can_offer,
            "show_priority": can_offer and selectors.sees_priority_flag(user),
        },
    )


class OfferForm(forms.Form):
    offered_on = forms.DateField(label="Offered on", initial=timezone.localdate)
    reason = forms.CharField(
        label="Reason for the offer", help_text="Recorded in the audit history with your name."
    )
    unsuitable_for_priority_reason = forms.CharField(
        label="If someone with the statutory priority also matches: why the post is not "
        "suitable for them",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def redeployment_offer_view(request, pk: int, post_pk: int):
    """The offer of one matching post to one person: the form (GET) and the offer (POST). HR
    covering the case only; a refusal by the service is shown on the form."""
    user = request.user
    if not offer_policy.user_has_permission(user, "add"):
        raise PermissionDenied
    case = _register_case(user, pk, changeable=True)
    post = get_object_or_404(Post.objects.select_related("organisation"), pk=post_pk)
    if request.method == "POST":
        form = OfferForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.redeployment_offer_record(
                    case=case, post=post, offered_on=data["offered_on"], acting_user=user,
                    reason=data["reason"],
                    unsuitable_for_priority_reason=data["unsuitable_for_priority_reason"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Offer of {post} recorded.")
                return redirect("employment_redeployment_matches", pk=case.pk)
    else:
        if not selectors.post_matches_case(case, post):
            raise Http404("That post is not a vacancy matching this person.")
        form = OfferForm()
    return TemplateResponse(
        request,
        "employment/admin/redeployment_offer.html",
        {
            "page_title": f"Offer {post} to {case.staff_member.full_name}",
            "header_icon": "resubmit",
            "case": case,
            "post": post,
            "form": form,
        },
    )


class OfferIndexView(LoggedListMixin, IndexView):
    view_log_screen = CaseViewLog.Screen.OFFER_LIST

    def cases_on_page(self, object_list):
        return [offer.case_id for offer in object_list]

    def get_base_queryset(self):
        return offer_policy.instances_user_has_any_permission_for(
            self.request.user, ["view"]
        ).select_related("case__staff_member", "post__organisation")


class OfferInspectView(InspectView):
    template_name = "employment/admin/offer_inspect.html"

    def get_object(self, queryset=None):
        offer = get_object_or_404(
            offer_policy.instances_user_has_any_permission_for(self.request.user, ["view"])
            .select_related("case__staff_member", "post__organisation"),
            pk=self.pk,
        )
        selectors.log_case_views(
            self.request.user, [offer.case_id], screen=CaseViewLog.Screen.OFFER_INSPECT,
            path=self.request.get_full_path(),
        )
        return offer

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        offer = self.object
        can_change = selectors.offers_changeable_by(self.request.user).filter(pk=offer.pk).exists()
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
    offer = get_object_or_404(selectors.offers_changeable_by(request.user), pk=pk)
    url = reverse("employment_offers:inspect", args=[offer.pk])
    form = OfferActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the date and a reason.")
        return redirect(url)
    data, user = form.cleaned_data, request.user
    try:
        if verb in ("accept", "refuse"):
            services.redeployment_offer_respond(
                offer=offer, accepted=verb == "accept", responded_on=data["on"],
                refusal_reason=data["refusal_reason"], acting_user=user, reason=data["reason"],
            )
        elif verb == "withdraw":
            services.redeployment_offer_withdraw(
                offer=offer, on=data["on"], acting_user=user, reason=data["reason"]
            )
        elif verb in ("trial_passed", "trial_failed"):
            services.redeployment_trial_outcome_record(
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


# --- the log of named-case views (auditors) -----------------------------------------------------


class CaseViewLogIndexView(IndexView):
    """Read-only: who (a rep or an auditor) was shown which cases, on which screen, when. Case
    numbers only, so reading the log shows no names."""

    def get_base_queryset(self):
        return (
            view_log_policy.instances_user_has_any_permission_for(self.request.user, ["view"])
            .select_related("user")
            .annotate(case_count=Count("cases"))
        )

    def get_table(self, object_list):
        object_list = list(object_list)
        through = CaseViewLog.cases.through
        ids: dict[int, list[int]] = {entry.pk: [] for entry in object_list}
        for log_id, case_id in through.objects.filter(caseviewlog_id__in=ids).values_list(
            "caseviewlog_id", "case_id"
        ).order_by("caseviewlog_id", "case_id"):
            ids[log_id].append(case_id)
        for entry in object_list:
            entry.case_numbers = ", ".join(str(pk) for pk in ids[entry.pk])
        return super().get_table(object_list)
