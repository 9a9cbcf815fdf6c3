"""What a signed-in member of staff may see about themselves, and nothing else."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from cms.models import GuaranteePage
from employment.estimates import EstimateUnavailable, estimate_for_staff_member
from employment.models import Case
from employment.rules.redundancy import Entitlements
from employment.rules.staff_text import StaffSection, as_staff_lines, with_staff_wording
from employment.selectors import Clock, case_clocks
from tracker.models import Assignment, PlannedChange, StaffMember


@dataclass
class OwnRecord:
    person: StaffMember
    assignments: list[Assignment]
    case: Case | None
    clocks: list[Clock]
    changes: list[PlannedChange]
    guarantees: list[GuaranteePage]
    estimate: Entitlements | None = None
    estimate_exit_on: dt.date | None = None
    estimate_problem: str = ""
    # The estimate in plain English for the person (employment.rules.staff_text).
    estimate_lines: tuple[StaffSection, ...] = ()
    notes: list[str] = field(default_factory=list)


def own_record(user, *, today: dt.date | None = None) -> OwnRecord | None:
    """The signed-in person's own record, or None when their account is not linked to one."""
    today = today or timezone.localdate()
    person = StaffMember.objects.filter(user=user).first() if user.is_authenticated else None
    if person is None:
        return None
    assignments = list(
        Assignment.objects.filter(staff_member=person)
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=today))
        .select_related("post", "post__organisation")
    )
    posts = [a.post for a in assignments]
    case = (
        Case.objects.filter(staff_member=person)
        .select_related("post", "employer", "programme")
        .order_by("-pk")
        .first()
    )
    changes = list(
        PlannedChange.objects.filter(post__in=posts)
        .exclude(status=PlannedChange.Status.CANCELLED)
        .select_related("programme", "destination_organisation", "post")
    )
    programmes = {c.programme_id for c in changes}
    if case is not None and case.programme_id:
        programmes.add(case.programme_id)
    board = any(p.is_board_level for p in posts)
    guarantees = [
        g
        for g in GuaranteePage.objects.live().public().filter(programmes__in=programmes).distinct()
        if g.applies_to_board_level(board)
    ]
    record = OwnRecord(
        person=person,
        assignments=assignments,
        case=case,
        clocks=case_clocks(case, today=today) if case is not None else [],
        changes=changes,
        guarantees=guarantees,
    )
    _add_estimate(record, today)
    return record


def _add_estimate(record: OwnRecord, today: dt.date) -> None:
    """An entitlement estimate on the person's own figures, leaving on the case's exit or
    proposed date if there is one, otherwise today."""
    person = record.person
    case = record.case
    exit_on = (case and (case.exit_on or case.proposed_dismissal_on)) or today
    try:
        entitlements = estimate_for_staff_member(
            person, exit_on=exit_on, assignments=record.assignments, case=case
        )
        # Same figures; the breakdowns the page shows are the plain-English staff wording.
        record.estimate = with_staff_wording(entitlements)
        record.estimate_lines = as_staff_lines(entitlements)
        record.estimate_exit_on = exit_on
    except EstimateUnavailable as exc:
        record.estimate_problem = (
            f"We cannot estimate your entitlements because {exc}: ask HR to check it."
        )
    except ValueError as exc:
        record.estimate_problem = f"We cannot estimate your entitlements: {exc}"
