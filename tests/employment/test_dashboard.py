"""The admin home panels for HR managers, auditors and union representatives."""

import datetime as dt

import pytest
from django.urls import reverse

from employment.models import Case
from tests.employment.conftest import case_in, user_in
from tests.factories.employment import CaseFactory
from tests.factories.tracker import OrganisationFactory, PostFactory, StaffMemberFactory
from tracker import roles

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 2, 2)
S = Case.Status


@pytest.fixture
def orgs():
    return OrganisationFactory(name="NHS Halton CCG"), OrganisationFactory(name="NHS Other CCG")


def _case(status, employer, *, band="7", directorate="Strategy", first_name="Alex", **kwargs):
    post = PostFactory(organisation=employer, band=band, directorate=directorate)
    staff = StaffMemberFactory(first_name=first_name)
    if "at_risk_on" in kwargs:
        route = {S.LEFT: Case.Route.RESIGNATION}.get(status, Case.Route.NONE)
        return CaseFactory(
            status=status, employer=employer, post=post, staff_member=staff, route=route, **kwargs
        )
    return case_in(status, employer=employer, post=post, staff_member=staff, **kwargs)


def test_hr_sees_their_cases_by_status_and_clocks_with_names(client, orgs):
    mine, other = orgs
    hr = user_in(roles.HR_MANAGER, organisations=[mine])
    # A trial ending in 5 days (due), a notice that ran out 2 days ago (overdue).
    _case(
        S.REDEPLOYMENT_TRIAL,
        mine,
        first_name="Trialling",
        trial_starts_on=dt.date(2026, 1, 10),
        trial_ends_on=dt.date(2026, 2, 7),
    )
    _case(
        S.NOTICE_ISSUED,
        mine,
        first_name="Noticed",
        notice_starts_on=dt.date(2025, 11, 1),
        notice_ends_on=dt.date(2026, 1, 31),
        exit_on=dt.date(2026, 1, 31),
    )
    _case(S.AT_RISK, other, first_name="Elsewhere")

    from employment.dashboard import casework

    work = casework(hr, today=TODAY)
    assert {f.label: f.count for f in work.by_status} == {
        "Redeployment trial": 1,
        "Notice of redundancy issued": 1,
    }
    clocks = {c.rule.key: (c.due, c.overdue) for c in work.clocks}
    assert clocks["trial"] == (1, 0)
    assert clocks["notice"] == (0, 1)
    assert [(c.label, c.on, c.days) for c in work.next_clocks] == [
        ("Notice ends", dt.date(2026, 1, 31), -2),
        ("Redeployment trial ends", dt.date(2026, 2, 7), 5),
    ]

    client.force_login(hr)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Cases and clocks" in page
    assert "Trialling" in page
    assert "Elsewhere" not in page


def test_auditor_sees_figures_but_no_names(client, orgs):
    mine, _ = orgs
    _case(
        S.REDEPLOYMENT_TRIAL,
        mine,
        first_name="Trialling",
        trial_starts_on=dt.date(2026, 1, 10),
        trial_ends_on=dt.date(2026, 2, 7),
    )
    auditor = user_in(roles.AUDITOR)
    client.force_login(auditor)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Cases and clocks" in page
    assert "Trialling" not in page


def test_rep_sees_suppressed_figures_never_names(client, orgs):
    mine, other = orgs
    rep = user_in(roles.UNION_REP, organisations=[mine])
    for n in range(6):
        _case(S.AT_RISK, mine, band="5", first_name=f"Banded{n}")
    for n in range(2):
        _case(S.VR_REQUESTED, mine, band="8a", directorate="Finance", first_name=f"Volunteer{n}")
    _case(S.AT_RISK, other, first_name="Elsewhere")

    from employment.dashboard import at_risk_picture

    (picture,) = at_risk_picture(rep, today=TODAY)
    by_title = {
        b.title: ({k: str(v) for k, v in b.cells}, str(b.total)) for b in picture.breakdowns
    }
    # 6 at risk and 2 volunteers: the 2 is suppressed, and so is the 6 (else 8 - 6 = 2).
    assert by_title["By status"] == (
        {"At risk": "fewer than 5", "Voluntary redundancy requested": "fewer than 5"},
        "8",
    )
    assert by_title["By band"] == ({"5": "fewer than 5", "8a": "fewer than 5"}, "8")

    client.force_login(rep)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "The at-risk picture" in page
    assert "Banded" not in page and "Volunteer" not in page and "Elsewhere" not in page
    assert "NHS Other CCG" not in page

    download = client.get(reverse("employment_at_risk_figures_download"))
    assert download.status_code == 200
    text = download.content.decode()
    assert "NHS Halton CCG" in text and "NHS Other CCG" not in text
    assert "Banded" not in text


