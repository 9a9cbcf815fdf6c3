"""Alerts raised for HR and union representatives, and each recipient's copy."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from employment.models.cases import Case
from employment.models.consultation import CollectiveConsultation


class Alert(models.Model):
    """Something HR and union representatives must hear about: a case entering a status that can
    end employment, a clock approaching or passing, a collective-consultation threshold crossed.

    Raised only by `employment.alerts`, once: `dedupe_key` names the event (for example
    ``case:123:entered:at_risk:2026-05-01``) and is unique, so a second sweep or a repeated task
    finds the row and raises nothing. `subject` and `body` here are the anonymised wording (safe
    for anyone); what each person sees is rendered for their audience on `AlertRecipient`.
    Operational rather than a record of the establishment, so it keeps no audit history.
    """

    class Kind(models.TextChoices):
        CASE_STATUS = "case_status", "Case status"
        CLOCK_APPROACHING = "clock_approaching", "Date approaching"
        CLOCK_PASSED = "clock_passed", "Date reached"
        CONSULTATION_THRESHOLD = "consultation_threshold", "Collective consultation threshold"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    dedupe_key = models.CharField(max_length=200)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    organisation = models.ForeignKey(
        "tracker.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
        help_text="The employer whose HR managers and union representatives are told (none for "
        "a guarantee page's review date, which goes to the page's editors).",
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    consultation = models.ForeignKey(
        CollectiveConsultation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The guarantee page whose review date this alert is about.",
    )
    action = models.TextField(
        blank=True, help_text="What the people told should do next (the same for everyone)."
    )
    due_on = models.DateField(null=True, blank=True, help_text="By when it should be done.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key"], name="alert_dedupe_key_unique"),
        ]

    def __str__(self) -> str:
        return self.subject


class AlertRecipient(models.Model):
    """One person's copy of an alert: their inbox row and their email.

    `named` says whether this person may see who the alert is about (HR for the organisation, or
    the union representative of a member who asked for representation); the subject and body are
    rendered for that audience and stored here, so an anonymised row never holds the name.
    Delivery claims rows in a batch by writing a fresh `email_claim` where there is none, sends,
    then sets `emailed_at` and clears the claim; a failed send clears the claim so the next sweep
    retries, and a claimed row is never claimed again, so two sweeps never both send it.
    """

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="recipients")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="alert_rows"
    )
    named = models.BooleanField(default=False)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_claim = models.UUIDField(null=True, blank=True, editable=False)
    email_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    email_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "user"], name="alert_recipient_one_per_user"),
        ]
        indexes = [
            models.Index(fields=["user", "acknowledged_at"], name="alert_recipient_inbox_idx"),
            models.Index(fields=["emailed_at"], name="alert_recipient_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} (to {self.user})"
