"""Collective consultation: the thresholds, the 90-day window, per-employer counting, the
clocks, the disclosures and the meetings log."""

import datetime as dt

import pytest
from django.core.management import call_command

from employment import consultation as cc
from employment import services
from employment.consultation import figures_from, peak_in_window
from employment.models import Alert, Case, ConsultationDisclosure
from employment.rules import consultation as rules
from employment.services import CaseError
from tests.employment.conftest import user_in
from tests.factories.employment import CaseFactory, CollectiveConsultationFactory
from tests.factories.tracker import OrganisationFactory
from tracker import roles

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


# --- per proposal: rules.consultation (pure, hand-worked) ---------------------------------------

NO_NOTICE = None
EMPTY = "e3b0c44298fc1c14"  # sha256("")[:16]: the whole-organisation establishment


def _rows(*groups):
    """(count, dismissal date, notice given on) groups as crossing rows."""
    return [(on, notice) for count, on, notice in groups for _ in range(count)]


def test_one_proposal_of_twenty():
    (c,) = rules.threshold_crossings(_rows((20, D(2026, 6, 30), NO_NOTICE)))
    # 30 June + 89 days: 31 July is +31, 31 August +62, 27 September +89.
    assert (c.level, c.minimum_days, c.starts_on, c.ends_on, c.count) == (
        20, 30, D(2026, 6, 30), D(2026, 9, 27), 20,
    )
    # 30 days before 30 June is 31 May; no notice given, so the HR1 is due then too.
    assert (c.latest_start_on, c.hr1_due_on) == (D(2026, 5, 31), D(2026, 5, 31))


def test_two_separate_proposals_are_two_crossings():
    crossings = rules.threshold_crossings(
        _rows((20, D(2026, 6, 30), NO_NOTICE), (20, D(2027, 3, 1), NO_NOTICE))
    )
    assert [(c.level, c.starts_on, c.count) for c in crossings] == [
        (20, D(2026, 6, 30), 20), (20, D(2027, 3, 1), 20),
    ]
    # 1 March 2027 less 30 days: 28 Feb is -1, 31 Jan -29, 30 Jan -30.
    assert crossings[1].hr1_due_on == D(2027, 1, 30)


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        # day 90 of the first window: one proposal of 40
        (D(2026, 9, 27), [(D(2026, 6, 30), 40)]),
        # day 91: a window of its own, so a second proposal
        (D(2026, 9, 28), [(D(2026, 6, 30), 20), (D(2026, 9, 28), 20)]),
    ],
)
def test_the_window_edge_decides_one_or_two_proposals(second, expected):
    crossings = rules.threshold_crossings(
        _rows((20, D(2026, 6, 30), NO_NOTICE), (20, second, NO_NOTICE))
    )
    assert [(c.starts_on, c.count) for c in crossings] == expected


def test_a_run_that_overlaps_the_alerted_window_is_the_same_proposal():
    """10 on 30 June, 10 on 27 September (20: the first proposal), 10 on 20 December. The window
    from 27 September also holds 20, but it shares 27 September with the first: one proposal."""
    crossings = rules.threshold_crossings(
        _rows(
            (10, D(2026, 6, 30), NO_NOTICE),
            (10, D(2026, 9, 27), NO_NOTICE),
            (10, D(2026, 12, 20), NO_NOTICE),
        )
    )
    assert [(c.starts_on, c.count) for c in crossings] == [(D(2026, 6, 30), 20)]


def test_a_notice_given_early_brings_the_hr1_forward():
    (c,) = rules.threshold_crossings(
        _rows((19, D(2026, 6, 30), NO_NOTICE), (1, D(2026, 6, 30), D(2026, 5, 20)))
    )
    # The HR1 must be sent before any notice: the day before 20 May, earlier than 31 May.
    assert c.hr1_due_on == D(2026, 5, 19)


def test_a_hundred_brings_its_own_crossing_and_the_hr1_forty_five_days_ahead():
    crossings = rules.threshold_crossings(_rows((100, D(2026, 7, 31), NO_NOTICE)))
    assert [(c.level, c.latest_start_on) for c in crossings] == [
        (20, D(2026, 7, 1)),  # 31 July less 30 days
        (100, D(2026, 6, 16)),  # 31 July less 45 days: 30 June is -31, 16 June -45
    ]
    (clock,) = rules.hr1_clocks(crossings)
    assert (clock.starts_on, clock.due_on, clock.previous_ends_on) == (
        D(2026, 7, 31), D(2026, 6, 16), None,
    )


def test_undated_proposals_make_a_crossing_without_dates():
    (c,) = rules.threshold_crossings(_rows((20, None, NO_NOTICE)))
    assert (c.starts_on, c.count, c.hr1_due_on) == (None, 20, None)
    assert rules.hr1_clocks([c]) == []  # no date to count from yet
    (c,) = rules.threshold_crossings(_rows((19, None, NO_NOTICE), (1, None, D(2026, 5, 20))))
    assert c.hr1_due_on == D(2026, 5, 19)


