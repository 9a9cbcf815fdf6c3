"""The public pages' markup, checked for what an automated accessibility audit looks at first:
one h1 and no skipped heading levels, a label for every field, unique ids, a working skip link,
the page language, alternative text on images, and no elements left open. (The browser run
with axe, including colour contrast, is done separately; the NHS.UK frontend styles set it.)
"""

import datetime as dt
import itertools
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group

from cms.demo import demo_pages_publish
from employment.services import case_open
from tests import factories
from tracker import roles, services

pytestmark = pytest.mark.django_db

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
    "path",
}


class Audit(HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings: list[int] = []
        self.ids: list[str] = []
        self.labels: set[str] = set()
        self.fields: list[tuple[str, dict]] = []
        self.links: list[str] = []
        self.images_without_alt = 0
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.lang = None
        self.label_depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if "id" in a:
            self.ids.append(a["id"])
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self.headings.append(int(tag[1]))
        if tag == "label":
            self.label_depth += 1
            if a.get("for"):
                self.labels.add(a["for"])
        if tag in {"input", "select", "textarea"} and a.get("type") not in {"hidden", "submit"}:
            self.fields.append((tag, {**a, "_wrapped": self.label_depth > 0}))
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "img" and "alt" not in a:
            self.images_without_alt += 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if tag == "label":
            self.label_depth -= 1
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()


def audit(html: str) -> Audit:
    result = Audit()
    result.feed(html)
    result.close()
    return result


def assert_accessible(html: str, where: str):
    a = audit(html)
    assert a.lang == "en-GB", where
    assert not a.problems, (where, a.problems[:5])
    assert not a.stack, (where, "unclosed", a.stack)
    assert a.headings.count(1) == 1, (where, a.headings)
    after_h1 = a.headings[a.headings.index(1) :]
    for before, level in itertools.pairwise(after_h1):
        assert level <= before + 1, (where, "heading level skipped", a.headings)
    assert len(a.ids) == len(set(a.ids)), (where, "duplicate ids")
    assert "#maincontent" in a.links and "maincontent" in a.ids, where
    for tag, attrs in a.fields:
        labelled = attrs.get("id") in a.labels or attrs["_wrapped"] or "aria-label" in attrs
        assert labelled, (where, tag, attrs.get("name"))
    assert a.images_without_alt == 0, where


@pytest.fixture
def site():
    editor = factories.UserFactory(groups=[Group.objects.get(name=roles.CMS_EDITOR)])
    approver = factories.UserFactory(groups=[Group.objects.get(name=roles.PARTNERSHIP_APPROVER)])
    programme = factories.ProgrammeFactory(announced_on=dt.date(2021, 6, 1))
    demo_pages_publish(programme=programme, editor=editor, approver=approver)
    return programme


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/guarantees/",
        "/guarantees/employment-commitment/",
        "/guarantees/voluntary-redundancy-scheme/",
        "/guarantees/union-representation/",
        "/search/",
        "/search/?query=clawback",
        "/search/?query=zzzqqq",
    ],
)
def test_public_pages(client, site, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_accessible(response.content.decode(), path)


def test_your_record_with_a_case_changes_and_an_estimate(client, site):
    user = factories.UserFactory(username="me", is_staff=False)
    assignment = factories.AssignmentFactory(
        staff_member__date_of_birth=dt.date(1975, 3, 10),
        staff_member__nhs_service_start=dt.date(2008, 9, 1),
        annual_salary=Decimal("50000.00"),
    )
    services.staff_member_update(
        staff_member=assignment.staff_member,
        user=user,
        acting_user=factories.UserFactory(is_superuser=True),
        reason="link",
    )
    change = factories.PlannedChangeFactory(programme=site, post=assignment.post)
    services.planned_change_approve(
        change=change, acting_user=factories.UserFactory(is_superuser=True), reason="ok"
    )
    case_open(
        staff_member=assignment.staff_member,
        employer=assignment.post.organisation,
        post=assignment.post,
        programme=site,
        on=dt.date(2026, 1, 5),
        acting_user=factories.UserFactory(is_superuser=True),
        reason="structure",
        proposed_dismissal_on=dt.date(2026, 3, 31),
    )
    client.force_login(user)
    html = client.get("/my/").content.decode()
    assert "Your post moved to" in html and "This is an estimate" in html
    assert_accessible(html, "/my/")


def test_the_checker_catches_what_it_claims_to():
    """The audit itself must be able to fail."""
    page = (
        '<html lang="en-GB"><body><a href="#maincontent">Skip</a>'
        '<main id="maincontent"><h1>T</h1>{}</main></body></html>'
    )
    assert_accessible(page.format("<h2>A</h2><h3>B</h3>"), "good")
    for bad in (
        "<h3>skipped a level</h3>",
        "<h1>second h1</h1>",
        '<input id="q" name="q">',
        '<p id="maincontent">duplicate id</p>',
        "<div><p>unclosed</div>",
        '<img src="x.png">',
    ):
        with pytest.raises(AssertionError):
            assert_accessible(page.format(bad), bad)
