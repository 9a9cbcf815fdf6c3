"""Entitlement estimates for real people: the one place that turns a staff member or a case into
calculator inputs.

`employment.rules` is pure arithmetic over plain values; this module reads them off the records
(salary and WTE from the person's assignment and post, band, date of birth, continuous NHS service
start, the pension return date for retire-and-return, and for a case its exit, proposed dismissal
and notice dates and the very-senior flag) so that `/my/`, the admin case screen and anything else
that estimates for a person all build the same inputs. It reads only what it is given or one query
for the person's assignments; it never writes.

Choices made here (also in docs/decisions.md):

- Pay is the assignment's `annual_salary` (what the person is paid) with its post's WTE as the
  fraction of full time, as the calculators expect. With several current assignments the case's
  post is used when it has a salaried assignment, otherwise the best-paid one.
- The exit date is the case's exit date, else its proposed dismissal date, else the notice end
  date, else the day asked about (today).
- Notice is the case's "notice given on" date when it falls within service up to the exit date.
  Pay in lieu of notice is not recorded on a case, so the caller says so (`pay_in_lieu`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from employment.rules.redundancy import Entitlements, estimate_entitlements
from tracker.models import Assignment

if TYPE_CHECKING:
    from employment.models import Case
    from tracker.models import StaffMember


class EstimateUnavailable(ValueError):
    """The record lacks something the estimate needs. The message says what to the person
    (`/my/`: "your record"); `reason(whose=...)` says it to someone else, such as HR."""

    def __init__(self, missing: Sequence[str]) -> None:
        self.missing = tuple(missing)
        super().__init__(self.reason())

    def reason(self, *, whose: str = "your") -> str:
        verb = "is" if len(self.missing) == 1 else "are"
        return f"the {' and '.join(self.missing)} {verb} missing from {whose} record"


@dataclass(frozen=True)
class EstimateInputs:
    """What the calculators are given for one person, and where each value came from."""

    salary: Decimal
    fte: Decimal
    band: str | None
    date_of_birth: dt.date
    service_start: dt.date
    exit_date: dt.date
    retire_and_return: dt.date | None
    very_senior: bool
    notice_given_on: dt.date | None
    pay_in_lieu: bool
    assignment_number: str

    def entitlements(self) -> Entitlements:
        """Every entitlement on these inputs (raises ValueError as `estimate_entitlements`)."""
        return estimate_entitlements(
            salary=self.salary,
            fte=self.fte,
            band=self.band,
            date_of_birth=self.date_of_birth,
            service_start=self.service_start,
            exit_date=self.exit_date,
            retire_and_return=self.retire_and_return,
            very_senior=self.very_senior,
            notice_given_on=self.notice_given_on,
            pay_in_lieu=self.pay_in_lieu,
        )


def current_assignments(person: StaffMember, *, on: dt.date) -> list[Assignment]:
    """The person's assignments not ended before `on`, with their posts (one query)."""
    return list(
        Assignment.objects.filter(staff_member=person)
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=on))
        .select_related("post")
    )


def _pay_assignment(
    assignments: Iterable[Assignment], *, post_id: int | None = None
) -> Assignment | None:
    salaried = [a for a in assignments if a.annual_salary]
    if not salaried:
        return None
    for assignment in salaried:
        if post_id is not None and assignment.post_id == post_id:
            return assignment
    return max(salaried, key=lambda a: a.annual_salary)


def inputs_for_staff_member(
    person: StaffMember,
    *,
    exit_on: dt.date,
    assignments: Sequence[Assignment] | None = None,
    case: Case | None = None,
    notice_given_on: dt.date | None = None,
    pay_in_lieu: bool = False,
) -> EstimateInputs:
    """Calculator inputs for `person` leaving on `exit_on`. `assignments` (with `post` loaded)
    saves the query when the caller already has them; `case` supplies the post to prefer and the
    very-senior flag. Raises EstimateUnavailable naming what is missing."""
    if assignments is None:
        assignments = current_assignments(person, on=exit_on)
    main = _pay_assignment(assignments, post_id=case.post_id if case is not None else None)
    missing = [
        what
        for what, value in (
            ("salary", main),
            ("date of birth", person.date_of_birth),
            ("NHS start date", person.nhs_service_start),
        )
        if not value
    ]
    if missing or main is None:
        raise EstimateUnavailable(missing)
    assert person.date_of_birth is not None and person.nhs_service_start is not None
    assert main.annual_salary is not None
    return EstimateInputs(
        salary=main.annual_salary,
        fte=main.post.wte,
        band=main.post.band or None,
        date_of_birth=person.date_of_birth,
        service_start=person.nhs_service_start,
        exit_date=exit_on,
        retire_and_return=person.pension_return_date,
        very_senior=bool(case is not None and case.is_very_senior),
        notice_given_on=notice_given_on,
        pay_in_lieu=pay_in_lieu,
        assignment_number=main.assignment_number,
    )


def estimate_for_staff_member(
    person: StaffMember,
    *,
    exit_on: dt.date,
    assignments: Sequence[Assignment] | None = None,
    case: Case | None = None,
) -> Entitlements:
    """Every entitlement for `person` if they left on `exit_on` (see `inputs_for_staff_member`).
    Raises EstimateUnavailable or ValueError with a sentence a person can act on."""
    return inputs_for_staff_member(
        person, exit_on=exit_on, assignments=assignments, case=case
    ).entitlements()


def case_exit_date(case: Case, *, today: dt.date | None = None) -> dt.date:
    """The date a case's estimate leaves on: exit, else proposed dismissal, else notice end,
    else `today`."""
    return (
        case.exit_on
        or case.proposed_dismissal_on
        or case.notice_ends_on
        or today
        or timezone.localdate()
    )


def inputs_for_case(
    case: Case,
    *,
    exit_on: dt.date | None = None,
    pay_in_lieu: bool = False,
    today: dt.date | None = None,
    assignments: Sequence[Assignment] | None = None,
) -> EstimateInputs:
    """Calculator inputs for the person on `case` (module docstring for the dates used)."""
    exit_date = exit_on or case_exit_date(case, today=today)
    notice = case.notice_starts_on
    if notice is not None and notice > exit_date:
        notice = None
    return inputs_for_staff_member(
        case.staff_member,
        exit_on=exit_date,
        assignments=assignments,
        case=case,
        notice_given_on=notice,
        pay_in_lieu=pay_in_lieu,
    )


def estimate_for_case(
    case: Case,
    *,
    exit_on: dt.date | None = None,
    pay_in_lieu: bool = False,
    today: dt.date | None = None,
    assignments: Sequence[Assignment] | None = None,
) -> Entitlements:
    """Every entitlement for the person on `case`, for the admin case screen.

    `exit_on` overrides the case's own dates; `pay_in_lieu` says the contract ends on the exit
    date with pay in lieu of notice (ERA s.145(5) then moves the statutory relevant date).
    Load `case` with `select_related("staff_member")` to keep this to one query. Raises
    EstimateUnavailable or ValueError with a sentence a person can act on.
    """
    return inputs_for_case(
        case, exit_on=exit_on, pay_in_lieu=pay_in_lieu, today=today, assignments=assignments
    ).entitlements()
