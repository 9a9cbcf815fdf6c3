"""Who may see and change what on every employment screen and service, per role and scope.

Roles: HR in scope (covers the employer), HR out of scope (covers another organisation), the
union rep of the member's own union, a rep of another union (same organisation), an auditor, a
partnership approver, a CMS editor, a member of staff, and nobody signed in. The expectations
are typed out below, screen by screen, not derived from the code under test.
"""

import datetime as dt
import re

import pytest
from django.db import reset_queries
from django.urls import reverse

from employment import services
from employment.models import (
    Case,
    CaseViewLog,
    CollectiveConsultation,
    ConsultationDisclosure,
    ConsultationMeeting,
    RedeploymentOffer,
)
from tests.employment.conftest import person_in, user_in
from tests.factories.employment import (
    CaseFactory,
    CollectiveConsultationFactory,
    RedeploymentOfferFactory,
)
from tests.factories.tracker import AssignmentFactory, OrganisationFactory, PostFactory
from tracker import roles
from tracker.access import OutOfScope

S = Case.Status
ON = dt.date(2026, 2, 2)
NAME = "Rosa Represented"
ROLES = ["hr_in", "hr_out", "rep_same", "rep_other", "auditor", "approver", "editor", "staff",
         "anonymous"]
LOGGED = {"rep_same", "auditor"}  # whose views of named cases are logged


@pytest.fixture
def world(db, employer):
    elsewhere = OrganisationFactory(code="QYG", name="Cheshire and Merseyside ICB")
    users = {
        "hr_in": user_in(roles.HR_MANAGER, organisations=[employer], username="hr-in"),
        "hr_out": user_in(roles.HR_MANAGER, organisations=[elsewhere], username="hr-out"),
        "rep_same": user_in(roles.UNION_REP, organisations=[employer], username="rep-unison",
                            union="UNISON"),
        "rep_other": user_in(roles.UNION_REP, organisations=[employer], username="rep-unite",
                             union="UNITE"),
        "auditor": user_in(roles.AUDITOR, username="auditor"),
        "approver": user_in(roles.PARTNERSHIP_APPROVER, username="approver"),
        "editor": user_in(roles.CMS_EDITOR, username="editor"),
        "staff": user_in(roles.STAFF, username="staffer", is_staff=False),
        "anonymous": None,
    }
    own_post = PostFactory(organisation=employer, band="6", title="Contracts Officer")
    person = person_in(employer, post=own_post, first_name="Rosa", last_name="Represented")
    case = CaseFactory(
        employer=employer, post=own_post, staff_member=person, requested_representation=True,
        union_name="UNISON", has_statutory_redeployment_priority=True,
    )
    vacancy = PostFactory(organisation=employer, band="6", title="Contracts Manager")
    offered = PostFactory(organisation=employer, band="6", title="Procurement Lead")
    offer = RedeploymentOfferFactory(case=case, post=offered)
    consultation = CollectiveConsultationFactory(employer=employer, establishment="Oldham")
    outsider = person_in(elsewhere, first_name="Olive", last_name="Outsider")
    return {
        "users": users, "case": case, "vacancy": vacancy, "offer": offer,
        "consultation": consultation, "employer": employer, "elsewhere": elsewhere,
        "outsider": outsider, "person": person,
        "colleague": person_in(employer, first_name="Colin", last_name="Colleague"),
    }


def _urls(w):
    case, offer = w["case"], w["offer"]
    return {
        "case_list": reverse("employment_cases:index"),
        "case_inspect": reverse("employment_cases:inspect", args=[case.pk]),
        "case_add": reverse("employment_cases:add"),
        "case_edit": reverse("employment_cases:edit", args=[case.pk]),
        "at_risk": reverse("employment_at_risk_summary"),
        "register": reverse("employment_redeployment_register"),
        "matches": reverse("employment_redeployment_matches", args=[case.pk]),
        "offer_form": reverse("employment_redeployment_offer", args=[case.pk, w["vacancy"].pk]),
        "offer_list": reverse("employment_offers:index"),
        "offer_inspect": reverse("employment_offers:inspect", args=[offer.pk]),
        "consultations": reverse("employment_consultations:index"),
        "consultation": reverse("employment_consultations:inspect", args=[w["consultation"].pk]),
        "view_log": reverse("employment_case_views:index"),
    }


