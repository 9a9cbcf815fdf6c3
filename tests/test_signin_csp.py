"""Content-Security-Policy: strict on the public site, as strict as Wagtail allows in the admin,
and no inline script left in the admin pages that would need 'unsafe-inline'."""

import html as html_lib
import json
import re

import pytest
from wagtail.models import Page

from tests import factories

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, set[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = set(values)
    return parsed


def inline_scripts(html: str) -> list[str]:
    """Executable inline scripts: <script> without src whose type is not a data block."""
    found = []
    for attrs, body in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", html, re.S):
        if re.search(r'type="application/(ld\+)?json"', attrs) or not body.strip():
            continue
        found.append(body.strip()[:80])
    return found


def test_public_page_policy_is_strict(client):
    response = client.get("/")
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == {"'self'"}
    assert policy["script-src"] == {"'self'"}
    assert policy["style-src"] == {"'self'"}
    assert policy["object-src"] == {"'none'"}
    # NHS.UK frontend's stylesheet takes the Frutiger font from the NHS asset host; fonts only.
    assert policy["font-src"] == {"'self'", "https://assets.nhs.uk"}
    assert policy["img-src"] == {"'self'", "data:"}
    assert policy["connect-src"] == {"'self'"}
    assert policy["frame-ancestors"] == {"'none'"}
    assert policy["base-uri"] == {"'self'"}
    assert policy["form-action"] == {"'self'"}
    assert inline_scripts(response.content.decode()) == []
    assert 'style="' not in response.content.decode()


def test_sign_in_page_has_the_strict_policy_and_no_inline_script(client):
    response = client.get("/login/")
    assert directives(response)["script-src"] == {"'self'"}
    html = response.content.decode()
    assert inline_scripts(html) == [] and 'style="' not in html


def test_admin_policy_allows_inline_style_but_never_inline_script(client):
    client.force_login(factories.UserFactory(is_superuser=True))
    response = client.get("/admin/")
    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == {"'self'"}
    assert policy["style-src"] == {"'self'", "'unsafe-inline'"}
    assert policy["img-src"] == {"'self'", "data:", "blob:"}
    assert policy["frame-ancestors"] == {"'self'"}
    assert policy["object-src"] == {"'none'"}
    assert policy["font-src"] == {"'self'"}


def test_admin_sign_in_redirect_carries_the_admin_policy(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert directives(response)["script-src"] == {"'self'"}


@pytest.mark.parametrize(
    "url",
    [
        "/admin/", "/admin/pages/", "/admin/users/", "/admin/posts/",
        "/admin/reports/site-history/",
        # Forms with choosers (organisation, post, person): Wagtail writes each one's start as
        # an inline script, which the policy refuses, so the chooser never opened.
        "/admin/posts/new/", "/admin/assignments/new/", "/admin/planned_changes/new/",
        "/admin/successions/new/", "/admin/employment/cases/new/",
    ],
)
def test_admin_screens_have_no_inline_script(client, url):
    client.force_login(factories.UserFactory(is_superuser=True))
    response = client.get(url)
    assert response.status_code == 200
    assert inline_scripts(response.content.decode()) == []


def test_choosers_are_carried_for_the_stand_in(client):
    client.force_login(factories.UserFactory(is_superuser=True))
    html = client.get("/admin/assignments/new/").content.decode()
    for field, url in (("staff_member", "/admin/staff_member_chooser/"),
                       ("post", "/admin/post_chooser/")):
        options = html_lib.escape(json.dumps({"modalUrl": url}))
        assert (f'<template data-csp-construct="Chooser" data-csp-target="id_{field}" '
                f'data-csp-options="{options}"></template>') in html
    assert "signin/admin-csp.js" in html


@pytest.mark.parametrize("form", ["copy", "move", "redirect"])
def test_wagtails_page_chooser_forms_have_no_inline_script(client, form):
    """Wagtail's own page chooser (where a page is copied or moved to, a redirect's target)
    starts the standard way too, so it is carried for the stand-in like ours."""
    client.force_login(factories.UserFactory(is_superuser=True))
    page = Page.objects.filter(depth__gt=1).first()
    url = {
        "copy": f"/admin/pages/{page.pk}/copy/",
        "move": f"/admin/pages/{page.pk}/move/",
        "redirect": "/admin/redirects/add/",
    }[form]
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert inline_scripts(html) == []
    assert '<template data-csp-construct="PageChooser" data-csp-target="id_' in html


@pytest.mark.parametrize("view", ["add", "edit"])
def test_wagtails_workflow_task_chooser_has_no_inline_script(client, view):
    """Wagtail's workflow task chooser starts with `createTaskChooser(id)`, not the standard
    chooser start: it is carried as a call for the stand-in, on a new workflow (the task rows
    added from the inline panel's template) and on one with tasks."""
    from wagtail.models import Workflow

    client.force_login(factories.UserFactory(is_superuser=True))
    workflow = Workflow.objects.filter(workflow_tasks__isnull=False).first()
    url = "/admin/workflows/add/" if view == "add" else f"/admin/workflows/edit/{workflow.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert inline_scripts(html) == []
    assert '<template data-csp-call="createTaskChooser" data-csp-target="id_workflow_tasks-' in html


def test_page_editor_has_no_inline_script_and_loads_the_stand_in(client):
    client.force_login(factories.UserFactory(is_superuser=True))
    page = Page.objects.filter(depth__gt=1).first()
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert inline_scripts(html) == []
    # The date pickers Wagtail would have started inline are carried for admin-csp.js.
    assert 'data-csp-call="initDateTimeChooser"' in html
    assert "signin/admin-csp.js" in html
