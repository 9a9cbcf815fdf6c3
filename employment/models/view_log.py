"""The append-only log of named-case views by union representatives and auditors."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from employment.models.cases import Case


class CaseViewLog(models.Model):
    """One screen view of named cases by a union representative or an auditor: who, in which
    role, which screen, when, and every case the screen showed (a list page logs the cases on
    that page). Written by `employment.selectors.access.log_case_views` in two bulk inserts
    however many cases were shown; append-only, never edited, so it keeps no history of its own.
    Auditors read it in the admin (a read-only list)."""

    class Screen(models.TextChoices):
        CASE_LIST = "case_list", "Case list"
        CASE_INSPECT = "case_inspect", "Case record"
        REGISTER = "register", "Redeployment register"
        REGISTER_MATCHES = "register_matches", "Matching vacancies for a person"
        OFFER_LIST = "offer_list", "Redeployment offers"
        OFFER_INSPECT = "offer_inspect", "Redeployment offer"
        EXPORT = "export", "Export (at-risk list or case list)"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_views"
    )
    role = models.CharField(max_length=40)
    screen = models.CharField(max_length=40, choices=Screen.choices)
    path = models.CharField(max_length=500, blank=True, help_text="The address requested.")
    viewed_at = models.DateTimeField(auto_now_add=True)
    cases = models.ManyToManyField(Case, related_name="view_logs", blank=True)

    class Meta:
        ordering = ["-viewed_at", "-pk"]
        verbose_name = "case view"
        indexes = [models.Index(fields=["viewed_at"], name="case_view_viewed_at_idx")]

    def __str__(self) -> str:
        return f"{self.user} viewed {self.get_screen_display()} at {self.viewed_at:%Y-%m-%d %H:%M}"