# N, named: 200 and the person's name shown; Y, yes: 200 without the name; X: refused (a
# redirect, 403 or 404) and no name. Named screens log a view for reps and auditors.
N, Y, X = "named", "yes", "x"
EXPECTED = {
    #                hr_in hr_out rep_same rep_other auditor approver editor staff anonymous
    "case_list":     (N,   Y,     N,       Y,        N,      X,       X,     X,    X),
    "case_inspect":  (N,   X,     N,       X,        N,      X,       X,     X,    X),
    "case_add":      (Y,   Y,     X,       X,        X,      X,       X,     X,    X),
    "case_edit":     (N,   X,     X,       X,        X,      X,       X,     X,    X),
    "at_risk":       (Y,   Y,     Y,       Y,        Y,      X,       X,     X,    X),
    "register":      (N,   Y,     X,       X,        N,      X,       X,     X,    X),
    "matches":       (N,   X,     X,       X,        N,      X,       X,     X,    X),
    "offer_form":    (N,   X,     X,       X,        X,      X,       X,     X,    X),
    "offer_list":    (N,   Y,     X,       X,        N,      X,       X,     X,    X),
    "offer_inspect": (N,   X,     X,       X,        N,      X,       X,     X,    X),
    "consultations": (Y,   Y,     Y,       Y,        Y,      X,       X,     X,    X),
    "consultation":  (Y,   X,     Y,       Y,        Y,      X,       X,     X,    X),
    "view_log":      (X,   X,     X,       X,        Y,      X,       X,     X,    X),
}
#: Screens a logged viewer's visit writes one view-log entry for (naming the case).
LOGGING_SCREENS = {"case_list", "case_inspect", "register", "matches", "offer_list",
                   "offer_inspect"}


