"""/my/: a member of staff sees their own post, case, dates, guarantees and an estimate, and
nobody else's."""

import datetime as dt
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import GuaranteeIndexPage, GuaranteePage, HomePage
from employment.services import case_open, case_representation_record
from tests import factories
from tracker import roles, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def me():
    """Band 7, £50,000, born 10 March 1975, NHS service from 1 September 2008: the worked
    example in domain-rules.md."""
    user = factories.UserFactory(username="me", is_staff=False)
    user.groups.add(Group.objects.get(name=roles.STAFF))
    assignment = factories.AssignmentFactory(
        staff_member__first_name="Jordan",
        staff_member__last_name="Reid",
        staff_member__date_of_birth=dt.date(1975, 3, 10),
        staff_member__nhs_service_start=dt.date(2008, 9, 1),
        post__band="7",
        post__organisation__code="99A",
        annual_salary=Decimal("50000.00"),
    )
    admin = factories.UserFactory(username="admin", is_superuser=True)  # staff change nothing
    services.staff_member_update(
        staff_member=assignment.staff_member, user=user, acting_user=admin, reason="link account"
    )
    return user, assignment


def _guarantee(title, *, programmes, covers=GuaranteePage.Covers.EVERYONE, live=True):
    home = HomePage.objects.get()
    index = GuaranteeIndexPage.objects.first() or home.add_child(
        instance=GuaranteeIndexPage(title="Guarantees", slug="guarantees")
    )
    page = index.add_child(
        instance=GuaranteePage(
            title=title,
            slug=title.lower().replace(" ", "-"),
            summary=f"{title} summary",
            covers=covers,
            live=live,
        )
    )
    page.programmes.set(programmes)
    page.save_revision().publish() if live else None
    return page


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/my/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_sign_in_page_works_and_takes_you_to_your_record(client, me):
    assert client.get("/login/").status_code == 200
    response = client.post("/login/", {"login": "me", "password": "correct-horse-battery"})
    assert response.status_code == 302 and response["Location"] == "/my/"


def test_an_account_without_a_staff_record_sees_nothing(client):
    client.force_login(factories.UserFactory(is_staff=False))
    response = client.get("/my/")
    assert "not linked to a staff record" in response.content.decode()


def test_own_post_case_dates_and_estimate(client, me):
    user, assignment = me
    hr = factories.UserFactory(username="hr", is_superuser=True)
    case = case_open(
        staff_member=assignment.staff_member,
        employer=assignment.post.organisation,
        post=assignment.post,
        on=dt.date(2026, 1, 5),
        acting_user=hr,
        reason="structure",
        proposed_dismissal_on=dt.date(2026, 3, 31),
    )
    client.force_login(user)
    html = client.get("/my/").content.decode()
    assert "Jordan Reid" in html
    assert assignment.post.position_number in html
    assert case.get_status_display() in html
    assert "5 January 2026" in html  # at-risk date
    # Leaving on the proposed date, 31 March 2026: 17 complete years; Section 16 route (b)
    # 17 x £50,000 x 4.35 / 52 = £71,105.77 (domain-rules.md worked example).
    assert "£71,105.77" in html and "(17 months)" in html
    assert "This is an estimate" in html


def test_never_shows_someone_else(client, me):
    user, _ = me
    other = factories.AssignmentFactory(staff_member__first_name="Zebedee")
    case_open(
        staff_member=other.staff_member,
        employer=other.post.organisation,
        post=other.post,
        on=dt.date(2026, 1, 5),
        acting_user=factories.UserFactory(is_superuser=True),
        reason="structure",
    )
    client.force_login(user)
    html = client.get("/my/", {"staff_member": other.staff_member.pk}).content.decode()
    assert "Zebedee" not in html
    assert other.post.position_number not in html
    assert "You have no case" in html


def test_guarantees_that_apply_by_programme_and_board_level(client, me):
    user, assignment = me
    programme = factories.ProgrammeFactory(announced_on=dt.date(2021, 6, 1))
    change = factories.PlannedChangeFactory(programme=programme, post=assignment.post)
    services.planned_change_approve(
        change=change,
        acting_user=factories.UserFactory(is_superuser=True),
        reason="approved at the board",
    )
    _guarantee(
        "Employment commitment", programmes=[programme], covers=GuaranteePage.Covers.BELOW_BOARD
    )
    _guarantee("Board level terms", programmes=[programme], covers=GuaranteePage.Covers.BOARD)
    _guarantee("Other programme promise", programmes=[factories.ProgrammeFactory()])
    _guarantee("Unpublished promise", programmes=[programme], live=False)
    client.force_login(user)
    html = client.get("/my/").content.decode()
    assert "Employment commitment" in html
    assert "Board level terms" not in html
    assert "Other programme promise" not in html
    assert "Unpublished promise" not in html


def test_representation_request_is_acknowledged_without_naming_the_union(client, me):
    user, assignment = me
    hr = factories.UserFactory(username="hr", is_superuser=True)
    case = case_open(
        staff_member=assignment.staff_member,
        employer=assignment.post.organisation,
        post=assignment.post,
        on=dt.date(2026, 1, 5),
        acting_user=hr,
        reason="x",
    )
    case_representation_record(
        case=case, requested=True, union_name="UNISON", acting_user=hr, reason="asked"
    )
    client.force_login(user)
    html = client.get("/my/").content.decode()
    assert "You have asked for union representation" in html
    assert "UNISON" not in html


def test_query_count_is_bounded(client, me):
    user, _ = me
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/my/").status_code == 200
    assert len(queries) < 30, len(queries)


def test_without_a_date_of_birth_the_person_is_told_what_their_record_lacks(client, me):
    """The person's own page speaks to them ("your record"); the admin case screen words the
    same gap for HR (tests/employment/test_admin_case_estimate.py)."""
    user, assignment = me
    person = assignment.staff_member
    person.date_of_birth = None
    person._history_user, person._change_reason = user, "test: date of birth not recorded"
    person.save(update_fields=["date_of_birth"])
    client.force_login(user)
    html = unescape(client.get("/my/").content.decode())
    assert (
        "We cannot estimate your entitlements because the date of birth is missing from "
        "your record: ask HR to check it."
    ) in html