def test_trend_counts_cases_open_at_each_month_end(orgs):
    mine, _ = orgs
    rep = user_in(roles.UNION_REP, organisations=[mine])
    from tests.factories.tracker import ProgrammeFactory

    programme = ProgrammeFactory(
        effective_on=dt.date(2026, 4, 1), announced_on=dt.date(2025, 11, 3)
    )
    programme.organisations.add(mine)
    # Five at risk from 1 Dec 2025, one more from 10 Jan 2026; one of the five left on 20 Jan.
    for n in range(5):
        _case(S.AT_RISK, mine, at_risk_on=dt.date(2025, 12, 1), first_name=f"A{n}")
    _case(S.AT_RISK, mine, at_risk_on=dt.date(2026, 1, 10))
    _case(S.LEFT, mine, at_risk_on=dt.date(2025, 12, 1), status_changed_on=dt.date(2026, 1, 20))

    from employment.dashboard import at_risk_picture

    (picture,) = at_risk_picture(rep, today=TODAY)
    assert [(p.month_end, str(p.shown)) for p in picture.trend] == [
        (dt.date(2025, 11, 30), "0"),
        (dt.date(2025, 12, 31), "6"),  # five, plus the one who later left
        (dt.date(2026, 1, 31), "6"),  # 5 + 1 new - 1 left
        (dt.date(2026, 2, 2), "6"),
    ]


@pytest.mark.parametrize(
    "role", [roles.STAFF, roles.CMS_EDITOR, roles.PARTNERSHIP_APPROVER, roles.HR_MANAGER]
)
def test_the_rep_download_is_for_reps_only(client, role, orgs):
    client.force_login(user_in(role, organisations=[orgs[0]]))
    response = client.get(reverse("employment_at_risk_figures_download"))
    assert response.status_code in (302, 403)


def test_panels_keep_a_flat_query_count(client, orgs, django_assert_max_num_queries):
    mine, _ = orgs
    hr = user_in(roles.HR_MANAGER, organisations=[mine])
    rep = user_in(roles.UNION_REP, organisations=[mine])

    def load(user):
        client.force_login(user)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("wagtailadmin_home")).status_code == 200
        return len(ctx.captured_queries)

    for n in range(3):
        _case(S.AT_RISK, mine, first_name=f"Few{n}")
    few = load(hr), load(rep)
    for n in range(30):
        if n % 2:
            _case(
                S.NOTICE_ISSUED,
                mine,
                first_name=f"Many{n}",
                notice_ends_on=TODAY + dt.timedelta(days=n % 10),
                exit_on=TODAY + dt.timedelta(days=n % 10),
            )
        else:
            _case(S.AT_RISK, mine, first_name=f"Many{n}")
    many = load(hr), load(rep)
    assert many == few


def test_an_organisation_without_cases_is_one_line_after_those_with_work(client, orgs):
    busy, quiet = orgs
    rep = user_in(roles.UNION_REP, organisations=[busy, quiet])
    for n in range(5):
        _case(S.AT_RISK, busy, first_name=f"Busy{n}")

    from employment.dashboard import at_risk_picture

    pictures = at_risk_picture(rep, today=TODAY)
    assert [(p.organisation, p.is_quiet) for p in pictures] == [(busy, False), (quiet, True)]
    client.force_login(rep)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "NHS Other CCG" in page and "no open cases, now or since" in page
