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


@dataclass(frozen=True)
class DecidedChange:
    """A planned change to the person's post that has been decided and announced, with the
    sentence staff read about it (never its internal reason or its workflow status)."""

    change: PlannedChange
    sentence: str


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def decided_change_sentence(change: PlannedChange, *, today: dt.date) -> str:
    """What the change means for the person, in plain English."""
    A = PlannedChange.Action
    done = change.status == PlannedChange.Status.APPLIED or change.effective_on <= today
    on = _date(change.effective_on)
    to = change.destination_organisation.name if change.destination_organisation else ""
    if change.action == A.TRANSFER_UNCHANGED:
        moves = "moved" if done else "moves"
        where = f" to {to}" if to else ""
        return (
            f"Your post {moves}{where} on {on}, on your current terms and conditions, "
            "and your continuous NHS service carries on."
        )
    if change.action == A.TRANSFER_CHANGED:
        moves = "moved" if done else "moves"
        where = f" to {to}" if to else ""
        return (
            f"Your post {moves}{where} on {on}, with changes to the role. Your continuous "
            "NHS service carries on. Your HR contact will talk to you about what changes."
        )
    if change.action == A.CLOSED:
        closes = "closed" if done else "is to close"
        return (
            f"Your post {closes} on {on}. Your HR contact will talk to you about what "
            "this means for you and the options open to you."
        )
    if change.action == A.NEW:
        return f"Your post is a new post in the new structure, from {on}."
    return "Your post is not affected by this change programme."


def decided_changes(posts, *, today: dt.date) -> list[DecidedChange]:
    """Planned changes to these posts that staff may see: approved or applied, in a programme
    announced to staff on or before today. Drafts, cancelled changes and anything in a
    programme not yet announced are never shown."""
    changes = (
        PlannedChange.objects.filter(
            post__in=posts,
            status__in=[PlannedChange.Status.APPROVED, PlannedChange.Status.APPLIED],
            programme__announced_on__lte=today,
        )
        .select_related("programme", "destination_organisation")
        .order_by("effective_on", "pk")
    )
    return [
        DecidedChange(change=c, sentence=decided_change_sentence(c, today=today)) for c in changes
    ]


@dataclass
class OwnRecord:
    person: StaffMember
    assignments: list[Assignment]
    case: Case | None
    clocks: list[Clock]
    changes: list[DecidedChange]
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
    changes = decided_changes(posts, today=today)
    programmes = {c.change.programme_id for c in changes}
    if case is not None and case.programme_id and _announced(case.programme, today):
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


def _announced(programme, today: dt.date) -> bool:
    return programme.announced_on is not None and programme.announced_on <= today


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
