"""The case status machine against a table typed out by hand: every allowed move succeeds, every
other one is refused by name. Changing `Case.TRANSITIONS` without changing this table fails."""

import datetime as dt
import itertools

import pytest

from employment import services
from employment.models import CASE_STATUS_VALUES, CASE_TERMINAL_VALUES, Case
from employment.services import CaseConflict, CaseError, TransitionRefused
from tests.employment.conftest import case_in, person_in
from tests.factories.tracker import OrganisationFactory, PostFactory
from tracker.audit import MissingAuditContext

S = Case.Status

#: Every allowed move, written out literally (not read from the code). The surprising ones:
#: * protected -> vr_requested / mars_requested: the national VR and MARS schemes are open to
#:   staff who are not at risk, so someone under a guarantee may volunteer.
#: * protected never goes to notice_issued: compulsory redundancy for someone under a guarantee
#:   would break the guarantee; they must first be at risk.
#: * at_risk -> left: a person may resign for a job elsewhere before any notice.
#: * slotted_in -> at_risk only: slotting in can be overturned on appeal; nothing else follows.
#: * ring_fenced -> redeployed: appointed straight in, without a trial (the same post).
#: * redeployment_trial -> notice_issued: a trial taken during notice that fails returns to it.
#: * vr_requested / mars_requested -> protected: a declined volunteer who was never at risk.
#: * notice_issued -> redeployment_trial / redeployed: an alternative found during notice.
#: * notice_issued -> retired: early retirement in lieu of redundancy.
#: * redeployed, left, retired, withdrawn: final; someone affected again gets a new case.
EXPECTED = {
    "protected": {"at_risk", "vr_requested", "mars_requested", "withdrawn"},
    "at_risk": {
        "protected", "slotted_in", "ring_fenced", "redeployment_trial", "vr_requested",
        "mars_requested", "notice_issued", "left", "withdrawn",
    },
    "slotted_in": {"at_risk"},
    "ring_fenced": {
        "redeployment_trial", "redeployed", "at_risk", "vr_requested", "mars_requested",
        "withdrawn",
    },
    "redeployment_trial": {"redeployed", "at_risk", "notice_issued"},
    "redeployed": set(),
    "vr_requested": {"vr_approved", "at_risk", "protected", "withdrawn"},
    "vr_approved": {"left", "at_risk", "withdrawn"},
    "mars_requested": {"mars_approved", "at_risk", "protected", "withdrawn"},
    "mars_approved": {"left", "at_risk", "withdrawn"},
    "notice_issued": {"left", "retired", "redeployment_trial", "redeployed", "withdrawn"},
    "left": set(),
    "retired": set(),
    "withdrawn": set(),
}
ALL = sorted(EXPECTED)
ALLOWED = sorted((a, b) for a, moves in EXPECTED.items() for b in moves)
REFUSED = [(a, b) for a, b in itertools.product(ALL, ALL) if b not in EXPECTED[a]]


def test_the_status_machine_is_the_table_above():
    assert set(Case.Status.values) == set(EXPECTED)
    assert {status: set(moves) for status, moves in Case.TRANSITIONS.items()} == EXPECTED
    for moves in Case.TRANSITIONS.values():
        assert len(set(moves)) == len(moves)


def test_counts_of_the_table():
    # 14 statuses; allowed moves counted by hand row by row: 4+9+1+6+3+0+4+3+4+3+5+0+0+0 = 42.
    assert len(ALL) == 14
    assert len(ALLOWED) == 42
    assert len(REFUSED) == 14 * 14 - 42 == 154


