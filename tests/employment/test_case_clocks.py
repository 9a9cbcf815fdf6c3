"""Each case's dates and clocks, with figures worked out by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from employment import services
from employment.models import Case
from employment.selectors import case_clocks
from employment.services import CaseError
from tests.employment.conftest import user_in
from tests.factories.employment import CaseFactory, CollectiveConsultationFactory
from tests.factories.tracker import PostFactory, StaffMemberFactory

S = Case.Status
D = dt.date


@pytest.fixture
def hr_user(db):
    """Clocks, not scope, are tested here, on cases in many organisations: a superuser acts
    (scope has its own tests in test_employment_access.py)."""
    return user_in(None, username="hr-everywhere", is_superuser=True)


def _move(case, to, user, on):
    return services.case_transition(case=case, to=to, acting_user=user, reason=f"to {to}", on=on)


@pytest.mark.django_db
def test_trial_is_four_calendar_weeks_beginning_with_its_first_day(hr_user):
    case = CaseFactory(status=S.AT_RISK)
    _move(case, S.REDEPLOYMENT_TRIAL, hr_user, D(2026, 5, 1))
    assert (case.trial_starts_on, case.trial_ends_on) == (D(2026, 5, 1), D(2026, 5, 28))
    assert case.trial_last_day == D(2026, 5, 28)


@pytest.mark.django_db
def test_trial_extension_needs_a_written_agreement_made_before_the_trial(hr_user):
    case = CaseFactory(status=S.AT_RISK)
    _move(case, S.REDEPLOYMENT_TRIAL, hr_user, D(2026, 5, 1))

    with pytest.raises(CaseError, match="only with a written agreement"):
        services.case_trial_extend(
            case=case, extended_to=D(2026, 6, 30), agreed_in_writing_on=None,
            acting_user=hr_user, reason="Retraining",
        )
    with pytest.raises(CaseError, match=r"s\.138\(6\)"):
        services.case_trial_extend(
            case=case, extended_to=D(2026, 6, 30), agreed_in_writing_on=D(2026, 5, 2),
            acting_user=hr_user, reason="Retraining",
        )
    with pytest.raises(CaseError, match="must end after"):
        services.case_trial_extend(
            case=case, extended_to=D(2026, 5, 28), agreed_in_writing_on=D(2026, 4, 28),
            acting_user=hr_user, reason="Retraining",
        )
    case.refresh_from_db()
    assert case.trial_extended_to is None

    services.case_trial_extend(
        case=case, extended_to=D(2026, 6, 30), agreed_in_writing_on=D(2026, 4, 28),
        acting_user=hr_user, reason="Retraining in commissioning finance",
    )
    case.refresh_from_db()
    assert case.trial_last_day == D(2026, 6, 30)
    assert case.trial_ends_on == D(2026, 5, 28)
    assert case.history.latest().history_change_reason == "Retraining in commissioning finance"


@pytest.mark.django_db
def test_only_a_case_in_trial_can_be_extended(hr_user):
    case = CaseFactory(status=S.AT_RISK)
    with pytest.raises(CaseError, match="Only a case in a redeployment trial"):
        services.case_trial_extend(
            case=case, extended_to=D(2026, 6, 30), agreed_in_writing_on=D(2026, 4, 28),
            acting_user=hr_user, reason="x",
        )


@pytest.mark.django_db
def test_the_database_refuses_an_extension_without_the_written_agreement():
    case = CaseFactory(
        status=S.REDEPLOYMENT_TRIAL, trial_starts_on=D(2026, 5, 1), trial_ends_on=D(2026, 5, 28)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(trial_extended_to=D(2026, 6, 30))


@pytest.mark.django_db
def test_a_new_trial_clears_the_last_trials_extension(hr_user):
    case = CaseFactory(status=S.AT_RISK)
    _move(case, S.REDEPLOYMENT_TRIAL, hr_user, D(2026, 5, 1))
    services.case_trial_extend(
        case=case, extended_to=D(2026, 6, 30), agreed_in_writing_on=D(2026, 4, 28),
        acting_user=hr_user, reason="Retraining",
    )
    _move(case, S.AT_RISK, hr_user, D(2026, 6, 15))
    _move(case, S.REDEPLOYMENT_TRIAL, hr_user, D(2026, 7, 6))
    assert (case.trial_starts_on, case.trial_ends_on) == (D(2026, 7, 6), D(2026, 8, 2))
    assert case.trial_extended_to is None
    assert case.trial_extension_agreed_in_writing_on is None


@pytest.mark.django_db
def test_notice_is_the_longer_of_statutory_and_contractual_band_7(hr_user):
    # Service from 1 Sep 2008 to notice on 2 Feb 2026: 17 complete years, so the statutory
    # minimum is its cap of 12 weeks (ends 27 Apr 2026); band 7's local contractual notice is
    # 3 months (ends 2 May 2026). The later, 2 May, is due.
    person = StaffMemberFactory(nhs_service_start=D(2008, 9, 1))
    case = CaseFactory(status=S.AT_RISK, staff_member=person, post__band="7")
    _move(case, S.NOTICE_ISSUED, hr_user, D(2026, 2, 2))
    assert case.notice_starts_on == D(2026, 2, 2)
    assert case.notice_ends_on == D(2026, 5, 2)
    assert case.exit_on == D(2026, 5, 2)
    assert case.route == Case.Route.COMPULSORY_REDUNDANCY
    assert case.clawback_ends_on is None  # no clawback on compulsory redundancy


@pytest.mark.django_db
def test_notice_is_the_longer_of_statutory_and_contractual_band_2(hr_user):
    # Service from 10 Jan 2016 to 2 Feb 2026: 10 complete years, 10 weeks' statutory notice
    # (ends 13 Apr 2026), longer than band 2's one month (2 Mar 2026).
    person = StaffMemberFactory(nhs_service_start=D(2016, 1, 10))
    case = CaseFactory(status=S.AT_RISK, staff_member=person, post__band="2")
    _move(case, S.NOTICE_ISSUED, hr_user, D(2026, 2, 2))
    assert case.notice_ends_on == D(2026, 4, 13)


@pytest.mark.django_db
def test_notice_needs_the_service_date_and_the_post(hr_user, on):
    no_service = CaseFactory(
        status=S.AT_RISK, staff_member=StaffMemberFactory(nhs_service_start=None)
    )
    with pytest.raises(CaseError, match="no continuous NHS service start"):
        _move(no_service, S.NOTICE_ISSUED, hr_user, on)
    no_post = CaseFactory(status=S.AT_RISK, post=None)
    with pytest.raises(CaseError, match="no post"):
        _move(no_post, S.NOTICE_ISSUED, hr_user, on)
    assert Case.objects.get(pk=no_post.pk).status == S.AT_RISK


@pytest.mark.django_db
def test_a_failed_trial_during_notice_keeps_the_notice_already_given(hr_user):
    person = StaffMemberFactory(nhs_service_start=D(2008, 9, 1))
    case = CaseFactory(status=S.AT_RISK, staff_member=person, post__band="7")
    _move(case, S.NOTICE_ISSUED, hr_user, D(2026, 2, 2))
    _move(case, S.REDEPLOYMENT_TRIAL, hr_user, D(2026, 3, 2))
    _move(case, S.NOTICE_ISSUED, hr_user, D(2026, 3, 20))
    assert (case.notice_starts_on, case.notice_ends_on) == (D(2026, 2, 2), D(2026, 5, 2))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route_status", "exit_on", "very_senior", "package", "clawback_ends_on"),
    [
        # 6 months after 31 August is the last day of February.
        (S.VR_REQUESTED, D(2026, 8, 31), False, Decimal("60000.00"), D(2027, 2, 28)),
        (S.VR_REQUESTED, D(2027, 8, 31), False, None, D(2028, 2, 29)),
        # Very senior managers: 12 months.
        (S.VR_REQUESTED, D(2026, 8, 31), True, Decimal("60000.00"), D(2027, 8, 31)),
        # Over the threshold (default 100,000): 12 months; at it exactly: 6.
        (S.VR_REQUESTED, D(2026, 3, 31), False, Decimal("100000.01"), D(2027, 3, 31)),
        (S.VR_REQUESTED, D(2026, 3, 31), False, Decimal("100000.00"), D(2026, 9, 30)),
        (S.MARS_REQUESTED, D(2026, 3, 31), False, Decimal("20000.00"), D(2026, 9, 30)),
    ],
)
def test_clawback_runs_from_the_exit(
    route_status, exit_on, very_senior, package, clawback_ends_on, hr_user
):
    case = CaseFactory(status=S.AT_RISK, is_very_senior=very_senior, package_total=package)
    approved = S.VR_APPROVED if route_status == S.VR_REQUESTED else S.MARS_APPROVED
    _move(case, route_status, hr_user, D(2026, 1, 5))
    _move(case, approved, hr_user, D(2026, 1, 20))
    _move(case, S.LEFT, hr_user, exit_on)
    assert case.exit_on == exit_on
    assert case.clawback_ends_on == clawback_ends_on


@pytest.mark.django_db
def test_clawback_threshold_is_configurable(hr_user, settings):
    settings.EMPLOYMENT_VR_CLAWBACK_PACKAGE_THRESHOLD = 50000
    case = CaseFactory(status=S.VR_APPROVED, route=Case.Route.VOLUNTARY_REDUNDANCY,
                       package_total=Decimal("60000.00"))
    _move(case, S.LEFT, hr_user, D(2026, 3, 31))
    assert case.clawback_ends_on == D(2027, 3, 31)


@pytest.mark.django_db
def test_a_planned_exit_shows_its_clawback_and_follows_package_changes(hr_user):
    case = CaseFactory(status=S.VR_APPROVED, route=Case.Route.VOLUNTARY_REDUNDANCY)
    services.case_update(case=case, acting_user=hr_user, reason="Exit agreed",
                         exit_on=D(2026, 6, 30), package_total=Decimal("80000"))
    assert case.clawback_ends_on == D(2026, 12, 30)
    services.case_update(case=case, acting_user=hr_user, reason="Package corrected",
                         package_total=Decimal("120000"))
    assert case.clawback_ends_on == D(2027, 6, 30)


@pytest.mark.django_db
def test_resigning_while_at_risk_is_not_a_redundancy(hr_user):
    case = CaseFactory(status=S.AT_RISK)
    _move(case, S.LEFT, hr_user, D(2026, 3, 31))
    assert case.route == Case.Route.RESIGNATION
    assert case.clawback_ends_on is None
    assert not case.is_proposed_dismissal


@pytest.mark.django_db
def test_clocks_show_days_remaining(hr_user):
    case = CaseFactory(status=S.AT_RISK, at_risk_on=D(2026, 1, 5),
                       consultation_ends_on=D(2026, 2, 20))
    _move(case, S.REDEPLOYMENT_TRIAL, hr_user, D(2026, 2, 2))

    clocks = {c.name: c for c in case_clocks(case, today=D(2026, 2, 10))}

    assert clocks["At-risk date"].days_remaining == -36
    assert clocks["At-risk date"].passed
    assert clocks["Consultation minimum end"].days_remaining == 10
    assert clocks["Trial end"].on == D(2026, 3, 1)
    assert clocks["Trial end"].days_remaining == 19
    assert "Notice end" not in clocks


@pytest.mark.django_db
def test_consultation_clock_falls_back_to_the_collective_minimum(hr_user):
    case = CaseFactory(status=S.VR_REQUESTED, route=Case.Route.VOLUNTARY_REDUNDANCY,
                       proposed_dismissal_on=D(2026, 6, 30))
    CollectiveConsultationFactory(employer=case.employer, starts_on=D(2026, 2, 1))
    for _ in range(19):
        CaseFactory(status=S.VR_REQUESTED, employer=case.employer,
                    proposed_dismissal_on=D(2026, 6, 30))

    clocks = {c.name: c for c in case_clocks(case, today=D(2026, 2, 1))}

    # 20 proposed dismissals: 30 days from 1 Feb 2026 is 3 March 2026.
    assert clocks["Consultation minimum end"].on == D(2026, 3, 3)
    assert "30 days" in clocks["Consultation minimum end"].note


@pytest.mark.django_db
def test_opening_and_moving_records_the_at_risk_date_once(employer, hr_user):
    person = StaffMemberFactory()
    case = services.case_open(
        staff_member=person, employer=employer, post=PostFactory(organisation=employer),
        acting_user=hr_user, reason="Affected", on=D(2026, 1, 5), status=S.PROTECTED,
    )
    assert case.at_risk_on is None
    _move(case, S.AT_RISK, hr_user, D(2026, 2, 2))
    _move(case, S.SLOTTED_IN, hr_user, D(2026, 3, 2))
    _move(case, S.AT_RISK, hr_user, D(2026, 4, 1))
    assert case.at_risk_on == D(2026, 2, 2)
