"""The demo is live on whatever day it is loaded: clocks due this week, notice running, a
clawback ending soon, a consultation whose minimum period is current."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from employment.consultation import consultation_figures
from employment.dashboard import casework
from employment.models import Case, CollectiveConsultation
from tracker.models import Programme, User

pytestmark = pytest.mark.django_db

S = Case.Status


@pytest.mark.parametrize("today", [dt.date(2026, 12, 1), dt.date(2027, 3, 15)])
def test_seed_demo_dates_everything_from_the_day_it_runs(today):
    call_command("seed_demo", "--today", today.isoformat(), stdout=io.StringIO())

    current = Programme.objects.get(slug="icb-merger-and-running-costs")
    assert current.announced_on == today - dt.timedelta(days=61)
    assert current.effective_on > today

    live = Case.objects.filter(programme=current)
    trials = live.filter(status=S.REDEPLOYMENT_TRIAL)
    # Four weeks beginning 24 and 26 days ago: the trials end 3 and 1 days from now.
    assert sorted({c.trial_ends_on - today for c in trials}) == [
        dt.timedelta(days=1),
        dt.timedelta(days=3),
    ]
    notice = live.filter(status=S.NOTICE_ISSUED)
    assert notice and all(c.notice_starts_on < today < c.notice_ends_on for c in notice)
    (left,) = live.filter(status=S.LEFT)
    assert today < left.clawback_ends_on <= today + dt.timedelta(days=14)

    consultation = CollectiveConsultation.objects.get(programme=current)
    figures = consultation_figures(consultation)
    assert figures.minimum_days == 30
    assert figures.starts_on < today <= figures.minimum_ends_on

    hr = User.objects.get(username="hr")
    work = casework(hr, today=today)
    due = {c.rule.key: c.due for c in work.clocks}
    assert due["trial"] == 6  # two trial journeys, three copies
    assert due["clawback"] == 1
    assert due["exit"] == 3


def test_the_demo_staff_member_is_represented_by_unison():
    call_command("seed_demo", stdout=io.StringIO())
    me = User.objects.get(username="staff").staff_member
    case = Case.objects.get(staff_member=me)
    assert (case.requested_representation, case.union_name) == (True, "UNISON")
