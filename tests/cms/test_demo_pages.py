"""The demo guarantee pages: real text, published through Partnership approval, idempotent."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from wagtail.models import PageLogEntry, Revision

from cms.demo import PAGES, demo_pages_publish
from cms.models import GuaranteeIndexPage, GuaranteePage, HomePage
from tests import factories
from tracker import roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    editor = factories.UserFactory(
        username="editor", groups=[Group.objects.get(name=roles.CMS_EDITOR)]
    )
    approver = factories.UserFactory(
        username="approver", groups=[Group.objects.get(name=roles.PARTNERSHIP_APPROVER)]
    )
    return editor, approver


@pytest.fixture
def programme():
    return factories.ProgrammeFactory(name="CCG to ICB transfer, 1 July 2022")


def test_every_page_is_live_written_by_the_editor_and_approved_by_the_approver(people, programme):
    editor, approver = people
    demo_pages_publish(programme=programme, editor=editor, approver=approver)
    pages = list(GuaranteePage.objects.all())
    assert len(pages) == 9
    for page in pages:
        assert page.live and not page.has_unpublished_changes, page.title
        assert page.live_revision.user == editor, page.title
        assert page.owner == editor, page.title  # review-date reminders go to the owner
        actions = set(
            PageLogEntry.objects.filter(page=page).values_list("action", "user__username")
        )
        assert ("wagtail.workflow.approve", "approver") in actions, page.title
        assert ("wagtail.publish", "approver") in actions, page.title
        assert list(page.programmes.all()) == [programme]
        assert len(page.body) >= 1, page.title
    assert GuaranteeIndexPage.objects.get().live
    vr = GuaranteePage.objects.get(slug="voluntary-redundancy-scheme")
    assert vr.review_on == dt.date(2027, 3, 31)


def test_running_it_again_changes_nothing(people, programme):
    editor, approver = people
    demo_pages_publish(programme=programme, editor=editor, approver=approver)
    revisions, entries = Revision.objects.count(), PageLogEntry.objects.count()
    assert demo_pages_publish(programme=programme, editor=editor, approver=approver) == []
    assert (Revision.objects.count(), PageLogEntry.objects.count()) == (revisions, entries)


def test_an_empty_page_from_an_earlier_seed_is_filled_in(people, programme):
    editor, approver = people
    index = HomePage.objects.get().add_child(
        instance=GuaranteeIndexPage(title="Guarantees and frameworks", slug="guarantees")
    )
    old = index.add_child(
        instance=GuaranteePage(
            title="Employment commitment", slug="employment-commitment", summary="old"
        )
    )
    old.save_revision().publish()
    written = demo_pages_publish(programme=programme, editor=editor, approver=approver)
    assert "Employment commitment" in written
    assert "Guarantees and frameworks" not in written  # the index already matched nothing to do
    old.refresh_from_db()
    assert old.summary.startswith("Staff below board level move")
    assert GuaranteePage.objects.filter(slug="employment-commitment").count() == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("clawback", "Voluntary redundancy scheme"),
        ("guarantee", "Employment commitment"),
        ("trial", "Trial period in a new role"),
        ("representation", "How to ask for union representation"),
        ("MARS", "Mutually agreed resignation scheme (MARS)"),
    ],
)
def test_search_finds_the_demo_text(client, people, programme, query, expected):
    editor, approver = people
    demo_pages_publish(programme=programme, editor=editor, approver=approver)
    html = client.get("/search/", {"query": query}).content.decode()
    assert expected in html, query


def test_the_text_is_plain_english_for_staff():
    for text in PAGES:
        words = " ".join([text.summary, *[str(b["value"]) for b in text.body]])
        for marker in ("[assumed]", "[reported]", "[confirmed]", ".md", ".py", "rule set"):
            assert marker not in words, (text.title, marker)


def test_the_demo_facts_are_stated(client, people, programme):
    """A few of the public facts, as staff should read them."""
    editor, approver = people
    demo_pages_publish(programme=programme, editor=editor, approver=approver)
    trial = client.get("/guarantees/redeployment-trial/").content.decode()
    assert "four calendar weeks" in trial and "ends on 28 May" in trial
    vr = client.get("/guarantees/voluntary-redundancy-scheme/").content.decode()
    assert "within 6 months of leaving" in vr and "up to 24 months" in vr
    commitment = client.get("/guarantees/employment-commitment/").content.decode()
    assert "1 July 2022" in commitment and "below board level" in commitment
