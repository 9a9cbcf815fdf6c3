"""What can raise an alert, and what it says: the events, their keys, their words.

An `Event` is one thing to tell people about, named by a dedupe key that is the same however
many times a sweep finds it. Events are built from rows already read in bulk (by `sweep` and
`raising`); turning them into `Alert` rows, and choosing who receives each, is `raising`'s and
`recipients`'s job. Nothing here queries the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.conf import settings

from employment.models import Alert, Case

LEAD_DAYS = 7
PASSED_LOOKBACK_DAYS = 30
GUARANTEE_REVIEW_LEAD_DAYS = 30

S = Case.Status
#: The statuses whose entry raises an alert, and how the alert says it.
STATUS_PHRASES: dict[str, str] = {
    S.AT_RISK: "has been put at risk",
    S.VR_REQUESTED: "has asked for voluntary redundancy",
    S.VR_APPROVED: "has had voluntary redundancy approved",
    S.MARS_REQUESTED: "has asked for a mutually agreed resignation (MARS)",
    S.MARS_APPROVED: "has had a mutually agreed resignation (MARS) approved",
    S.NOTICE_ISSUED: "has been given notice of compulsory redundancy",
}
#: What HR and the representative should do next, by status; the deadline is the case's next
#: clock where there is one.
STATUS_ACTIONS: dict[str, str] = {
    S.AT_RISK: "Meet the member of staff, explain the process and offer suitable alternative "
    "posts; add them to the redeployment register.",
    S.VR_REQUESTED: "Decide on the request and confirm the estimate of the payment in writing.",
    S.VR_APPROVED: "Agree the exit date and send the settlement agreement for signature.",
    S.MARS_REQUESTED: "Decide on the request and confirm the estimate of the payment in writing.",
    S.MARS_APPROVED: "Agree the leaving date and confirm the payment in writing.",
    S.NOTICE_ISSUED: "Keep looking for suitable alternative employment during the notice period "
    "and confirm the redundancy payment in writing.",
}
del S

#: Case clocks: key -> (label, what to do).
CASE_CLOCKS: dict[str, tuple[str, str]] = {
    "consultation_end": (
        "Consultation period ends",
        "Complete individual consultation and record its outcome on the case.",
    ),
    "trial_end": (
        "Redeployment trial ends",
        "Meet the member of staff, decide whether the trial succeeded and record the outcome.",
    ),
    "notice_end": (
        "Notice period ends",
        "Confirm the leaving date, the final pay and the redundancy payment.",
    ),
    "clawback_end": (
        "Clawback period ends",
        "Check whether the person has rejoined an NHS employer; if not, close the clawback.",
    ),
}
CONSULTATION_MINIMUM = (
    "Collective consultation minimum period ends",
    "Check that consultation has been meaningful before any dismissal takes effect.",
)
HR1_DUE = (
    "HR1 notification due",
    "Send form HR1 to the Redundancy Payments Service and copy it to the representatives, then "
    "record the date on the consultation.",
)
GUARANTEE_REVIEW = (
    "Guarantee page review due",
    "Review the page with the staff side, update it if anything has changed and set its next "
    "review date.",
)
THRESHOLD_ACTION = (
    "Open or update the collective consultation for this establishment, start consultation with "
    "the representatives and send the HR1 by the date given."
)


def lead_days() -> int:
    return int(getattr(settings, "EMPLOYMENT_ALERT_LEAD_DAYS", LEAD_DAYS))


def passed_lookback_days() -> int:
    return int(getattr(settings, "EMPLOYMENT_ALERT_PASSED_LOOKBACK_DAYS", PASSED_LOOKBACK_DAYS))


def guarantee_review_lead_days() -> int:
    return int(
        getattr(settings, "EMPLOYMENT_GUARANTEE_REVIEW_LEAD_DAYS", GUARANTEE_REVIEW_LEAD_DAYS)
    )


def day(on: dt.date) -> str:
    return f"{on.day} {on:%B %Y}"


def establishment_key(establishment: str) -> str:
    return hashlib.sha256(establishment.encode()).hexdigest()[:16]


def clock_words(label: str, on: dt.date, today: dt.date) -> str:
    """A clock's date as seen on `today`: 'ends in 3 days, on ...', 'ends today', 'ended on'."""
    days = (on - today).days
    if days > 0:
        when = "tomorrow" if days == 1 else f"in {days} days"
        return f"{label} {when}, on {day(on)}"
    if days == 0:
        return f"{label} today, {day(on)}"
    return f"{label.replace('ends', 'ended').replace('due', 'was due')} on {day(on)}"


