"""Guarantee pages: published through the staff side's approval, shown in the NHS.UK design."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Workflow

from cms.models import GuaranteeIndexPage, GuaranteePage, HomePage
from cms.publishing import WORKFLOW_NAME
from tests import factories
from tracker import roles

pytestmark = pytest.mark.django_db


def test_the_home_page_is_covered_by_partnership_approval():
    home = HomePage.objects.get()
    workflow = home.get_workflow()
    assert workflow is not None and workflow.name == WORKFLOW_NAME
    (task,) = [t.specific for t in workflow.tasks]
    assert list(task.groups.values_list("name", flat=True)) == [roles.PARTNERSHIP_APPROVER]
    assert Workflow.objects.filter(name=WORKFLOW_NAME).count() == 1


def test_an_editor_cannot_publish_without_approval(client):
    home = HomePage.objects.get()
    index = home.add_child(instance=GuaranteeIndexPage(title="Guarantees", slug="guarantees"))
    editor = factories.UserFactory(groups=[Group.objects.get(name=roles.CMS_EDITOR)])
    client.force_login(editor)
    response = client.post(
        f"/admin/pages/add/cms/guaranteepage/{index.pk}/",
        {
            "title": "Stable employment guarantee",
            "slug": "stable",
            "kind": "guarantee",
            "summary": "No compulsory redundancy during the transfer.",
            "covers": "below_board",
            "body-count": "0",
            "action-publish": "action-publish",
        },
    )
    assert response.status_code in (200, 302)
    page = GuaranteePage.objects.get(slug="stable")
    assert not page.live  # a draft, waiting for the staff side
    assert client.get(page.url or "/guarantees/stable/").status_code == 404


def test_published_guarantee_page_renders(client):
    home = HomePage.objects.get()
    index = home.add_child(instance=GuaranteeIndexPage(title="Guarantees", slug="guarantees"))
    page = index.add_child(
        instance=GuaranteePage(
            title="Employment commitment",
            slug="commitment",
            summary="Lift and shift on unchanged terms.",
            source="HR framework for developing ICBs, August 2021",
        )
    )
    index_html = client.get(index.url).content.decode()
    assert "Employment commitment" in index_html
    html = client.get(page.url).content.decode()
    assert "Lift and shift on unchanged terms." in html
    assert "HR framework for developing ICBs" in html
