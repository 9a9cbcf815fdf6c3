"""Every tracker admin screen, for every role, against Home's records (tests/tracker/world.py):
list, add, edit, inspect, history, usage, delete, and the list exports. The expected outcome of
each is typed out below from the access rules (product.md, "Who may see what"), not computed.

Outcomes: OK 200; NF 404 (a record the user may not see: a guessed id learns nothing);
DENY a refusal Wagtail shows as a redirect to the dashboard with a message; LOGIN a redirect
to sign in (staff and anonymous users have no admin access).
"""

from __future__ import annotations

import io

import openpyxl
import pytest

from tests.tracker.world import AWAY_MARKERS, HOME_MARKERS
from tracker.models import (
    Assignment,
    Organisation,
    PlannedChange,
    Post,
    Programme,
    StaffMember,
    Succession,
)

pytestmark = pytest.mark.django_db

OK, NF, DENY, LOGIN = "200", "404", "deny", "login"

URL_NAMES = {
    Organisation: "organisations",
    Succession: "successions",
    Programme: "programmes",
    Post: "posts",
    StaffMember: "staff",
    Assignment: "assignments",
    PlannedChange: "planned_changes",
}
SCREENS = ("list", "add", "edit", "inspect", "history", "usage", "delete")

# Organisations and programmes are the two tracker models a union rep may view.
REP_VIEWS = (Organisation, Programme)

#: role -> outcomes on Home's record, in SCREENS order. For the rep, two rows: the models a rep
#: may view (REP_VIEWS), then the rest.
EXPECTED = {
    "hr_a": (OK, OK, OK, OK, OK, OK, DENY),
    "hr_b": (OK, OK, NF, NF, NF, NF, NF),
    "rep/views": (OK, DENY, DENY, OK, OK, OK, DENY),
    "rep/others": (DENY, DENY, DENY, NF, NF, NF, NF),
    "auditor": (OK, DENY, DENY, OK, OK, OK, DENY),
    "approver": (DENY, DENY, DENY, NF, NF, NF, NF),
    "editor": (DENY, DENY, DENY, NF, NF, NF, NF),
    "staff": (LOGIN,) * 7,
    "anonymous": (LOGIN,) * 7,
}
ROLES = ("hr_a", "hr_b", "rep", "auditor", "approver", "editor", "staff", "anonymous")


def _url(model, screen: str, pk: int) -> str:
    base = f"/admin/{URL_NAMES[model]}/"
    if screen == "list":
        return base
    if screen == "add":
        return base + "new/"
    return f"{base}{screen}/{pk}/"


def _outcome(response) -> str:
    if response.status_code == 302:
        return LOGIN if "/login/" in response["Location"] else DENY
    return str(response.status_code)


def _sign_in(client, world, role: str):
    if role != "anonymous":
        client.force_login(world.users[role])


@pytest.mark.parametrize("model", list(URL_NAMES))
@pytest.mark.parametrize("role", ROLES)
def test_screen_matrix(client, world, role, model):
    _sign_in(client, world, role)
    key = role
    if role == "rep":
        key = "rep/views" if model in REP_VIEWS else "rep/others"
    record = world.home.record(model)
    got = tuple(_outcome(client.get(_url(model, screen, record.pk))) for screen in SCREENS)
    assert dict(zip(SCREENS, got, strict=True)) == dict(zip(SCREENS, EXPECTED[key], strict=True))


#: Who sees which side's names on a list page and in its exports.
SEES = {
    "hr_a": {"home"},
    "hr_b": {"away"},
    "auditor": {"home", "away"},
}
#: A name each model's list page and exports show for their side: an index into the markers
#: (0 the organisation or post name, 1 the person's surname), or None for an ODS code.
LIST_MARKERS = {
    Organisation: 0,
    Succession: None,  # the succession export holds codes only
    Programme: 0,
    Post: 0,
    StaffMember: 1,
    Assignment: 1,
    PlannedChange: 0,
}


def _marker(side: str, model) -> str:
    index = LIST_MARKERS[model]
    if index is None:
        return "01A" if side == "home" else "02B"
    return (HOME_MARKERS if side == "home" else AWAY_MARKERS)[index]


def _export_text(response, kind: str) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if kind == "csv":
        return body.decode()
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    return "\n".join(
        " ".join("" if v is None else str(v) for v in row)
        for row in book.active.iter_rows(values_only=True)
    )


@pytest.mark.parametrize("model", list(URL_NAMES))
@pytest.mark.parametrize("role", list(SEES))
def test_lists_and_exports_hold_only_what_the_role_sees(client, world, role, model):
    """The page, the CSV and the XLSX export: the side the role covers is there, the other
    side's names are not."""
    _sign_in(client, world, role)
    base = f"/admin/{URL_NAMES[model]}/"
    texts = {"page": client.get(base).content.decode()}
    for kind in ("csv", "xlsx"):
        response = client.get(f"{base}?export={kind}")
        assert response.status_code == 200
        texts[kind] = _export_text(response, kind)
    for where, text in texts.items():
        for side in ("home", "away"):
            marker = _marker(side, model)
            assert (marker in text) == (side in SEES[role]), (where, side, marker)


def test_rep_lists_only_their_organisations(client, world):
    _sign_in(client, world, "rep")
    page = client.get("/admin/organisations/").content.decode()
    assert "Homefield CCG" in page and "Awayvale" not in page
    page = client.get("/admin/programmes/").content.decode()
    assert "Homefield merger" in page and "Awayvale" not in page
    for url in ("/admin/organisations/?export=csv", "/admin/programmes/?export=xlsx"):
        text = _export_text(client.get(url), url.rsplit("=", 1)[1])
        assert "Homefield" in text and "Awayvale" not in text


@pytest.mark.parametrize("role", ["approver", "editor", "staff", "anonymous"])
@pytest.mark.parametrize("model", list(URL_NAMES))
def test_roles_without_tracker_access_export_nothing(client, world, role, model):
    _sign_in(client, world, role)
    for kind in ("csv", "xlsx"):
        response = client.get(f"/admin/{URL_NAMES[model]}/?export={kind}")
        assert response.status_code == 302


@pytest.mark.parametrize("screen", ["edit", "inspect", "history", "usage", "delete"])
@pytest.mark.parametrize("model", list(URL_NAMES))
def test_guessed_ids_of_the_other_side_answer_404(client, world, model, screen):
    _sign_in(client, world, "hr_a")
    record = world.away.record(model)
    response = client.get(_url(model, screen, record.pk))
    assert response.status_code == 404
    for marker in AWAY_MARKERS:
        assert marker not in response.content.decode()


def test_a_missing_id_answers_404_like_an_out_of_scope_one(client, world):
    _sign_in(client, world, "hr_a")
    assert client.get("/admin/posts/edit/999999/").status_code == 404


@pytest.mark.parametrize(("role", "lists_the_post"), [("hr_a", True), ("rep", False)])
def test_usage_lists_only_referring_records_the_user_may_see(client, world, role, lists_the_post):
    """Home's post refers to Home's organisation; a rep may see the organisation, not posts."""
    _sign_in(client, world, role)
    response = client.get(f"/admin/organisations/usage/{world.home.org.pk}/")
    assert response.status_code == 200
    assert ("Homefield Analyst" in response.content.decode()) == lists_the_post
