"""`employment.estimates`: calculator inputs read off a staff member or a case.

The figures are the hand-worked ones of the calculators' own tests (sources there): the
domain-rules.md worked example is band 7, 50,000, born 10 Mar 1975, NHS service from
1 Sep 2008, leaving 31 Mar 2026 -> Section 16 17 x 50,000 x 4.35 / 52 = £71,105.77; statutory
22 weeks x £719 = £15,818.00.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from cms.selectors import own_record
from employment.estimates import (
    EstimateUnavailable,
    estimate_for_case,
    estimate_for_staff_member,
    inputs_for_case,
)
from employment.models import Case
from tests.factories import AssignmentFactory, CaseFactory, PostFactory, UserFactory
from tracker import roles, services

pytestmark = pytest.mark.django_db

EXIT = dt.date(2026, 3, 31)


@pytest.fixture
def assignment():
    return AssignmentFactory(
        staff_member__date_of_birth=dt.date(1975, 3, 10),
        staff_member__nhs_service_start=dt.date(2008, 9, 1),
        post__band="7",
        annual_salary=Decimal("50000.00"),
    )


def test_a_staff_member_gets_the_worked_example(assignment, django_assert_num_queries):
    person = assignment.staff_member
    with django_assert_num_queries(1):  # the person's current assignments, with their posts
        result = estimate_for_staff_member(person, exit_on=EXIT)
    assert result.afc_redundancy.total == Decimal("71105.77")
    assert result.statutory_redundancy.total == Decimal("15818.00")
    assert result.band == "7"


def test_given_assignments_need_no_query(assignment, django_assert_num_queries):
    person = assignment.staff_member
    assignments = list(person.assignments.select_related("post"))
    with django_assert_num_queries(0):
        result = estimate_for_staff_member(person, exit_on=EXIT, assignments=assignments)
    assert result.afc_redundancy.total == Decimal("71105.77")


def test_the_pension_return_date_on_the_person_is_used(assignment):
    # Returned after drawing an NHS pension on 1 Apr 2022: reckonable 1 Apr 2022 .. 31 Mar 2026
    # = 4 years -> 4 x 50,000 x 4.35 / 52 = 870,000 / 52 = 16,730.769... -> £16,730.77.
    # Statutory continuity is not touched: still 22 weeks x 719 = £15,818.00.
    person = assignment.staff_member
    person.pension_return_date = dt.date(2022, 4, 1)
    result = estimate_for_staff_member(person, exit_on=EXIT)
    assert result.service.retire_and_return == dt.date(2022, 4, 1)
    assert result.afc_redundancy.reckonable_years == 4
    assert result.afc_redundancy.total == Decimal("16730.77")
    assert result.statutory_redundancy.total == Decimal("15818.00")


def test_part_time_uses_the_post_wte():
    # 0.6 WTE on 18,000: floor 13,800, cap 48,000 pro rata -> 18,000 used; 1 Apr 2016 ..
    # 31 Mar 2026 = 10 years: 10 x 18,000 x 4.35 / 52 = 783,000 / 52 = 15,057.69.
    assignment = AssignmentFactory(
        staff_member__nhs_service_start=dt.date(2016, 4, 1),
        post__wte=Decimal("0.6000"),
        annual_salary=Decimal("18000.00"),
    )
    result = estimate_for_staff_member(assignment.staff_member, exit_on=EXIT)
    assert result.fte == Decimal("0.6")
    assert result.afc_redundancy.total == Decimal("15057.69")


def test_missing_figures_are_named():
    assignment = AssignmentFactory(annual_salary=None, staff_member__date_of_birth=None)
    with pytest.raises(EstimateUnavailable, match="salary and date of birth are missing"):
        estimate_for_staff_member(assignment.staff_member, exit_on=EXIT)


def test_a_case_uses_its_dates_post_and_very_senior_flag(django_assert_max_num_queries):
    # Two current posts: the case's post (band 7, 50,000) is used, not the better-paid other one
    # (band 8a, 60,000). Notice given 5 Jan 2026, exit 31 Mar 2026 (full 12 weeks worked would
    # expire 5 Jan + 84 days = 30 Mar, before the exit -> no s.145(5) move). Very senior -> the
    # VR clawback is 12 months: 31 Mar 2027.
    case = CaseFactory(
        staff_member__date_of_birth=dt.date(1975, 3, 10),
        staff_member__nhs_service_start=dt.date(2008, 9, 1),
        notice_starts_on=dt.date(2026, 1, 5),
        notice_ends_on=EXIT,
        exit_on=EXIT,
        is_very_senior=True,
    )
    AssignmentFactory(staff_member=case.staff_member, post=case.post, annual_salary=50000)
    AssignmentFactory(
        staff_member=case.staff_member, post=PostFactory(band="8a"), annual_salary=60000
    )
    loaded = Case.objects.select_related("staff_member").get(pk=case.pk)
    with django_assert_max_num_queries(1):
        result = estimate_for_case(loaded)
    assert result.applied_on == EXIT
    assert result.notice.notice_given_on == dt.date(2026, 1, 5)
    assert result.afc_redundancy.total == Decimal("71105.77")
    assert result.statutory_redundancy.relevant_date == EXIT
    assert result.voluntary_redundancy.clawback_end == dt.date(2027, 3, 31)


def test_a_case_with_pay_in_lieu_moves_the_statutory_relevant_date():
    # Proposed dismissal 31 Mar 2026 with pay in lieu (no notice date): as the calculators'
    # test, 23 June 2026, cap £751 -> 22 x 751 = £16,522.00.
    case = CaseFactory(proposed_dismissal_on=EXIT)
    AssignmentFactory(staff_member=case.staff_member, post=case.post, annual_salary=50000)
    result = estimate_for_case(case, pay_in_lieu=True)
    assert result.statutory_redundancy.relevant_date == dt.date(2026, 6, 23)
    assert result.statutory_redundancy.total == Decimal("16522.00")


def test_a_case_without_dates_leaves_today_and_exit_on_overrides():
    case = CaseFactory()
    AssignmentFactory(staff_member=case.staff_member, post=case.post, annual_salary=50000)
    assert inputs_for_case(case, today=dt.date(2026, 2, 2)).exit_date == dt.date(2026, 2, 2)
    assert inputs_for_case(case, exit_on=EXIT, today=dt.date(2026, 2, 2)).exit_date == EXIT


def test_own_record_carries_plain_staff_lines(assignment):
    user = UserFactory(is_staff=False)
    services.staff_member_update(
        staff_member=assignment.staff_member,
        user=user,
        acting_user=UserFactory(is_superuser=True),
        reason="link account",
    )
    record = own_record(user, today=EXIT)
    assert record is not None
    assert record.estimate is not None
    assert record.estimate.afc_redundancy.total == Decimal("71105.77")
    titles = [section.title for section in record.estimate_lines]
    assert titles[0] == "NHS redundancy pay"
    assert record.estimate_lines[0].summary == "About £71,105.77, for 17 months."
    text = " ".join(
        f"{section.title} {section.summary} {' '.join(section.lines)}"
        for section in record.estimate_lines
    )
    assert "[" not in text and "domain-rules" not in text


def test_the_my_page_shows_the_estimate_in_plain_english(client, assignment):
    # /my/ renders the breakdown fields; they carry the staff wording, so none of the admin
    # markers, citations or file names reach the page, and the rule sets appear in words.
    user = UserFactory(is_staff=False)
    user.groups.add(Group.objects.get(name=roles.STAFF))
    services.staff_member_update(
        staff_member=assignment.staff_member,
        user=user,
        acting_user=UserFactory(is_superuser=True),
        reason="link account",
    )
    client.force_login(user)
    html = client.get("/my/").content.decode()
    assert "This is an estimate" in html
    for marker in ("[assumed]", "[reported]", "[interpretation]", "domain-rules", "s.162"):
        assert marker not in html
    assert "4.35 weeks&#x27; pay" in html
    assert (
        "Worked out with: NHS redundancy pay (Agenda for Change, Section 16, England), rules in "
        "force from 1 April 2015." in html
    )