def clock_kind(phase: str) -> str:
    return Alert.Kind.CLOCK_APPROACHING if phase == "approaching" else Alert.Kind.CLOCK_PASSED


@dataclass
class Event:
    """One thing to tell people about, before it becomes an `Alert`.

    `subject` and `body` may hold ``{who}``, replaced per audience by the case's person: the
    name for those entitled to it, an anonymised description for everyone else. Who is told
    is `organisation_ids` (HR and union representatives covering them) or, for a guarantee
    page, its editors (`page_owner_id` and the CMS editors).
    """

    kind: str
    dedupe_key: str
    subject: str
    body: str
    action: str = ""
    due_on: dt.date | None = None
    organisation_id: int | None = None
    organisation_ids: frozenset[int] = field(default_factory=frozenset)
    case: Case | None = None
    consultation_id: int | None = None
    page_id: int | None = None
    page_owner_id: int | None = None
    #: The union a member asked to represent them (a `tracker.unions.Union` code), if any:
    #: only representatives of that union are named recipients.
    representing_union: str | None = None


def case_organisation_ids(case: Case) -> frozenset[int]:
    ids = {case.employer_id}
    if case.post_id:
        ids.add(case.post.organisation_id)
    return frozenset(ids)


def representing_union(case: Case) -> str | None:
    return (case.union_name or None) if case.requested_representation else None


def case_status_key(case_id: int, status: str, on: dt.date) -> str:
    return f"case:{case_id}:entered:{status}:{on.isoformat()}"


def case_status_event(case: Case, status: str, on: dt.date, *, due_on=None) -> Event:
    phrase = STATUS_PHRASES[status]
    return Event(
        kind=Alert.Kind.CASE_STATUS,
        dedupe_key=case_status_key(case.pk, status, on),
        subject="{who} " + phrase,
        body="{who} " + f"{phrase} with effect from {day(on)}.",
        action=STATUS_ACTIONS[status],
        due_on=due_on,
        organisation_id=case.employer_id,
        organisation_ids=case_organisation_ids(case),
        case=case,
        representing_union=representing_union(case),
    )


def case_next_date(case: Case, on: dt.date) -> dt.date | None:
    """The case's next legal date on or after `on`, as the deadline of a status alert."""
    dates = [
        d
        for d in (
            case.consultation_ends_on,
            case.trial_extended_to or case.trial_ends_on,
            case.notice_ends_on,
            case.exit_on,
        )
        if d is not None and d >= on
    ]
    return min(dates, default=None)


def case_clock_key(case_id: int, clock: str, phase: str, on: dt.date) -> str:
    return f"clock:case:{case_id}:{clock}:{phase}:{on.isoformat()}"


def case_clock_event(case: Case, clock: str, on: dt.date, phase: str, today: dt.date) -> Event:
    label, action = CASE_CLOCKS[clock]
    words = clock_words(label, on, today)
    return Event(
        kind=clock_kind(phase),
        dedupe_key=case_clock_key(case.pk, clock, phase, on),
        subject=words + ": {who}",
        body=words + ": {who}.",
        action=action,
        due_on=on,
        organisation_id=case.employer_id,
        organisation_ids=case_organisation_ids(case),
        case=case,
        representing_union=representing_union(case),
    )
