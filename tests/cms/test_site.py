"""The public site: home page in the NHS.UK design, search, health check."""

import pytest
from wagtail.models import Page

from cms.models import HomePage

pytestmark = pytest.mark.django_db


def test_home_page_uses_the_nhs_frontend(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="en-GB"' in html
    assert "nhsuk-frontend" in html
    assert 'href="#maincontent"' in html  # skip link (WCAG 2.4.1)
    assert 'id="maincontent"' in html
    assert "Your employment through the NHS changes" in html


def test_search_finds_published_pages_only(client):
    home = HomePage.objects.get()
    home.add_child(instance=Page(title="Stable employment guarantee", slug="guarantee"))
    draft = Page(title="Draft employment framework", slug="draft", live=False)
    home.add_child(instance=draft)
    response = client.get("/search/", {"query": "employment"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Stable employment guarantee" in html
    assert "Draft employment framework" not in html
    empty = client.get("/search/", {"query": "zzzqqq"})
    assert "No pages match" in empty.content.decode()


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
