"""Collective consultation screens: the record per employer and establishment, its figures
and clocks, disclosures and the meetings log."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic import CreateView, EditView, IndexView, InspectView

from employment import consultation as cc
from employment import selectors, services
from employment.admin_views.common import (
    _employers_for,
    consultation_policy,
)
from employment.models import (
    CollectiveConsultation,
    ConsultationDisclosure,
)
from tracker.admin_kit import ReadableInspectMixin, ReasonFormMixin, ServiceFormMixin


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


class ConsultationInspectView(ReadableInspectMixin, InspectView):
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
