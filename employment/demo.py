"""The employment demo data, dated from the day it is loaded so the clocks are live.

On any day `seed_demo` runs, the current programme (`tracker.demo.seed_current_programme`) has:
people put at risk five weeks ago; one slotted in, one in a ring-fenced competition; trials that
end this week; volunteers for VR (some approved, leaving in ten days) and MARS; compulsory notice
running; a volunteer who left six months ago whose clawback period ends in about ten days; the
demo member of staff covered by the guarantee and represented by UNISON; and the ICB's collective
consultation, begun twenty days ago, whose 30-day minimum period is still running and whose HR1
went in the next day. The 2022 board-level case is history (closed in 2022).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from employment.models import Case
from employment.services import (
    case_open,
    case_representation_record,
    case_transition,
    case_update,
    consultation_open,
    consultation_update,
)
from tracker.demo import DemoEstablishment
from tracker.models import Assignment, Programme, User
from tracker.unions import Union

REASON = "Demo data (seed_demo)"
S = Case.Status


@dataclass(frozen=True)
class Step:
    status: str
    days_before_today: int


# Each journey: the opening status and day, then each move and its day (days before today).
JOURNEYS: list[list[Step]] = [
    [Step(S.AT_RISK, 35)],
    [Step(S.AT_RISK, 35)],
    [Step(S.AT_RISK, 35)],
    [Step(S.AT_RISK, 35), Step(S.SLOTTED_IN, 14)],
    [Step(S.AT_RISK, 35), Step(S.RING_FENCED, 14)],
    # Four calendar weeks beginning 24 days ago end three days from now.
    [Step(S.AT_RISK, 35), Step(S.REDEPLOYMENT_TRIAL, 24)],
    [Step(S.AT_RISK, 35), Step(S.REDEPLOYMENT_TRIAL, 26)],
    [Step(S.VR_REQUESTED, 30)],
    [Step(S.VR_REQUESTED, 30), Step(S.VR_APPROVED, 7)],
    [Step(S.MARS_REQUESTED, 10)],
    [Step(S.AT_RISK, 35), Step(S.NOTICE_ISSUED, 5)],
    [Step(S.PROTECTED, 35)],
]
# A volunteer who left about six months ago: the clawback (6 months) ends in about ten days.
LEFT_WITH_CLAWBACK = [
    Step(S.AT_RISK, 250),
    Step(S.VR_REQUESTED, 240),
    Step(S.VR_APPROVED, 200),
    Step(S.LEFT, 172),
]
COPIES = 3  # 36 live cases, over 20 proposed dismissals: the 30-day consultation minimum applies


def _journey(
    assignment: Assignment,
    steps: list[Step],
    *,
    employer,
    programme: Programme,
    hr: User,
    today: dt.date,
    proposed_dismissal_on: dt.date | None,
) -> Case:
    first, *rest = steps
    on = today - dt.timedelta(days=first.days_before_today)
    case = case_open(
        staff_member=assignment.staff_member,
        employer=employer,
        post=assignment.post,
        programme=programme,
        status=first.status,
        on=on,
        acting_user=hr,
        reason="Post affected by the merged ICB's structure (demo)",
        proposed_dismissal_on=None if first.status == S.PROTECTED else proposed_dismissal_on,
        consultation_ends_on=(today + dt.timedelta(days=10) if first.status == S.AT_RISK else None),
    )
    for step in rest:
        case_transition(
            case=case,
            to=step.status,
            on=today - dt.timedelta(days=step.days_before_today),
            acting_user=hr,
            reason=f"Demo: moved to {S(step.status).label.lower()}",
        )
    return case


def seed_cases(
    establishment: DemoEstablishment,
    current: Programme,
    users: dict[str, User],
    *,
    today: dt.date,
) -> None:
    hr = users["hr"]
    icb = establishment.icb
    halton = establishment.ccgs[0]
    proposed = today + dt.timedelta(days=75)

    # Halton's people moved into the ICB in 2022; the merged ICB's structure affects them now.
    holders = list(
        Assignment.objects.filter(
            post__organisation=icb, end_on__isnull=True, post__is_board_level=False
        )
        .select_related("staff_member", "post")
        .order_by("assignment_number")
    )
    journeys = JOURNEYS * COPIES + [LEFT_WITH_CLAWBACK]
    cases = [
        _journey(
            assignment,
            steps,
            employer=icb,
            programme=current,
            hr=hr,
            today=today,
            proposed_dismissal_on=proposed,
        )
        for assignment, steps in zip(holders, journeys, strict=False)
    ]
    for case in cases:
        if case.status == S.VR_APPROVED:
            case_update(
                case=case,
                exit_on=today + dt.timedelta(days=10),
                acting_user=hr,
                reason="Settlement agreement signed; leaving date agreed (demo)",
            )

    # 2022: the Accountable Officer's board-level role was not covered; it ended in redundancy.
    board = Assignment.objects.filter(post__organisation=halton, post__is_board_level=True)
    for assignment in board.select_related("staff_member", "post"):
        case = case_open(
            staff_member=assignment.staff_member,
            employer=halton,
            post=assignment.post,
            programme=establishment.programme,
            on=dt.date(2022, 4, 20),
            acting_user=hr,
            reason="Board-level role not covered by the employment commitment",
            is_very_senior=True,
        )
        case_transition(
            case=case,
            to=S.NOTICE_ISSUED,
            on=dt.date(2022, 5, 3),
            acting_user=hr,
            reason="No designate role in the ICB: notice of redundancy",
        )
        case_transition(
            case=case,
            to=S.LEFT,
            on=case.notice_ends_on,
            acting_user=hr,
            reason="Notice ended",
        )

    # The demo member of staff: covered by the guarantee, represented by UNISON.
    me = users["staff"].staff_member
    mine = case_open(
        staff_member=me,
        employer=me.assignments.get().post.organisation,
        post=me.assignments.get().post,
        programme=current,
        status=S.PROTECTED,
        on=today - dt.timedelta(days=35),
        acting_user=hr,
        reason="Below board level: covered by the employment guarantee",
    )
    case_representation_record(
        case=mine,
        requested=True,
        union_name=Union.UNISON,
        acting_user=hr,
        reason="Member asked for representation",
    )

    consultation = consultation_open(
        employer=icb,
        programme=current,
        starts_on=today - dt.timedelta(days=20),
        acting_user=hr,
        reason="Proposed redundancies in the merged ICB's structure (demo)",
    )
    consultation_update(
        consultation=consultation,
        hr1_submitted_on=today - dt.timedelta(days=19),
        acting_user=hr,
        reason="HR1 sent to the Insolvency Service, copied to the representatives (demo)",
    )
