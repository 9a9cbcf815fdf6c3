"""Anonymous visitors get the public pages from the cache; a publish or unpublish purges it;
nothing anyone signed in sees is ever stored in it."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

from cms.models import GuaranteeIndexPage, GuaranteePage, HomePage
from tests import factories
from tracker import roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def page():
    home = HomePage.objects.get()
    index = home.add_child(instance=GuaranteeIndexPage(title="Guarantees", slug="guarantees"))
    index.save_revision().publish()
    page = index.add_child(
        instance=GuaranteePage(
            title="Employment commitment", slug="commitment", summary="Lift and shift."
        )
    )
    page.save_revision().publish()
    return page


def _cache_state(response):
    return response.get("X-Public-Cache")


@pytest.mark.parametrize(
    "path", ["/", "/guarantees/", "/guarantees/commitment/", "/search/?query=shift"]
)
def test_the_second_anonymous_visit_is_served_from_the_cache(
    client, page, path, django_assert_num_queries
):
    first = client.get(path)
    assert first.status_code == 200 and _cache_state(first) == "miss"
    with django_assert_num_queries(0):  # no session, no routing, no page lookup
        second = client.get(path)
    assert second.status_code == 200 and _cache_state(second) == "hit"
    assert second.content == first.content
    assert "Cookie" in second["Vary"]
    assert "public" in second["Cache-Control"]
    assert second["X-Frame-Options"] == first["X-Frame-Options"]


def test_a_cached_page_changes_after_publishing(client, page):
    assert "Lift and shift." in client.get("/guarantees/commitment/").content.decode()
    assert _cache_state(client.get("/guarantees/commitment/")) == "hit"
    page.summary = "Lift and shift on unchanged terms and conditions."
    page.save_revision().publish()
    fresh = client.get("/guarantees/commitment/")
    assert _cache_state(fresh) == "miss"
    assert "Lift and shift on unchanged terms and conditions." in fresh.content.decode()
    # The index lists the page's summary too, and was purged with it.
    assert "unchanged terms" in client.get("/guarantees/").content.decode()


def test_an_unpublished_page_is_gone_at_once(client, page):
    client.get("/guarantees/commitment/")
    client.get("/guarantees/")
    page.unpublish()
    assert client.get("/guarantees/commitment/").status_code == 404
    assert "Employment commitment" not in client.get("/guarantees/").content.decode()


def test_a_draft_saved_without_publishing_does_not_purge(client, page):
    client.get("/guarantees/commitment/")
    page.summary = "A draft nobody approved."
    page.save_revision()
    cached = client.get("/guarantees/commitment/")
    assert _cache_state(cached) == "hit"
    assert "A draft nobody approved." not in cached.content.decode()


def test_search_results_are_purged_when_a_page_is_published(client, page):
    assert "No pages match" in client.get("/search/", {"query": "clawback"}).content.decode()
    assert _cache_state(client.get("/search/", {"query": "clawback"})) == "hit"
    index = GuaranteeIndexPage.objects.get()
    new = index.add_child(
        instance=GuaranteePage(title="Voluntary redundancy", slug="vr", summary="The clawback.")
    )
    new.save_revision().publish()
    assert "Voluntary redundancy" in client.get("/search/", {"query": "clawback"}).content.decode()


def test_a_signed_in_persons_pages_are_never_cached(client, page):
    editor = factories.UserFactory(groups=[Group.objects.get(name=roles.CMS_EDITOR)])
    client.force_login(editor)
    for _ in range(2):
        response = client.get("/guarantees/commitment/")
        assert response.status_code == 200
        assert _cache_state(response) is None  # neither read from nor written to the cache
        assert "private" in response["Cache-Control"]
        assert "Cookie" in response["Vary"]
    # And what they were shown did not become the anonymous copy.
    client.logout()
    assert _cache_state(client.get("/guarantees/commitment/")) == "miss"


def test_your_own_record_is_never_served_to_anyone_else(client):
    user = factories.UserFactory(username="me", is_staff=False, first_name="Jordan")
    assignment = factories.AssignmentFactory(staff_member__first_name="Jordan")
    from tracker import services

    services.staff_member_update(
        staff_member=assignment.staff_member,
        user=user,
        acting_user=factories.UserFactory(is_superuser=True),
        reason="link",
    )
    client.force_login(user)
    mine = client.get("/my/")
    assert "Jordan" in mine.content.decode()
    assert _cache_state(mine) is None
    client.logout()
    assert client.get("/my/").status_code == 302  # sent to sign in, not handed a copy
    other = factories.UserFactory(username="other", is_staff=False)
    client.force_login(other)
    assert "Jordan" not in client.get("/my/").content.decode()


def test_a_private_page_is_never_cached(client, page):
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
    )
    for _ in range(2):
        response = client.get("/guarantees/commitment/")
        assert "Lift and shift." not in response.content.decode()
        assert _cache_state(response) != "hit"


def test_a_visitor_with_a_session_is_not_given_the_shared_copy(client, page):
    client.get("/guarantees/commitment/")
    client.cookies["sessionid"] = "whatever"
    assert _cache_state(client.get("/guarantees/commitment/")) is None
