"""The entitlement estimate on the admin case screen: HR sees it; nobody else sees pay."""

import datetime as dt
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from tests.employment.conftest import user_in
from tests.factories.employment import CaseFactory
from tests.factories.tracker import AssignmentFactory, PostFactory, StaffMemberFactory
from tracker import roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(employer):
    # domain-rules.md's worked example: band 7, £50,000, born 10 March 1975, continuous NHS
    # service from 1 September 2008, leaving 31 March 2026: 17 complete years, and Section 16
    # pays 17 x 50,000 x 4.35 / 52 = 71,105.769... -> £71,105.77 (route (a), 17 x 50,000 / 12
    # = £70,833.33, is lower).
    person = StaffMemberFactory(
        first_name="Sunita",
        date_of_birth=dt.date(1975, 3, 10),
        nhs_service_start=dt.date(2008, 9, 1),
    )
    post = PostFactory(organisation=employer, band="7", wte=Decimal("1.0000"))
    AssignmentFactory(
        staff_member=person, post=post, annual_salary=Decimal("50000.00"),
        start_on=dt.date(2015, 4, 1),
    )
    return CaseFactory(
        employer=employer, post=post, staff_member=person, exit_on=dt.date(2026, 3, 31)
    )


def test_hr_sees_the_section_16_figure_worked_by_hand(client, hr_user, case):
    client.force_login(hr_user)
    page = client.get(reverse("employment_cases:inspect", args=[case.pk])).content.decode()
    assert "Entitlement estimate" in page
    assert "71,105.77" in page


@pytest.mark.parametrize("role", [roles.AUDITOR, roles.UNION_REP])
def test_others_who_may_open_the_case_do_not_see_pay(client, employer, case, role):
    case.requested_representation = True
    case.union_name = "UNISON"
    case.save(update_fields=["requested_representation", "union_name"])
    client.force_login(user_in(role, organisations=[employer], union="UNISON"))
    response = client.get(reverse("employment_cases:inspect", args=[case.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Entitlement estimate" not in page
    assert "71,105.77" not in page


def test_hr_is_told_what_the_persons_record_lacks_in_hr_wording(client, hr_user, case):
    """HR reads the admin screen: the record is the person's, never "your record" (that is the
    wording of the person's own page, /my/)."""
    person = case.staff_member
    person.date_of_birth = None
    person._history_user, person._change_reason = hr_user, "test: date of birth not recorded"
    person.save(update_fields=["date_of_birth"])
    client.force_login(hr_user)
    page = unescape(
        client.get(reverse("employment_cases:inspect", args=[case.pk])).content.decode()
    )
    assert "No estimate yet: the date of birth is missing from this person's record" in page
    assert "your record" not in page
