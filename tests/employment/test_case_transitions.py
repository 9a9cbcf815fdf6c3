"""The case status machine: every allowed move succeeds, every other one is refused by name."""

import datetime as dt
import itertools

import pytest

from employment import services
from employment.models import CASE_STATUS_VALUES, CASE_TERMINAL_VALUES, Case
from employment.services import CaseConflict, CaseError, TransitionRefused
from tests.employment.conftest import case_in
from tests.factories.tracker import OrganisationFactory, PostFactory, StaffMemberFactory
from tracker.audit import MissingAuditContext

S = Case.Status
ALL = list(S.values)
ALLOWED = [(a, b) for a in ALL for b in Case.TRANSITIONS[a]]
REFUSED = [(a, b) for a, b in itertools.product(ALL, ALL) if b not in Case.TRANSITIONS[a]]


def test_the_table_covers_every_status_and_only_statuses():
    assert set(Case.TRANSITIONS) == set(ALL)
    for moves in Case.TRANSITIONS.values():
        assert set(moves) <= set(ALL)
        assert len(set(moves)) == len(moves)


def test_the_constraint_lists_match_the_status_machine():
    assert set(CASE_STATUS_VALUES) == set(ALL)
    assert set(CASE_TERMINAL_VALUES) == set(Case.TERMINAL_STATUSES)
    assert set(Case.TERMINAL_STATUSES) == {S.LEFT, S.RETIRED, S.REDEPLOYED, S.WITHDRAWN}


def test_every_status_is_reachable_from_an_opening_status():
    reached = set(Case.OPENING_STATUSES)
    frontier = list(reached)
    while frontier:
        for nxt in Case.TRANSITIONS[frontier.pop()]:
            if nxt not in reached:
                reached.add(nxt)
                frontier.append(nxt)
    assert reached == set(ALL)


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "to"), ALLOWED, ids=[f"{a}->{b}" for a, b in ALLOWED])
def test_every_allowed_transition_succeeds_with_one_history_row(current, to, hr_user, on):
    case = case_in(current)
    before = case.history.count()

    services.case_transition(
        case=case, to=to, acting_user=hr_user, reason=f"Move to {to}", on=on
    )

    case.refresh_from_db()
    assert case.status == to
    assert case.status_changed_on == on
    assert case.history.count() == before + 1
    latest = case.history.latest()
    assert latest.history_user == hr_user
    assert latest.history_change_reason == f"Move to {to}"
    assert latest.status == to


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "to"), REFUSED, ids=[f"{a}->{b}" for a, b in REFUSED])
def test_every_other_transition_is_refused_naming_the_allowed_ones(current, to, hr_user, on):
    case = case_in(current)
    before = case.history.count()

    with pytest.raises(TransitionRefused) as refused:
        services.case_transition(case=case, to=to, acting_user=hr_user, reason="Try", on=on)

    message = refused.value.messages[0]
    assert refused.value.allowed == Case.TRANSITIONS[current]
    for allowed in Case.TRANSITIONS[current]:
        assert f"({allowed})" in message
    if not Case.TRANSITIONS[current]:
        assert "final status" in message
    case.refresh_from_db()
    assert case.status == current
    assert case.history.count() == before


def test_cross_product_is_complete():
    assert len(ALLOWED) + len(REFUSED) == len(ALL) ** 2 == 196


@pytest.mark.django_db
def test_refusal_message_reads_well(hr_user, on):
    case = case_in(S.VR_REQUESTED)
    with pytest.raises(TransitionRefused) as refused:
        services.case_transition(
            case=case, to=S.NOTICE_ISSUED, acting_user=hr_user, reason="x", on=on
        )
    assert refused.value.messages[0] == (
        "A case cannot move from Voluntary redundancy requested to Notice of redundancy issued. "
        "Allowed from Voluntary redundancy requested: Voluntary redundancy approved "
        "(vr_approved), At risk (at_risk), Protected (employment guarantee applies) "
        "(protected), Withdrawn (no longer affected) (withdrawn)."
    )


@pytest.mark.django_db
def test_an_unknown_status_is_refused(hr_user, on):
    case = case_in(S.AT_RISK)
    with pytest.raises(CaseError, match="not a case status"):
        services.case_transition(case=case, to="sacked", acting_user=hr_user, reason="x", on=on)


@pytest.mark.django_db
@pytest.mark.parametrize(("user", "reason"), [(None, "A reason"), ("hr", "   ")])
def test_a_transition_needs_who_and_why(user, reason, hr_user, on):
    case = case_in(S.AT_RISK)
    with pytest.raises(MissingAuditContext):
        services.case_transition(
            case=case,
            to=S.RING_FENCED,
            acting_user=hr_user if user else None,
            reason=reason,
            on=on,
        )
    case.refresh_from_db()
    assert case.status == S.AT_RISK


