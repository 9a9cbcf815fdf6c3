"""Anonymised alerts never single anyone out: a band or directorate is named only where at least
5 people in the organisation hold it (and both together where both are named); post titles never.

Each case below is about one person in a Band 6 "Contracts Manager" post in Finance; around them,
the test places other holders, and the expected wording is typed out by hand.
"""

import datetime as dt

import pytest

from employment.alerts import raise_case_status_alert
from employment.models import AlertRecipient, Case
from tests.employment.conftest import user_in
from tests.factories.employment import CaseFactory
from tests.factories.tracker import AssignmentFactory, OrganisationFactory, PostFactory
from tracker import roles

ON = dt.date(2026, 5, 1)
ORG = "Greater Manchester ICB (QOP)"


@pytest.fixture
def org(db):
    return OrganisationFactory(code="QOP", name="Greater Manchester ICB", kind="icb")


def _holders(org, n, *, band, directorate, title="Analyst", end_on=None):
    for _ in range(n):
        AssignmentFactory(
            post=PostFactory(organisation=org, band=band, directorate=directorate, title=title),
            end_on=end_on,
        )


def _anonymised_subject(org):
    user_in(roles.HR_MANAGER, organisations=[org], username="hr")
    user_in(roles.UNION_REP, organisations=[org], username="rep")
    post = PostFactory(organisation=org, band="6", directorate="Finance", title="Contracts Manager")
    case = CaseFactory(employer=org, post=post, status=Case.Status.AT_RISK)
    AssignmentFactory(post=post, staff_member=case.staff_member)
    raise_case_status_alert(case=case, status=Case.Status.AT_RISK, on=ON)
    row = AlertRecipient.objects.get(user__username="rep")
    assert not row.named
    assert "Contracts Manager" not in row.subject + row.body
    assert case.staff_member.first_name not in row.subject + row.body
    return row.subject


def test_band_and_directorate_when_five_hold_both(org):
    _holders(org, 4, band="6", directorate="Finance")  # with the person: 5 Band 6 in Finance
    assert _anonymised_subject(org) == (
        f"A Band 6 post-holder in Finance, {ORG} has been put at risk"
    )


def test_band_only_when_the_band_is_common_but_not_in_that_directorate(org):
    _holders(org, 3, band="6", directorate="Finance")  # 4 Band 6 in Finance
    _holders(org, 1, band="6", directorate="Nursing")  # 5 Band 6 in all
    _holders(org, 1, band="7", directorate="Finance")  # 5 in Finance in all
    assert _anonymised_subject(org) == f"A Band 6 post-holder in {ORG} has been put at risk"


def test_directorate_only_when_the_band_is_rare(org):
    _holders(org, 3, band="6", directorate="Nursing")  # 4 Band 6 in all
    _holders(org, 4, band="7", directorate="Finance")  # 5 in Finance
    assert _anonymised_subject(org) == f"A member of staff in Finance, {ORG} has been put at risk"


def test_nothing_but_the_organisation_when_both_are_rare(org):
    _holders(org, 3, band="6", directorate="Finance")  # 4 and 4
    assert _anonymised_subject(org) == f"A member of staff in {ORG} has been put at risk"


def test_people_who_have_left_or_work_elsewhere_do_not_count(org):
    _holders(org, 4, band="6", directorate="Finance", end_on=dt.date(2026, 3, 31))
    _holders(OrganisationFactory(code="QYG"), 10, band="6", directorate="Finance")
    assert _anonymised_subject(org) == f"A member of staff in {ORG} has been put at risk"


def test_two_posts_held_by_one_person_count_once(org):
    from tests.factories.tracker import StaffMemberFactory

    person = StaffMemberFactory()
    for _ in range(4):
        AssignmentFactory(
            staff_member=person,
            post=PostFactory(organisation=org, band="6", directorate="Finance"),
        )
    assert _anonymised_subject(org) == f"A member of staff in {ORG} has been put at risk"
