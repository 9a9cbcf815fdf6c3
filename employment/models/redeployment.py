"""Offers of suitable alternative posts from the redeployment register, and their trials."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from employment.models.cases import Case


class RedeploymentOffer(models.Model):
    """An offer of a vacant post to a person on the redeployment register, and what came of it:
    accepted (which starts the statutory trial), refused, withdrawn; then the trial's outcome."""

    class Status(models.TextChoices):
        OFFERED = "offered", "Offered"
        ACCEPTED = "accepted", "Accepted"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn by the employer"

    class TrialOutcome(models.TextChoices):
        NONE = "", "Not yet known"
        SUCCESSFUL = "successful", "Successful (redeployed)"
        UNSUCCESSFUL = "unsuccessful", "Unsuccessful"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="redeployment_offers")
    post = models.ForeignKey(
        "tracker.Post", on_delete=models.PROTECT, related_name="redeployment_offers"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OFFERED)
    offered_on = models.DateField()
    responded_on = models.DateField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True)
    trial_outcome = models.CharField(
        max_length=12, choices=TrialOutcome.choices, blank=True, default=""
    )
    trial_outcome_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-offered_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "post"],
                condition=Q(status__in=["offered", "accepted"]),
                name="offer_one_live_per_case_and_post",
            ),
            models.UniqueConstraint(
                fields=["post"],
                condition=Q(status="accepted") & ~Q(trial_outcome="unsuccessful"),
                name="offer_one_acceptance_per_post",
            ),
            models.CheckConstraint(
                condition=Q(status="offered") | Q(responded_on__isnull=False),
                name="offer_response_dated",
            ),
            models.CheckConstraint(
                condition=Q(trial_outcome="")
                | Q(status="accepted", trial_outcome_on__isnull=False),
                name="offer_trial_outcome_only_when_accepted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post} offered to case {self.case_id} ({self.get_status_display()})"