@pytest.mark.django_db
def test_a_stale_copy_gets_a_conflict_naming_where_the_case_went(hr_user, other_hr_user, on):
    case = case_in(S.AT_RISK)
    stale = Case.objects.get(pk=case.pk)
    services.case_transition(
        case=case, to=S.VR_REQUESTED, acting_user=hr_user, reason="Applied for VR", on=on
    )

    with pytest.raises(CaseConflict) as conflict:
        services.case_transition(
            case=stale, to=S.RING_FENCED, acting_user=other_hr_user, reason="Ring-fence", on=on
        )

    assert conflict.value.actual == S.VR_REQUESTED
    assert "Voluntary redundancy requested (vr_requested)" in conflict.value.messages[0]
    assert Case.objects.get(pk=case.pk).status == S.VR_REQUESTED
    assert case.history.filter(status=S.RING_FENCED).count() == 0


@pytest.mark.django_db
def test_open_sets_the_at_risk_date_and_records_who_and_why(employer, hr_user, on):
    person = StaffMemberFactory()
    post = PostFactory(organisation=employer, band="6")

    case = services.case_open(
        staff_member=person, employer=employer, post=post, acting_user=hr_user,
        reason="Post closes in the merger", on=on,
    )

    assert case.status == S.AT_RISK
    assert case.at_risk_on == on
    row = case.history.get()
    assert (row.history_user, row.history_change_reason) == (hr_user, "Post closes in the merger")


@pytest.mark.django_db
def test_open_refuses_a_status_that_is_not_a_start(employer, hr_user, on):
    with pytest.raises(CaseError, match="open it as one of"):
        services.case_open(
            staff_member=StaffMemberFactory(), employer=employer, acting_user=hr_user,
            reason="x", on=on, status=S.NOTICE_ISSUED,
        )


@pytest.mark.django_db
def test_open_refuses_an_organisation_that_is_not_a_legal_employer(hr_user, on):
    host = OrganisationFactory(is_legal_employer=False)
    with pytest.raises(CaseError, match="not a legal employer"):
        services.case_open(
            staff_member=StaffMemberFactory(), employer=host, acting_user=hr_user,
            reason="x", on=on,
        )


@pytest.mark.django_db
def test_a_person_has_one_open_case_at_a_time(employer, hr_user, on):
    person = StaffMemberFactory()
    first = services.case_open(
        staff_member=person, employer=employer, acting_user=hr_user, reason="x", on=on
    )
    with pytest.raises(CaseError, match="already has an open case"):
        services.case_open(
            staff_member=person, employer=employer, acting_user=hr_user, reason="x", on=on
        )
    services.case_transition(
        case=first, to=S.WITHDRAWN, acting_user=hr_user, reason="Proposal dropped", on=on
    )
    second = services.case_open(
        staff_member=person, employer=employer, acting_user=hr_user,
        reason="Affected again", on=on,
    )
    assert second.pk != first.pk


@pytest.mark.django_db
def test_update_that_changes_nothing_writes_no_history(hr_user, on):
    case = case_in(S.AT_RISK, proposed_dismissal_on=dt.date(2026, 6, 30))
    before = case.history.count()

    services.case_update(
        case=case, acting_user=hr_user, reason="Same again",
        proposed_dismissal_on=dt.date(2026, 6, 30),
    )
    assert case.history.count() == before

    services.case_update(
        case=case, acting_user=hr_user, reason="Moved back a month",
        proposed_dismissal_on=dt.date(2026, 7, 31),
    )
    assert case.history.count() == before + 1
    assert case.history.latest().history_change_reason == "Moved back a month"


@pytest.mark.django_db
def test_update_refuses_status_and_the_dates_transitions_own(hr_user):
    case = case_in(S.AT_RISK)
    with pytest.raises(CaseError, match="status, trial_ends_on"):
        services.case_update(
            case=case, acting_user=hr_user, reason="x", status=S.LEFT,
            trial_ends_on=dt.date(2026, 1, 1),
        )


@pytest.mark.django_db
def test_representation_keeps_the_union_only_while_requested_and_out_of_history(hr_user):
    case = case_in(S.AT_RISK)
    services.case_representation_record(
        case=case, requested=True, union_name="UNISON", acting_user=hr_user,
        reason="Member asked for representation",
    )
    case.refresh_from_db()
    assert (case.requested_representation, case.union_name) == (True, "UNISON")
    assert not hasattr(case.history.latest(), "union_name")

    services.case_representation_record(
        case=case, requested=False, union_name="UNISON", acting_user=hr_user,
        reason="Member withdrew the request",
    )
    case.refresh_from_db()
    assert (case.requested_representation, case.union_name) == (False, "")


@pytest.mark.django_db
def test_the_database_refuses_a_union_name_without_a_request():
    from django.db import IntegrityError, transaction

    case = case_in(S.AT_RISK)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(union_name="Unite")
