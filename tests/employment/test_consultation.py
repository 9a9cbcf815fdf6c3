"""Collective consultation: the thresholds, the 90-day window, per-employer counting, the
clocks, the disclosures and the meetings log."""

import datetime as dt

import pytest

from employment import consultation as cc
from employment import services
from employment.consultation import figures_from, peak_in_window
from employment.models import Case, ConsultationDisclosure
from employment.services import CaseError
from tests.factories.employment import CaseFactory, CollectiveConsultationFactory
from tests.factories.tracker import OrganisationFactory

S = Case.Status
D = dt.date
FIRST = D(2026, 6, 30)


def _dismissals(employer, count, *, on=FIRST, status=S.VR_REQUESTED, establishment="", **kw):
    route = {
        S.VR_REQUESTED: Case.Route.VOLUNTARY_REDUNDANCY,
        S.VR_APPROVED: Case.Route.VOLUNTARY_REDUNDANCY,
        S.MARS_REQUESTED: Case.Route.MARS,
        S.MARS_APPROVED: Case.Route.MARS,
        S.NOTICE_ISSUED: Case.Route.COMPULSORY_REDUNDANCY,
    }.get(status, "")
    return CaseFactory.create_batch(
        count, employer=employer, post=None, status=status, route=route,
        proposed_dismissal_on=on, establishment=establishment, **kw,
    )


