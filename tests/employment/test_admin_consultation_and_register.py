"""The consultation and redeployment register screens, per role."""

import pytest
from django.urls import reverse

from employment.models import Case, ConsultationMeeting, RedeploymentOffer
from tests.employment.conftest import user_in
from tests.factories.employment import (
    CaseFactory,
    CollectiveConsultationFactory,
    RedeploymentOfferFactory,
)
from tests.factories.tracker import OrganisationFactory, PostFactory, StaffMemberFactory
from tracker import roles

REGISTER = reverse("employment_redeployment_register")
CONSULTATIONS = reverse("employment_consultations:index")


@pytest.fixture
def people(employer):
    return {
        "rep": user_in(roles.UNION_REP, organisations=[employer], username="rep"),
        "auditor": user_in(roles.AUDITOR, username="auditor"),
        "staff": user_in(roles.STAFF, username="staffer", is_staff=False),
        "cms": user_in(roles.CMS_EDITOR, username="editor"),
        "approver": user_in(roles.PARTNERSHIP_APPROVER, username="approver"),
    }


@pytest.fixture
def consultation(employer):
    return CollectiveConsultationFactory(employer=employer, establishment="Oldham")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["hr", "rep", "auditor"])
def test_consultations_are_visible_to_hr_reps_and_auditors(client, people, hr_user, role,
                                                           consultation):
    client.force_login(hr_user if role == "hr" else people[role])
    assert "Oldham" in client.get(CONSULTATIONS).content.decode()
    url = reverse("employment_consultations:inspect", args=[consultation.pk])
    body = client.get(url).content.decode()
    assert "Statutory disclosures" in body and "Meetings log" in body
    assert ("Record meeting" in body) is (role == "hr")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["staff", "cms", "approver"])
def test_consultations_hidden_from_other_roles(client, people, role, consultation):
    client.force_login(people[role])
    for url in (CONSULTATIONS,
                reverse("employment_consultations:inspect", args=[consultation.pk])):
        response = client.get(url)
        assert response.status_code in (302, 403, 404)
        assert "Oldham" not in response.content.decode()


@pytest.mark.django_db
def test_rep_of_another_organisation_does_not_see_the_consultation(client, consultation):
    rep = user_in(roles.UNION_REP, organisations=[OrganisationFactory(code="QYG")],
                  username="rep-qyg")
    client.force_login(rep)
    assert "Oldham" not in client.get(CONSULTATIONS).content.decode()
    url = reverse("employment_consultations:inspect", args=[consultation.pk])
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_hr_records_a_meeting_reps_cannot(client, hr_user, people, consultation):
    url = reverse("employment_consultation_record", args=[consultation.pk, "meeting"])
    data = {"held_on": "2026-04-08", "attendees": "HR; UNISON", "disclosed": "Reasons",
            "responses": "Noted", "reason": "Minutes"}
    client.force_login(people["rep"])
    refused = client.post(url, data)
    # Wagtail turns PermissionDenied in the admin into a redirect to the dashboard.
    assert (refused.status_code, refused.url) == (302, "/admin/")
    assert not ConsultationMeeting.objects.exists()
    client.force_login(hr_user)
    assert client.post(url, data).status_code == 302
    meeting = ConsultationMeeting.objects.get()
    assert meeting.history.get().history_user == hr_user


@pytest.mark.django_db
def test_consultation_list_query_count_is_flat(client, hr_user, employer,
                                               django_assert_max_num_queries):
    client.force_login(hr_user)

    def build(n, start):
        for i in range(n):
            CollectiveConsultationFactory(employer=employer, establishment=f"Site {start + i}")
            CaseFactory(employer=employer, establishment=f"Site {start + i}", post=None,
                        status=Case.Status.VR_REQUESTED)

    build(5, 0)
    client.get(CONSULTATIONS)
    with django_assert_max_num_queries(30) as small:
        client.get(CONSULTATIONS)
    build(20, 5)
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = client.get(CONSULTATIONS).content.decode()
    assert "Site 24" in body


