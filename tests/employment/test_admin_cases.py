"""The case screens in the Wagtail admin, per role: who sees which case, what is logged, moving a
case with a reason, and flat query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import ModelLogEntry

from employment.models import Case, CaseViewLog
from tests.employment.conftest import person_in, user_in
from tests.factories.employment import CaseFactory
from tests.factories.tracker import OrganisationFactory, PostFactory, StaffMemberFactory
from tracker import roles

S = Case.Status
INDEX = reverse("employment_cases:index")


def inspect_url(case):
    return reverse("employment_cases:inspect", args=[case.pk])


@pytest.fixture
def people(employer):
    elsewhere = OrganisationFactory(code="QYG", name="Cheshire and Merseyside ICB")
    return {
        "rep": user_in(roles.UNION_REP, organisations=[employer], username="rep",
                       union="UNISON"),
        "auditor": user_in(roles.AUDITOR, username="auditor"),
        "staff": user_in(roles.STAFF, username="staffer", is_staff=False),
        "cms": user_in(roles.CMS_EDITOR, username="editor"),
        "approver": user_in(roles.PARTNERSHIP_APPROVER, username="approver"),
        "hr_elsewhere": user_in(roles.HR_MANAGER, organisations=[elsewhere], username="hr-qyg"),
    }


@pytest.fixture
def represented(employer):
    return CaseFactory(
        employer=employer,
        staff_member=StaffMemberFactory(first_name="Rosa", last_name="Represented"),
        requested_representation=True,
        union_name="UNISON",
    )


@pytest.fixture
def unrepresented(employer):
    return CaseFactory(
        employer=employer,
        staff_member=StaffMemberFactory(first_name="Uma", last_name="Unrepresented"),
        has_statutory_redeployment_priority=True,
    )


@pytest.mark.django_db
def test_hr_sees_their_organisations_cases_but_never_the_union_on_the_list(
    client, hr_user, represented, unrepresented
):
    client.force_login(hr_user)
    response = client.get(INDEX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Rosa Represented" in body and "Uma Unrepresented" in body
    assert "UNISON" not in body


@pytest.mark.django_db
def test_rep_sees_only_cases_where_the_member_asked_for_representation(
    client, people, represented, unrepresented
):
    client.force_login(people["rep"])
    body = client.get(INDEX).content.decode()
    assert "Rosa Represented" in body
    assert "Uma Unrepresented" not in body

    assert client.get(inspect_url(unrepresented)).status_code == 404
    assert client.get(inspect_url(represented)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["staff", "cms", "approver"])
def test_roles_without_case_access_see_no_case_screen(client, people, role, represented):
    client.force_login(people[role])
    for url in (INDEX, inspect_url(represented), reverse("employment_cases:add"),
                reverse("employment_at_risk_summary")):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        assert "Rosa Represented" not in response.content.decode()


@pytest.mark.django_db
def test_hr_of_another_organisation_cannot_open_or_move_the_case(client, people, represented):
    client.force_login(people["hr_elsewhere"])
    assert "Rosa Represented" not in client.get(INDEX).content.decode()
    assert client.get(inspect_url(represented)).status_code == 404
    response = client.post(
        reverse("employment_case_transition", args=[represented.pk]),
        {"to": S.WITHDRAWN, "on": "2026-02-02", "reason": "x", "seen_status": S.AT_RISK},
    )
    assert response.status_code == 404
    represented.refresh_from_db()
    assert represented.status == S.AT_RISK


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["rep", "auditor"])
def test_views_of_named_cases_by_reps_and_auditors_are_logged(client, people, role, represented):
    client.force_login(people[role])
    assert client.get(inspect_url(represented)).status_code == 200
    log = CaseViewLog.objects.get()
    assert (list(log.cases.all()), log.user) == ([represented], people[role])
    assert log.role == (roles.UNION_REP if role == "rep" else roles.AUDITOR)
    assert log.screen == CaseViewLog.Screen.CASE_INSPECT


@pytest.mark.django_db
def test_hr_views_are_not_logged_and_show_clocks_timeline_and_sensitive_flags(
    client, hr_user, unrepresented
):
    client.force_login(hr_user)
    body = client.get(inspect_url(unrepresented)).content.decode()
    assert CaseViewLog.objects.count() == 0
    assert "Status timeline" in body
    assert "Statutory redeployment priority" in body
    assert "Days remaining" in body
    assert "Move case" in body


@pytest.mark.django_db
def test_auditor_and_rep_read_only(client, people, represented):
    for role in ("auditor", "rep"):
        client.force_login(people[role])
        body = client.get(inspect_url(represented)).content.decode()
        assert "Move case" not in body
        assert "Statutory redeployment priority" not in body
        response = client.post(
            reverse("employment_case_transition", args=[represented.pk]),
            {"to": S.WITHDRAWN, "on": "2026-02-02", "reason": "x", "seen_status": S.AT_RISK},
        )
        assert response.status_code == 404
        assert client.get(reverse("employment_cases:edit", args=[represented.pk])).status_code \
            in (302, 403, 404)
    represented.refresh_from_db()
    assert represented.status == S.AT_RISK


@pytest.mark.django_db
def test_union_name_shown_to_rep_but_not_auditor(client, people, represented):
    client.force_login(people["rep"])
    assert "UNISON" in client.get(inspect_url(represented)).content.decode()
    client.force_login(people["auditor"])
    assert "UNISON" not in client.get(inspect_url(represented)).content.decode()


@pytest.mark.django_db
def test_hr_moves_a_case_with_a_reason_and_the_timeline_shows_it(client, hr_user, unrepresented):
    client.force_login(hr_user)
    response = client.post(
        reverse("employment_case_transition", args=[unrepresented.pk]),
        {"to": S.RING_FENCED, "on": "2026-02-02", "reason": "Two posts, three people",
         "seen_status": S.AT_RISK},
    )
    assert response.status_code == 302
    unrepresented.refresh_from_db()
    assert unrepresented.status == S.RING_FENCED
    row = unrepresented.history.latest()
    assert (row.history_user, row.history_change_reason) == (hr_user, "Two posts, three people")

    body = client.get(inspect_url(unrepresented)).content.decode()
    assert "Two posts, three people" in body
    assert "Ring-fenced (competitive process)" in body


@pytest.mark.django_db
def test_a_refused_move_is_explained(client, hr_user, unrepresented):
    client.force_login(hr_user)
    response = client.post(
        reverse("employment_case_transition", args=[unrepresented.pk]),
        {"to": S.LEFT, "on": "2026-02-02", "reason": "x", "seen_status": S.AT_RISK},
        follow=True,
    )
    # Left is allowed from at risk (resignation); vr_approved is not.
    unrepresented.refresh_from_db()
    assert unrepresented.status == S.LEFT
    other = CaseFactory(employer=unrepresented.employer)
    response = client.post(
        reverse("employment_case_transition", args=[other.pk]),
        {"to": S.VR_APPROVED, "on": "2026-02-02", "reason": "x", "seen_status": S.AT_RISK},
        follow=True,
    )
    assert "Choose an allowed status" in response.content.decode()
    other.refresh_from_db()
    assert other.status == S.AT_RISK


@pytest.mark.django_db
def test_a_stale_form_gets_the_conflict_message(client, hr_user, unrepresented):
    client.force_login(hr_user)
    Case.objects.filter(pk=unrepresented.pk).update(status=S.VR_REQUESTED)
    response = client.post(
        reverse("employment_case_transition", args=[unrepresented.pk]),
        {"to": S.WITHDRAWN, "on": "2026-02-02", "reason": "x", "seen_status": S.AT_RISK},
        follow=True,
    )
    assert "moved to Voluntary redundancy requested" in response.content.decode()
    unrepresented.refresh_from_db()
    assert unrepresented.status == S.VR_REQUESTED


@pytest.mark.django_db
def test_hr_opens_a_case_through_the_service(client, hr_user, employer):
    person = person_in(employer, first_name="Nia")
    client.force_login(hr_user)
    response = client.post(reverse("employment_cases:add"), {
        "staff_member": person.pk, "employer": employer.pk, "establishment": "",
        "opened_on": "2026-02-02", "status": S.AT_RISK, "change_reason": "Post closes",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get(staff_member=person)
    assert case.at_risk_on == dt.date(2026, 2, 2)
    assert case.history.get().history_change_reason == "Post closes"
    # Wagtail's "Site history" report lists its log entries by model, not by organisation. The
    # case's audit trail is simple-history's, read through the scoped screens: no Wagtail log
    # entry names the person for another organisation's HR manager to read there.
    assert not ModelLogEntry.objects.exists()
    elsewhere = Client()  # another person's browser (the first one's messages stay in its own)
    elsewhere.force_login(user_in(roles.HR_MANAGER, organisations=[OrganisationFactory()]))
    report = elsewhere.get("/admin/reports/site-history/")
    assert report.status_code == 200 and "Nia" not in report.content.decode()


@pytest.mark.django_db
def test_case_forms_stay_the_same_size_as_people_and_posts_grow(client, hr_user, employer):
    """The person and post fields are choosers, not selects: the add and edit pages make the
    same queries and name none of the people or posts, with 2 people or 32 (at 100,000 of each
    the selects made a 12 MB page that took 20 s)."""
    client.force_login(hr_user)
    case = CaseFactory(employer=employer, post=PostFactory(organisation=employer))
    pages = (reverse("employment_cases:add"), reverse("employment_cases:edit", args=[case.pk]))
    client.get(pages[0])  # warm per-process caches (content types, site root)

    def render():
        with CaptureQueriesContext(connection) as queries:
            bodies = [client.get(url).content.decode() for url in pages]
        return len(queries), bodies

    person_in(employer, first_name="Ffion", last_name="Firstly")
    few, _ = render()
    for n in range(30):
        person_in(employer, first_name="Grace", last_name=f"Growth{n}",
                  post=PostFactory(organisation=employer, title=f"Growth Analyst {n}"))
    many, (add, edit) = render()
    assert many == few
    assert "Choose a staff member" in add and "Choose a post" in add and "Choose a post" in edit
    for body in (add, edit):
        assert "Firstly" not in body and "Growth" not in body
        assert '<select name="staff_member"' not in body and '<select name="post"' not in body


@pytest.mark.django_db
def test_opening_a_case_for_someone_with_no_post_is_a_form_error(client, hr_user, employer):
    """The people chooser also lists people with no post (so they can be given one); a case
    needs someone who holds or held a post in the HR manager's organisations."""
    unplaced = StaffMemberFactory(first_name="Noor", last_name="Noposts")
    client.force_login(hr_user)
    response = client.post(reverse("employment_cases:add"), {
        "staff_member": unplaced.pk, "employer": employer.pk, "establishment": "",
        "opened_on": "2026-02-02", "status": S.AT_RISK, "change_reason": "Post closes",
    })
    assert response.status_code == 200
    assert "Choose someone who holds, or held, a post in an organisation you manage." in (
        response.content.decode()
    )
    assert not Case.objects.filter(staff_member=unplaced).exists()