@pytest.fixture
def consultation(employer):
    return CollectiveConsultationFactory(employer=employer, starts_on=D(2026, 4, 1))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("count", "threshold", "minimum_days"),
    [(19, 0, 0), (20, 20, 30), (99, 20, 30), (100, 100, 45)],
)
def test_thresholds_within_90_days(consultation, employer, count, threshold, minimum_days):
    # Spread over the whole 90 days: half on the first day, half on the 90th (first + 89).
    _dismissals(employer, count // 2, on=FIRST)
    _dismissals(employer, count - count // 2, on=FIRST + dt.timedelta(days=89))

    figures = cc.consultation_figures(consultation)

    assert figures.peak.count == count
    assert (figures.threshold, figures.minimum_days) == (threshold, minimum_days)
    assert figures.required is bool(threshold)
    if threshold:
        assert figures.first_dismissal_on == FIRST
        assert figures.latest_start_on == FIRST - dt.timedelta(days=minimum_days)
        assert figures.hr1_due_on == figures.latest_start_on
        assert figures.minimum_ends_on == D(2026, 4, 1) + dt.timedelta(days=minimum_days)
    else:
        assert figures.latest_start_on is None and figures.hr1_due_on is None


@pytest.mark.django_db
def test_twenty_spread_over_91_days_does_not_trigger(consultation, employer):
    _dismissals(employer, 10, on=FIRST)
    _dismissals(employer, 10, on=FIRST + dt.timedelta(days=90))  # the 91st day

    figures = cc.consultation_figures(consultation)

    assert figures.proposed == 20
    assert figures.peak.count == 10
    assert figures.threshold == 0


@pytest.mark.django_db
def test_twenty_split_across_two_employers_does_not_trigger(consultation, employer):
    # Clustered ICBs remain separate employers: 12 + 8 at "the same" place is 12 and 8.
    neighbour = OrganisationFactory(code="QYG", name="Cheshire and Merseyside ICB")
    neighbours = CollectiveConsultationFactory(employer=neighbour)
    _dismissals(employer, 12)
    _dismissals(neighbour, 8)

    assert cc.consultation_figures(consultation).peak.count == 12
    assert cc.consultation_figures(consultation).threshold == 0
    assert cc.consultation_figures(neighbours).peak.count == 8
    assert cc.consultation_figures(neighbours).threshold == 0


@pytest.mark.django_db
def test_counts_are_per_establishment(employer):
    north = CollectiveConsultationFactory(employer=employer, establishment="Oldham")
    south = CollectiveConsultationFactory(employer=employer, establishment="Stockport")
    _dismissals(employer, 15, establishment="Oldham")
    _dismissals(employer, 15, establishment="Stockport")
    assert cc.consultation_figures(north).peak.count == 15
    assert cc.consultation_figures(south).threshold == 0


@pytest.mark.django_db
def test_crossing_20_and_then_100_within_90_days(consultation, employer):
    _dismissals(employer, 19, on=D(2026, 7, 31))
    assert cc.consultation_figures(consultation).threshold == 0

    _dismissals(employer, 1, on=D(2026, 7, 31), status=S.NOTICE_ISSUED,
                notice_starts_on=D(2026, 5, 1), notice_ends_on=D(2026, 7, 31),
                exit_on=D(2026, 7, 31))
    figures = cc.consultation_figures(consultation)
    assert (figures.threshold, figures.minimum_days) == (20, 30)
    assert figures.latest_start_on == D(2026, 7, 1)
    # HR1 must be in before any notice is given: the notice on 1 May comes first.
    assert figures.first_notice_on == D(2026, 5, 1)
    assert figures.hr1_due_on == D(2026, 4, 30)

    _dismissals(employer, 80, on=D(2026, 9, 15), status=S.VR_APPROVED)
    figures = cc.consultation_figures(consultation)
    assert (figures.peak.count, figures.threshold, figures.minimum_days) == (100, 100, 45)
    assert figures.peak.starts_on == D(2026, 7, 31)
    assert figures.latest_start_on == D(2026, 7, 31) - dt.timedelta(days=45)  # 16 June
    assert figures.hr1_due_on == D(2026, 4, 30)


@pytest.mark.django_db
def test_mars_resignations_do_not_count_but_redundancies_do(consultation, employer):
    _dismissals(employer, 19)
    _dismissals(employer, 5, status=S.MARS_REQUESTED)
    _dismissals(employer, 5, status=S.MARS_APPROVED)
    CaseFactory(employer=employer, post=None, status=S.LEFT, route=Case.Route.MARS,
                exit_on=FIRST)
    assert cc.consultation_figures(consultation).peak.count == 19

    CaseFactory(employer=employer, post=None, status=S.LEFT,
                route=Case.Route.VOLUNTARY_REDUNDANCY, exit_on=FIRST)
    assert cc.consultation_figures(consultation).peak.count == 20


@pytest.mark.django_db
def test_resolved_cases_are_no_longer_proposals(consultation, employer):
    _dismissals(employer, 19)
    for status in (S.REDEPLOYED, S.WITHDRAWN, S.SLOTTED_IN, S.PROTECTED):
        CaseFactory(employer=employer, post=None, status=status, proposed_dismissal_on=FIRST)
    # An at-risk person with a proposed dismissal date is a proposal.
    CaseFactory(employer=employer, post=None, status=S.AT_RISK, proposed_dismissal_on=FIRST)
    assert cc.consultation_figures(consultation).peak.count == 20


@pytest.mark.django_db
def test_undated_proposals_count_in_every_window(consultation, employer):
    _dismissals(employer, 18)
    _dismissals(employer, 2, on=None)
    figures = cc.consultation_figures(consultation)
    assert (figures.proposed, figures.undated, figures.peak.count) == (20, 2, 20)
    assert figures.threshold == 20
    assert figures.first_dismissal_on == FIRST


@pytest.mark.django_db
def test_proposed_dismissal_query_and_property_agree(employer):
    cases = []
    for status in Case.Status.values:
        for route in Case.Route.values:
            for dated in (None, FIRST):
                cases.append(CaseFactory(
                    employer=employer, post=None, status=status, route=route,
                    proposed_dismissal_on=dated,
                ))
    from employment.models import proposed_dismissal_q

    counted = set(Case.objects.filter(proposed_dismissal_q()).values_list("pk", flat=True))
    assert counted == {c.pk for c in cases if c.is_proposed_dismissal}
    assert counted  # and the comparison is not vacuous
    assert len(counted) < len(cases)


def test_peak_window_is_90_days_inclusive():
    dates = [D(2026, 1, 1), D(2026, 3, 31), D(2026, 4, 1)]  # 1 Jan + 89 days = 31 Mar
    assert peak_in_window(dates).count == 2
    assert peak_in_window(dates).starts_on == D(2026, 1, 1)
    assert peak_in_window(dates).ends_on == D(2026, 3, 31)
    assert peak_in_window([]).count == 0


def test_100_within_90_days_needs_45_days_before_the_very_first_dismissal():
    # 20 on 1 Sep and 100 on 1 Oct are one proposal of 120 within 90 days: 45 days before
    # 1 Sep is 18 Jul.
    rows = [(None, None, D(2026, 9, 1), None)] * 20 + [(None, None, D(2026, 10, 1), None)] * 100
    figures = figures_from(rows)
    assert (figures.peak.count, figures.threshold) == (120, 100)
    assert figures.latest_start_on == D(2026, 7, 18)


def test_the_earliest_deadline_binds():
    # 20 on 1 Sep (30 days before: 2 Aug); 100 on 1 Dec, 91 days later so in no window with the
    # first 20 (45 days before: 17 Oct). The earlier deadline, 2 Aug, binds.
    rows = [(None, None, D(2026, 9, 1), None)] * 20 + [(None, None, D(2026, 12, 1), None)] * 100
    figures = figures_from(rows)
    assert (figures.peak.count, figures.threshold, figures.minimum_days) == (100, 100, 45)
    assert figures.latest_start_on == D(2026, 8, 2)
    assert figures.first_dismissal_on == D(2026, 9, 1)


@pytest.mark.django_db
def test_listing_figures_match_single_figures(employer, django_assert_max_num_queries):
    a = CollectiveConsultationFactory(employer=employer)
    b = CollectiveConsultationFactory(employer=employer, establishment="Oldham")
    _dismissals(employer, 20)
    _dismissals(employer, 3, establishment="Oldham")
    with django_assert_max_num_queries(1):
        many = cc.consultation_figures_for([a, b])
    assert many[a.pk] == cc.consultation_figures(a)
    assert many[b.pk] == cc.consultation_figures(b)
    assert many[a.pk].threshold == 20


@pytest.mark.django_db
def test_open_refuses_non_employers_and_duplicates(employer, hr_user):
    host = OrganisationFactory(is_legal_employer=False)
    with pytest.raises(CaseError, match="not a legal employer"):
        services.consultation_open(employer=host, acting_user=hr_user, reason="x")
    services.consultation_open(employer=employer, acting_user=hr_user, reason="Merger proposals")
    with pytest.raises(CaseError, match="already a consultation"):
        services.consultation_open(employer=employer, acting_user=hr_user, reason="again")


@pytest.mark.django_db
def test_disclosures_are_recorded_and_revised_with_history(consultation, hr_user):
    Item = ConsultationDisclosure.Item
    assert len(cc.missing_disclosures(consultation)) == 7

    first = services.consultation_record_disclosure(
        consultation=consultation, item=Item.SELECTION_METHOD, content="Ring-fenced interviews",
        disclosed_on=D(2026, 4, 1), acting_user=hr_user, reason="s.188(4) letter",
    )
    again = services.consultation_record_disclosure(
        consultation=consultation, item=Item.SELECTION_METHOD, content="Ring-fenced interviews",
        disclosed_on=D(2026, 4, 1), acting_user=hr_user, reason="no change",
    )
    revised = services.consultation_record_disclosure(
        consultation=consultation, item=Item.SELECTION_METHOD,
        content="Ring-fenced interviews; scoring matrix attached",
        disclosed_on=D(2026, 4, 8), acting_user=hr_user, reason="Revised after meeting",
    )

    assert first.pk == again.pk == revised.pk
    assert first.history.count() == 2  # created, revised; the unchanged call wrote nothing
    assert Item.SELECTION_METHOD.label not in cc.missing_disclosures(consultation)
    assert len(cc.missing_disclosures(consultation)) == 6
    with pytest.raises(CaseError, match="not a statutory disclosure"):
        services.consultation_record_disclosure(
            consultation=consultation, item="gossip", content="x", disclosed_on=D(2026, 4, 1),
            acting_user=hr_user, reason="x",
        )


@pytest.mark.django_db
def test_meetings_log(consultation, hr_user):
    meeting = services.consultation_record_meeting(
        consultation=consultation, held_on=D(2026, 4, 8),
        attendees="HR director; UNISON branch secretary; Unite regional officer",
        disclosed="Selection method and timing", responses="Asked for VR to be offered first",
        acting_user=hr_user, reason="Minutes agreed",
    )
    assert list(consultation.meetings.all()) == [meeting]
    row = meeting.history.get()
    assert (row.history_user, row.history_change_reason) == (hr_user, "Minutes agreed")
    with pytest.raises(CaseError, match="who attended"):
        services.consultation_record_meeting(
            consultation=consultation, held_on=D(2026, 4, 8), attendees=" ",
            acting_user=hr_user, reason="x",
        )


@pytest.mark.django_db
def test_update_records_start_and_hr1(consultation, hr_user):
    before = consultation.history.count()
    services.consultation_update(consultation=consultation, acting_user=hr_user, reason="same",
                           starts_on=D(2026, 4, 1))
    assert consultation.history.count() == before
    updated = services.consultation_update(consultation=consultation, acting_user=hr_user,
                                     reason="HR1 sent", hr1_submitted_on=D(2026, 4, 20))
    assert updated.hr1_submitted_on == D(2026, 4, 20)
    assert consultation.history.count() == before + 1