def test_the_constraint_lists_match_the_status_machine():
    assert set(CASE_STATUS_VALUES) == set(ALL)
    assert set(CASE_TERMINAL_VALUES) == {"redeployed", "left", "retired", "withdrawn"}
    assert set(Case.TERMINAL_STATUSES) == {S.LEFT, S.RETIRED, S.REDEPLOYED, S.WITHDRAWN}
    assert set(Case.OPENING_STATUSES) == {"at_risk", "protected", "vr_requested",
                                          "mars_requested"}


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "to"), ALLOWED, ids=[f"{a}->{b}" for a, b in ALLOWED])
def test_every_allowed_transition_succeeds_with_one_history_row(
    current, to, hr_user, employer, on
):
    case = case_in(current, employer=employer)
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
def test_every_other_transition_is_refused_naming_the_allowed_ones(
    current, to, hr_user, employer, on
):
    case = case_in(current, employer=employer)
    before = case.history.count()

    with pytest.raises(TransitionRefused) as refused:
        services.case_transition(case=case, to=to, acting_user=hr_user, reason="Try", on=on)

    message = refused.value.messages[0]
    assert set(refused.value.allowed) == EXPECTED[current]
    for allowed in EXPECTED[current]:
        assert f"({allowed})" in message
    for other in set(ALL) - EXPECTED[current]:
        assert f"({other})" not in message.split("Allowed from", 1)[1]
    if not EXPECTED[current]:
        assert "final status" in message
    case.refresh_from_db()
    assert case.status == current
    assert case.history.count() == before


@pytest.mark.django_db
def test_refusal_message_reads_well(hr_user, employer, on):
    case = case_in(S.VR_REQUESTED, employer=employer)
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
def test_an_unknown_status_is_refused(hr_user, employer, on):
    case = case_in(S.AT_RISK, employer=employer)
    with pytest.raises(CaseError, match="not a case status"):
        services.case_transition(case=case, to="sacked", acting_user=hr_user, reason="x", on=on)


@pytest.mark.django_db
@pytest.mark.parametrize(("user", "reason"), [(None, "A reason"), ("hr", "   ")])
def test_a_transition_needs_who_and_why(user, reason, hr_user, employer, on):
    case = case_in(S.AT_RISK, employer=employer)
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
def test_a_stale_copy_gets_a_conflict_naming_where_the_case_went(
    hr_user, other_hr_user, employer, on
):
    case = case_in(S.AT_RISK, employer=employer)
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
    post = PostFactory(organisation=employer, band="6")
    person = person_in(employer, post=post)

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
            staff_member=person_in(employer), employer=employer, acting_user=hr_user,
            reason="x", on=on, status=S.NOTICE_ISSUED,
        )


@pytest.mark.django_db
def test_open_refuses_an_organisation_that_is_not_a_legal_employer(hr_user, on):
    host = OrganisationFactory(is_legal_employer=False)
    hr_user.organisations.add(host)
    with pytest.raises(CaseError, match="not a legal employer"):
        services.case_open(
            staff_member=person_in(host), employer=host, acting_user=hr_user,
            reason="x", on=on,
        )


@pytest.mark.django_db
def test_a_person_has_one_open_case_at_a_time(employer, hr_user, on):
    person = person_in(employer)
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
def test_update_that_changes_nothing_writes_no_history(hr_user, employer, on):
    case = case_in(S.AT_RISK, employer=employer, proposed_dismissal_on=dt.date(2026, 6, 30))
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
def test_update_takes_no_status_or_the_dates_transitions_own(hr_user, employer):
    case = case_in(S.AT_RISK, employer=employer)
    for field, value in (("status", S.LEFT), ("trial_ends_on", dt.date(2026, 1, 1)),
                         ("union_name", "UNISON")):
        with pytest.raises(TypeError, match=field):
            services.case_update(case=case, acting_user=hr_user, reason="x", **{field: value})
    case.refresh_from_db()
    assert case.status == S.AT_RISK and case.trial_ends_on is None


@pytest.mark.django_db
def test_representation_keeps_the_union_only_while_requested_and_out_of_history(
    hr_user, employer
):
    case = case_in(S.AT_RISK, employer=employer)
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
        Case.objects.filter(pk=case.pk).update(union_name="UNITE")


@pytest.mark.django_db
def test_representation_takes_only_a_recognised_union(hr_user, employer):
    case = case_in(S.AT_RISK, employer=employer)
    with pytest.raises(CaseError, match="not one of the recognised unions"):
        services.case_representation_record(
            case=case, requested=True, union_name="Unison branch 12", acting_user=hr_user,
            reason="asked",
        )
    case.refresh_from_db()
    assert (case.requested_representation, case.union_name) == (False, "")