@pytest.mark.django_db
def test_hr_edits_a_case_through_the_service(client, hr_user, unrepresented):
    client.force_login(hr_user)
    url = reverse("employment_cases:edit", args=[unrepresented.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {
        "post": unrepresented.post_id, "establishment": "", "at_risk_on": "2026-01-05",
        "proposed_dismissal_on": "2026-06-30", "has_statutory_redeployment_priority": "on",
        "requested_representation": "on", "union_name": "UNITE",
        "change_reason": "Dismissal date proposed",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    unrepresented.refresh_from_db()
    assert unrepresented.proposed_dismissal_on == dt.date(2026, 6, 30)
    assert (unrepresented.requested_representation, unrepresented.union_name) == (True, "UNITE")


@pytest.mark.django_db
def test_at_risk_figures_for_a_rep_are_numbers_not_names(client, people, represented,
                                                         unrepresented):
    client.force_login(people["rep"])
    body = client.get(reverse("employment_at_risk_summary")).content.decode()
    assert "Greater Manchester ICB (QOP)" in body
    assert "<td>fewer than 5</td>" in body and "<td>2</td>" not in body
    assert "Represented" not in body and "Unrepresented" not in body


@pytest.mark.django_db
def test_case_list_query_count_is_flat(client, hr_user, employer, django_assert_max_num_queries):
    client.force_login(hr_user)
    CaseFactory.create_batch(5, employer=employer)
    client.get(INDEX)  # warm per-process caches (content types, site root)
    with django_assert_max_num_queries(30) as small:
        assert client.get(INDEX).status_code == 200
    CaseFactory.create_batch(20, employer=employer)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(INDEX)
    assert response.content.decode().count("/employment/cases/inspect/") >= 25
    assert len(large.captured_queries) == len(small.captured_queries)


# --- the employer filter names only organisations the user may see -----------------------------


@pytest.fixture
def two_employers(employer):
    """Cases at the HR manager's employer and at one they do not cover, whose name must not
    reach them; and a case at a third employer whose post is in the HR manager's organisation
    (visible to them by its post, so its employer may be offered)."""
    other = OrganisationFactory(code="QWO", name="West Yorkshire ICB", is_legal_employer=True)
    by_post = OrganisationFactory(code="RBT", name="Bridgewater Community Trust")
    CaseFactory(employer=employer)
    CaseFactory(employer=other)
    CaseFactory(employer=by_post, post=PostFactory(organisation=employer))
    return other, by_post


def _filter_choices(client, user):
    client.force_login(user)
    response = client.get(INDEX)
    assert response.status_code == 200
    field = response.context["filters"].form.fields["employer"]
    return {str(org) for org in field.queryset}


@pytest.mark.django_db
def test_hr_covering_one_organisation_is_not_offered_another_as_an_employer(
    client, hr_user, employer, two_employers
):
    other, by_post = two_employers
    names = _filter_choices(client, hr_user)
    assert str(employer) in names and str(by_post) in names
    assert str(other) not in names
    assert other.name not in client.get(INDEX).content.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("two_employers")
def test_a_union_rep_is_offered_only_their_own_organisations(client, employer):
    rep = user_in(roles.UNION_REP, organisations=[employer], username="rep", union="UNISON")
    assert _filter_choices(client, rep) == {str(employer)}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["auditor", "superuser"])
def test_auditors_and_administrators_are_offered_every_organisation(
    client, employer, two_employers, who
):
    other, by_post = two_employers
    user = (
        user_in(roles.AUDITOR, username="auditor")
        if who == "auditor"
        else user_in(None, username="admin", is_superuser=True)
    )
    assert {str(employer), str(other), str(by_post)} <= _filter_choices(client, user)