def test_nineteen_is_no_crossing():
    assert rules.threshold_crossings(_rows((19, D(2026, 6, 30), NO_NOTICE))) == []


def test_which_proposal_an_hr1_belongs_to():
    first, second = rules.hr1_clocks(
        rules.threshold_crossings(
            _rows((20, D(2026, 6, 30), NO_NOTICE), (20, D(2027, 3, 1), NO_NOTICE))
        )
    )
    assert second.previous_ends_on == D(2026, 9, 27)
    assert rules.hr1_covers(D(2026, 5, 1), first)
    assert not rules.hr1_covers(None, first)
    assert not rules.hr1_covers(D(2026, 9, 27), second)  # still the first proposal's
    assert rules.hr1_covers(D(2026, 9, 28), second)


@pytest.mark.parametrize(
    ("today", "phase"),
    [
        (D(2026, 6, 2), None),  # 8 days ahead: outside a 7-day lead
        (D(2026, 6, 3), "approaching"),
        (D(2026, 6, 9), "approaching"),
        (D(2026, 6, 10), "passed"),
        (D(2026, 7, 10), "passed"),  # 30 days after: the last day looked back on
        (D(2026, 7, 11), None),
    ],
)
def test_clock_phase(today, phase):
    assert rules.clock_phase(D(2026, 6, 10), today=today, lead=7, lookback=30) == phase


# --- per proposal: the alerts the sweep raises --------------------------------------------------


@pytest.fixture
def hr(employer):
    return user_in(roles.HR_MANAGER, organisations=[employer], username="hr-cc")


def _sweep(today):
    call_command("run_alerts", "--today", today, stdout=None)


def _keys(prefix):
    return sorted(Alert.objects.filter(dedupe_key__startswith=prefix)
                  .values_list("dedupe_key", flat=True))


def test_a_later_separate_proposal_raises_again(employer, hr):
    e = employer.pk
    _dismissals(employer, 20, on=D(2026, 6, 30))
    _sweep("2026-04-01")
    assert _keys("threshold:") == [f"threshold:{e}:{EMPTY}:20:2026-06-30"]
    _dismissals(employer, 20, on=D(2027, 3, 1))
    _sweep("2026-04-01")
    _sweep("2026-04-02")
    assert _keys("threshold:") == [
        f"threshold:{e}:{EMPTY}:20:2026-06-30",
        f"threshold:{e}:{EMPTY}:20:2027-03-01",
    ]


def test_an_earlier_dismissal_added_to_an_alerted_proposal_does_not_raise_again(employer, hr):
    _dismissals(employer, 20, on=D(2026, 6, 30))
    _sweep("2026-04-01")
    _dismissals(employer, 1, on=D(2026, 6, 20))  # the window now starts on 20 June
    _sweep("2026-04-01")
    assert _keys("threshold:") == [f"threshold:{employer.pk}:{EMPTY}:20:2026-06-30"]


def test_hr1_clock_runs_without_a_consultation_record(employer, hr):
    _dismissals(employer, 20, on=D(2026, 6, 30))
    _sweep("2026-05-25")  # HR1 due 31 May: 6 days ahead
    (hr1,) = Alert.objects.filter(dedupe_key__startswith="clock:hr1:")
    assert hr1.dedupe_key == f"clock:hr1:{employer.pk}:{EMPTY}:2026-06-30:approaching:2026-05-31"
    assert (hr1.consultation, hr1.organisation, hr1.due_on) == (None, employer, D(2026, 5, 31))
    assert hr1.recipients.get().user == hr
    _sweep("2026-05-31")
    assert _keys("clock:hr1:")[-1].endswith(":passed:2026-05-31")


def test_counts_are_never_combined_across_employers_in_the_sweep(employer, hr):
    other = OrganisationFactory(code="QYG", name="Cheshire and Merseyside ICB")
    _dismissals(employer, 10, on=D(2026, 6, 30))
    _dismissals(other, 10, on=D(2026, 6, 30))
    _sweep("2026-05-25")
    assert Alert.objects.count() == 0


def test_the_first_proposals_hr1_does_not_cover_the_next(employer, hr):
    CollectiveConsultationFactory(employer=employer, hr1_submitted_on=D(2026, 5, 1))
    _dismissals(employer, 20, on=D(2026, 6, 30))
    _dismissals(employer, 20, on=D(2027, 3, 1))
    _sweep("2026-05-28")  # the first HR1 (due 31 May) was sent on 1 May: nothing
    assert _keys("clock:hr1:") == []
    _sweep("2027-01-25")  # the second's (due 30 January 2027) was not
    assert _keys("clock:hr1:") == [
        f"clock:hr1:{employer.pk}:{EMPTY}:2027-03-01:approaching:2027-01-30"
    ]
