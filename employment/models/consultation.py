"""Collective consultation per legal employer and establishment, its disclosures and meetings."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from tracker.models import Organisation


class CollectiveConsultation(models.Model):
    """Collective consultation (TULRCA 1992 s.188, s.193) for one legal employer at one
    establishment.

    The duty falls on each legal employer separately, so a consultation never spans employers and
    its counts come only from cases with the same employer and establishment (see
    `employment.consultation`). The establishment is a named site or unit, or blank for the
    employer as a whole, matching `Case.establishment`.
    """

    employer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="collective_consultations",
        limit_choices_to={"is_legal_employer": True},
    )
    establishment = models.CharField(
        max_length=200, blank=True, help_text="Blank means the employer as a whole."
    )
    programme = models.ForeignKey(
        "tracker.Programme",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="collective_consultations",
    )
    starts_on = models.DateField(
        "consultation started", null=True, blank=True,
        help_text="The day consultation with the representatives began.",
    )
    hr1_submitted_on = models.DateField("HR1 submitted", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["employer__code", "establishment"]
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "establishment"],
                name="consultation_one_per_employer_establishment",
            ),
        ]

    def __str__(self) -> str:
        where = self.establishment or "whole organisation"
        return f"{self.employer.name} ({self.employer.code}), {where}"


class ConsultationDisclosure(models.Model):
    """One of the written disclosures to representatives required by TULRCA s.188(4)."""

    class Item(models.TextChoices):
        REASONS = "reasons", "Reasons for the proposals"
        NUMBERS_AND_DESCRIPTIONS = (
            "numbers_and_descriptions",
            "Numbers and descriptions of employees proposed for dismissal",
        )
        TOTALS_BY_DESCRIPTION = (
            "totals_by_description",
            "Total number of employees of each description at the establishment",
        )
        SELECTION_METHOD = "selection_method", "Proposed method of selection"
        METHOD_AND_TIMING = "method_and_timing", "Proposed method and timing of dismissals"
        PAY_CALCULATION = "pay_calculation", "Method of calculating pay above statutory"
        AGENCY_WORKERS = "agency_workers", "Agency workers"

    consultation = models.ForeignKey(
        CollectiveConsultation, on_delete=models.PROTECT, related_name="disclosures"
    )
    item = models.CharField(max_length=30, choices=Item.choices)
    content = models.TextField()
    disclosed_on = models.DateField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["consultation", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "item"], name="disclosure_one_per_item"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_item_display()} ({self.disclosed_on:%d %b %Y})"


class ConsultationMeeting(models.Model):
    """The meetings log: when, who was there, what was disclosed, what the representatives said."""

    consultation = models.ForeignKey(
        CollectiveConsultation, on_delete=models.PROTECT, related_name="meetings"
    )
    held_on = models.DateField()
    attendees = models.TextField(help_text="Names and roles of everyone present.")
    disclosed = models.TextField(blank=True, help_text="What was disclosed at the meeting.")
    responses = models.TextField(blank=True, help_text="The representatives' responses.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["consultation", "held_on", "pk"]

    def __str__(self) -> str:
        return f"Meeting on {self.held_on:%d %b %Y}"