def _client_for(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_screen_per_role(client, world, role):
    user = world["users"][role]
    _client_for(client, user)
    for screen, url in _urls(world).items():
        expected = EXPECTED[screen][ROLES.index(role)]
        logs_before = CaseViewLog.objects.count()
        response = client.get(url)
        body = response.content.decode()
        where = f"{role} on {screen}"
        if expected == X:
            assert response.status_code in (302, 403, 404), where
        else:
            assert response.status_code == 200, where
        assert (NAME in body) is (expected == N), where
        # The statutory-priority flag: HR only, on every screen.
        if role != "hr_in":
            assert "Statutory priority" not in body, where
            assert "Statutory redeployment priority" not in body, where
        # The union: never on a list, the register or an offer screen.
        if screen not in ("case_inspect", "case_edit", "case_add"):
            assert "UNISON" not in body, where
        logged = CaseViewLog.objects.count() - logs_before
        if role in LOGGED and screen in LOGGING_SCREENS and expected == N:
            assert logged == 1, where
            entry = CaseViewLog.objects.latest("pk")
            assert list(entry.cases.values_list("pk", flat=True)) == [world["case"].pk], where
            assert entry.user == user and entry.path == url, where
        else:
            assert logged == 0, where


@pytest.mark.django_db
def test_the_flag_and_the_union_are_shown_to_hr_in_scope(client, world):
    _client_for(client, world["users"]["hr_in"])
    urls = _urls(world)
    register = client.get(urls["register"]).content.decode()
    assert "Statutory priority" in register
    inspect = client.get(urls["case_inspect"]).content.decode()
    assert "Statutory redeployment priority" in inspect and "UNISON" in inspect


@pytest.mark.django_db
def test_the_union_is_shown_to_the_members_own_rep_only(client, world):
    url = _urls(world)["case_inspect"]
    _client_for(client, world["users"]["rep_same"])
    assert "UNISON" in client.get(url).content.decode()
    _client_for(client, world["users"]["auditor"])
    assert "UNISON" not in client.get(url).content.decode()


@pytest.mark.django_db
def test_the_register_order_reveals_the_flag_to_hr_only(client, world, employer):
    """Priority first would tell an auditor who has the flag: they get at-risk order."""
    early = CaseFactory(employer=employer, post__band="6", at_risk_on=dt.date(2025, 1, 6),
                        staff_member__first_name="Early", staff_member__last_name="Bird")
    world["case"].at_risk_on = dt.date(2026, 1, 5)
    Case.objects.filter(pk=world["case"].pk).update(at_risk_on=dt.date(2026, 1, 5))
    url = _urls(world)["register"]
    _client_for(client, world["users"]["hr_in"])
    body = client.get(url).content.decode()
    assert body.index(NAME) < body.index("Early Bird")
    _client_for(client, world["users"]["auditor"])
    body = client.get(url).content.decode()
    assert body.index("Early Bird") < body.index(NAME)
    assert early.pk


@pytest.mark.django_db
def test_the_add_form_offers_only_in_scope_people_and_posts(client, world):
    """The form names nobody itself (at 100,000 people a select was a 12 MB page): its person
    and post fields open choosers, which list only what the HR manager may choose."""
    url = _urls(world)["case_add"]
    for role, shown, hidden in (("hr_in", NAME, "Olive Outsider"),
                                ("hr_out", "Olive Outsider", NAME)):
        _client_for(client, world["users"][role])
        body = client.get(url).content.decode()
        assert NAME not in body and "Olive Outsider" not in body, role
        assert '<select name="staff_member"' not in body and '<select name="post"' not in body
        choosers = dict(re.findall(r'data-chooser-url="(/admin/(\w+?)_chooser/)"', body))
        people = client.get(next(u for u, m in choosers.items() if m == "staff_member"))
        assert shown in people.content.decode() and hidden not in people.content.decode(), role
        posts = client.get(next(u for u, m in choosers.items() if m == "post")).content.decode()
        assert ("Contracts Manager" in posts) is (role == "hr_in"), role  # the employer's post


@pytest.mark.django_db
def test_the_view_log_lists_case_numbers_not_names(client, world):
    _client_for(client, world["users"]["rep_same"])
    client.get(_urls(world)["case_list"])
    _client_for(client, world["users"]["auditor"])
    body = client.get(_urls(world)["view_log"]).content.decode()
    assert "rep-unison" in body and "Case list" in body
    assert f"<td>{world['case'].pk}</td>" in body.replace(" ", "").replace("\n", "") or str(
        world["case"].pk) in body
    assert NAME not in body


# --- forged writes through the screens ------------------------------------------------------


def _snapshot(w):
    case = Case.objects.get(pk=w["case"].pk)
    offer = RedeploymentOffer.objects.get(pk=w["offer"].pk)
    return (
        case.status, case.proposed_dismissal_on, case.union_name, case.history.count(),
        Case.objects.count(), offer.status, RedeploymentOffer.objects.count(),
        ConsultationMeeting.objects.count(), ConsultationDisclosure.objects.count(),
        CollectiveConsultation.objects.get(pk=w["consultation"].pk).starts_on,
        CollectiveConsultation.objects.count(),
    )


def _forged_posts(w):
    case, offer, consultation = w["case"], w["offer"], w["consultation"]
    urls = _urls(w)
    return [
        (reverse("employment_case_transition", args=[case.pk]),
         {"to": S.WITHDRAWN, "on": "2026-02-02", "reason": "forged", "seen_status": S.AT_RISK}),
        (urls["case_edit"],
         {"post": case.post_id, "establishment": "", "proposed_dismissal_on": "2026-06-30",
          "requested_representation": "on", "union_name": "UNITE", "change_reason": "forged"}),
        (urls["case_add"],
         {"staff_member": w["colleague"].pk, "employer": w["employer"].pk, "establishment": "",
          "opened_on": "2026-02-02", "status": S.AT_RISK, "change_reason": "forged"}),
        (urls["offer_form"], {"offered_on": "2026-02-02", "reason": "forged"}),
        (reverse("employment_offer_action", args=[offer.pk, "withdraw"]),
         {"on": "2026-02-02", "reason": "forged"}),
        (reverse("employment_consultation_record", args=[consultation.pk, "meeting"]),
         {"held_on": "2026-04-08", "attendees": "forged", "reason": "forged"}),
        (reverse("employment_consultation_record", args=[consultation.pk, "disclosure"]),
         {"item": "reasons", "content": "forged", "disclosed_on": "2026-04-08",
          "reason": "forged"}),
        (reverse("employment_consultations:edit", args=[consultation.pk]),
         {"starts_on": "2026-03-01", "hr1_submitted_on": "", "change_reason": "forged"}),
        (reverse("employment_consultations:add"),
         {"employer": w["employer"].pk, "establishment": "Bury", "change_reason": "forged"}),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r for r in ROLES if r != "hr_in"])
