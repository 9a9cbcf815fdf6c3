"""Reads of one case that several screens share: its clocks and its status timeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from employment.consultation import consultation_figures
from employment.models import Case, CollectiveConsultation


@dataclass(frozen=True)
class Clock:
    name: str
    on: dt.date
    days_remaining: int  # negative once the day has passed
    note: str = ""

    @property
    def passed(self) -> bool:
        return self.days_remaining < 0

    @property
    def days_ago(self) -> int:
        return -self.days_remaining


def case_clocks(case: Case, *, today: dt.date | None = None) -> list[Clock]:
    """The case's dates, each with the days remaining from `today` (today by default)."""
    today = today or timezone.localdate()
    entries: list[tuple[str, dt.date | None, str]] = [("At-risk date", case.at_risk_on, "")]
    consultation_end, note = case.consultation_ends_on, ""
    if consultation_end is None:
        consultation = CollectiveConsultation.objects.filter(
            employer_id=case.employer_id, establishment=case.establishment
        ).first()
        if consultation is not None:
            figures = consultation_figures(consultation)
            consultation_end = figures.minimum_ends_on
            note = f"collective consultation minimum ({figures.minimum_days} days)"
    entries.append(("Consultation minimum end", consultation_end, note))
    if case.trial_starts_on:
        extended = case.trial_extended_to is not None
        entries.append(
            (
                "Trial end",
                case.trial_last_day,
                "extended by written agreement" if extended else "4 calendar weeks",
            )
        )
    entries += [
        ("Notice given", case.notice_starts_on, ""),
        ("Notice end", case.notice_ends_on, ""),
        ("Exit date", case.exit_on, ""),
        ("Clawback end", case.clawback_ends_on, "repayment if re-employed in the NHS before"),
    ]
    return [
        Clock(name=name, on=on, days_remaining=(on - today).days, note=note)
        for name, on, note in entries
        if on is not None
    ]


@dataclass(frozen=True)
class StatusChange:
    when: dt.datetime
    effective_on: dt.date
    who: str
    why: str
    from_status: str | None
    to_status: str

    @property
    def from_label(self) -> str:
        return Case.Status(self.from_status).label if self.from_status else "(opened)"

    @property
    def to_label(self) -> str:
        return Case.Status(self.to_status).label


def case_status_timeline(case: Case) -> list[StatusChange]:
    """Every status change of a case from its history, oldest first: who, when, why."""
    rows = case.history.select_related("history_user").order_by("history_date", "history_id")
    changes, previous = [], None
    for row in rows:
        if row.status != previous:
            user = row.history_user
            changes.append(
                StatusChange(
                    when=row.history_date,
                    effective_on=row.status_changed_on,
                    who=(user.get_full_name() or user.get_username()) if user else "unknown",
                    why=row.history_change_reason or "",
                    from_status=previous,
                    to_status=row.status,
                )
            )
            previous = row.status
    return changes