@pytest.mark.django_db
def test_register_shows_matches_and_no_union_information(client, hr_user, employer):
    case = CaseFactory(
        employer=employer, post__band="6", requested_representation=True, union_name="UNISON",
        staff_member=StaffMemberFactory(first_name="Rosa", last_name="Represented"),
    )
    PostFactory(organisation=employer, band="6", title="Contracts Manager")
    client.force_login(hr_user)
    body = client.get(REGISTER).content.decode()
    assert "Rosa Represented" in body and "1 matching" in body
    matches = client.get(reverse("employment_redeployment_matches", args=[case.pk]))
    body += matches.content.decode()
    assert "Contracts Manager" in body
    assert "UNISON" not in body
    assert "representation" not in body.lower().replace("representation</", "")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["rep", "staff", "cms", "approver"])
def test_register_hidden_from_reps_and_other_roles(client, people, role, employer):
    CaseFactory(employer=employer,
                staff_member=StaffMemberFactory(first_name="Rosa", last_name="Represented"),
                requested_representation=True)
    client.force_login(people[role])
    response = client.get(REGISTER)
    assert response.status_code in (302, 403)
    assert "Rosa Represented" not in response.content.decode()


@pytest.mark.django_db
def test_auditor_reads_the_register_without_offer_buttons(client, people, employer):
    case = CaseFactory(employer=employer, post__band="6")
    post = PostFactory(organisation=employer, band="6")
    client.force_login(people["auditor"])
    assert client.get(REGISTER).status_code == 200
    response = client.get(reverse("employment_redeployment_matches", args=[case.pk]))
    assert response.status_code == 200
    assert "Offer this post" not in response.content.decode()
    offer_url = reverse("employment_redeployment_offer", args=[case.pk, post.pk])
    refused = client.post(offer_url, {"offered_on": "2026-02-02", "reason": "x"})
    assert (refused.status_code, refused.url) == (302, "/admin/")
    assert not RedeploymentOffer.objects.exists()


@pytest.mark.django_db
def test_hr_offers_from_its_own_page_and_records_acceptance(client, hr_user, employer):
    case = CaseFactory(employer=employer, post__band="6")
    post = PostFactory(organisation=employer, band="6")
    client.force_login(hr_user)
    matches = client.get(reverse("employment_redeployment_matches", args=[case.pk]))
    offer_url = reverse("employment_redeployment_offer", args=[case.pk, post.pk])
    assert offer_url in matches.content.decode()
    assert "Record the offer" in client.get(offer_url).content.decode()
    response = client.post(offer_url, {"offered_on": "2026-02-02", "reason": "Good match"})
    assert response.status_code == 302
    offer = RedeploymentOffer.objects.get()
    assert offer.history.get().history_change_reason == "Good match"
    response = client.post(reverse("employment_offer_action", args=[offer.pk, "accept"]),
                           {"on": "2026-02-09", "reason": "Accepted by email"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.REDEPLOYMENT_TRIAL
    inspect = client.get(reverse("employment_offers:inspect", args=[offer.pk]))
    assert "Trial successful" in inspect.content.decode()


@pytest.mark.django_db
def test_a_refused_offer_is_a_form_error_and_writes_nothing(client, hr_user, employer):
    ordinary = CaseFactory(employer=employer, post__band="6")
    CaseFactory(employer=employer, post__band="6", has_statutory_redeployment_priority=True)
    post = PostFactory(organisation=employer, band="6")
    client.force_login(hr_user)
    response = client.post(
        reverse("employment_redeployment_offer", args=[ordinary.pk, post.pk]),
        {"offered_on": "2026-02-02", "reason": "Good match"},
    )
    assert response.status_code == 200
    assert "statutory redeployment priority match" in response.content.decode()
    assert not RedeploymentOffer.objects.exists()


@pytest.mark.django_db
def test_offers_list_hidden_from_reps(client, people, employer):
    RedeploymentOfferFactory(case__employer=employer)
    client.force_login(people["rep"])
    assert client.get(reverse("employment_offers:index")).status_code in (302, 403)