def test_forged_writes_change_nothing(client, world, role):
    _client_for(client, world["users"][role])
    before = _snapshot(world)
    for url, data in _forged_posts(world):
        response = client.post(url, data)
        assert response.status_code in (200, 302, 403, 404), (role, url)
        assert _snapshot(world) == before, (role, url)


@pytest.mark.django_db
def test_hr_out_of_scope_cannot_open_a_case_for_an_in_scope_person(client, world):
    """The employer is in the form's choices for nobody out of scope, and a forged one fails."""
    _client_for(client, world["users"]["hr_out"])
    before = Case.objects.count()
    response = client.post(_urls(world)["case_add"], {
        "staff_member": AssignmentFactory(post__organisation=world["employer"]).staff_member_id,
        "employer": world["employer"].pk, "establishment": "", "opened_on": "2026-02-02",
        "status": S.AT_RISK, "change_reason": "forged",
    })
    assert response.status_code == 200
    assert Case.objects.count() == before


@pytest.mark.django_db
def test_a_second_open_case_is_a_form_error_not_a_500(client, world):
    _client_for(client, world["users"]["hr_in"])
    before = Case.objects.count()
    response = client.post(_urls(world)["case_add"], {
        "staff_member": world["person"].pk, "employer": world["employer"].pk,
        "establishment": "", "opened_on": "2026-02-02", "status": S.AT_RISK,
        "change_reason": "Post closes",
    })
    assert response.status_code == 200
    assert "already has an open case" in response.content.decode()
    assert Case.objects.count() == before


# --- services, called directly (a script or a command) ---------------------------------------


def _service_calls(w):
    case, offer, consultation, employer = w["case"], w["offer"], w["consultation"], w["employer"]
    return {
        "case_open": lambda u: services.case_open(
            staff_member=person_in(employer), employer=employer, acting_user=u, reason="r",
            on=ON),
        "case_transition": lambda u: services.case_transition(
            case=Case.objects.get(pk=case.pk), to=S.WITHDRAWN, acting_user=u, reason="r", on=ON),
        "case_trial_extend": lambda u: services.case_trial_extend(
            case=case, extended_to=dt.date(2026, 6, 1), agreed_in_writing_on=ON, acting_user=u,
            reason="r"),
        "case_update": lambda u: services.case_update(
            case=case, proposed_dismissal_on=dt.date(2026, 6, 30), acting_user=u, reason="r"),
        "case_representation_record": lambda u: services.case_representation_record(
            case=case, requested=False, acting_user=u, reason="r"),
        "consultation_open": lambda u: services.consultation_open(
            employer=employer, establishment="Bury", acting_user=u, reason="r"),
        "consultation_update": lambda u: services.consultation_update(
            consultation=consultation, starts_on=ON, acting_user=u, reason="r"),
        "consultation_record_disclosure": lambda u: services.consultation_record_disclosure(
            consultation=consultation, item="reasons", content="c", disclosed_on=ON,
            acting_user=u, reason="r"),
        "consultation_record_meeting": lambda u: services.consultation_record_meeting(
            consultation=consultation, held_on=ON, attendees="a", acting_user=u, reason="r"),
        "redeployment_offer_record": lambda u: services.redeployment_offer_record(
            case=case, post=w["vacancy"], offered_on=ON, acting_user=u, reason="r"),
        "redeployment_offer_respond": lambda u: services.redeployment_offer_respond(
            offer=offer, accepted=False, refusal_reason="no", responded_on=ON, acting_user=u,
            reason="r"),
        "redeployment_offer_withdraw": lambda u: services.redeployment_offer_withdraw(
            offer=offer, on=ON, acting_user=u, reason="r"),
        "redeployment_trial_outcome_record": lambda u: services.redeployment_trial_outcome_record(
            offer=offer, successful=True, on=ON, acting_user=u, reason="r"),
    }


