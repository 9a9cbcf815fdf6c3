"""The redeployment register, a person's matching vacancies, offers and their outcomes."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.views.generic import IndexView, InspectView

from employment import selectors, services
from employment.admin_views.common import (
    LoggedListMixin,
    offer_policy,
)
from employment.models import (
    Case,
    CaseViewLog,
    RedeploymentOffer,
)
from tracker.admin_kit import ReadableInspectMixin
from tracker.models import Post

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


class OfferInspectView(ReadableInspectMixin, InspectView):
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