SERVICES = list(_service_calls({"case": None, "offer": None, "consultation": None,
                                "employer": None, "vacancy": None}))


@pytest.mark.django_db
@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("hr_in", "anonymous")])
def test_every_service_refuses_out_of_scope_users(world, role, service):
    before = _snapshot(world)
    with pytest.raises(OutOfScope):
        _service_calls(world)[service](world["users"][role])
    assert _snapshot(world) == before


@pytest.mark.django_db
@pytest.mark.parametrize("service", SERVICES)
def test_every_service_lets_hr_in_scope_past_the_scope_check(world, service):
    """In scope, the service goes on to its own rules: it either writes or refuses for a reason
    that is not scope (the trial and outcome calls refuse: the case is not in a trial)."""
    try:
        _service_calls(world)[service](world["users"]["hr_in"])
    except OutOfScope:  # pragma: no cover - the failure this test exists to catch
        pytest.fail(f"{service} refused HR in scope")
    except services.CaseError:
        assert service in ("case_trial_extend", "redeployment_trial_outcome_record")


@pytest.mark.django_db
def test_hr_in_scope_cannot_reach_out_of_scope_people_or_posts(world):
    hr, case = world["users"]["hr_in"], world["case"]
    with pytest.raises(OutOfScope):
        services.case_open(staff_member=world["outsider"], employer=world["employer"],
                           acting_user=hr, reason="r", on=ON)
    with pytest.raises(OutOfScope):
        services.case_update(case=case, post=PostFactory(organisation=world["elsewhere"]),
                             acting_user=hr, reason="r")
    with pytest.raises(OutOfScope):
        services.case_open(staff_member=person_in(world["employer"]), employer=world["employer"],
                           post=PostFactory(organisation=world["elsewhere"]), acting_user=hr,
                           reason="r", on=ON)
    case.refresh_from_db()
    assert case.post.organisation == world["employer"]


@pytest.mark.django_db
def test_an_offer_must_match_the_person(world):
    """A vacancy in an unlinked organisation is not offered, even by HR in scope."""
    far = PostFactory(organisation=OrganisationFactory(code="QKK"), band="6")
    with pytest.raises(services.CaseError, match="matching this person"):
        services.redeployment_offer_record(case=world["case"], post=far, offered_on=ON,
                                           acting_user=world["users"]["hr_in"], reason="r")


# --- query counts stay flat, logging included ---------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "screen"), [
    ("rep_same", "case_list"), ("auditor", "case_list"), ("auditor", "register"),
    ("hr_in", "register"), ("auditor", "offer_list"), ("auditor", "view_log"),
])
def test_list_screens_query_counts_are_flat(client, world, role, screen,
                                            django_assert_max_num_queries):
    employer = world["employer"]

    def build(n):
        for _ in range(n):
            case = CaseFactory(employer=employer, post__band="6",
                               requested_representation=True, union_name="UNISON")
            PostFactory(organisation=employer, band="6")
            RedeploymentOfferFactory(case=case)

    url = _urls(world)[screen]
    _client_for(client, world["users"][role])
    build(3)
    client.get(url)  # warm per-process caches
    client.get(_urls(world)["case_list"])
    reset_queries()  # the query log keeps 9,000 entries; measure from an empty one
    with django_assert_max_num_queries(40) as small:
        assert client.get(url).status_code == 200
    queries = len(small.captured_queries)
    build(15)
    client.get(_urls(world)["case_list"])
    reset_queries()
    with django_assert_max_num_queries(queries):
        assert client.get(url).status_code == 200
