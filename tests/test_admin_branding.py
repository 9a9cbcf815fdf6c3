import pytest
from django.contrib.auth.models import Group

from tests.factories.tracker import UserFactory
from tracker import roles


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/admin/", "/admin/posts/", "/admin/login/"])
def test_admin_page_titles_name_the_product(client, url):
    client.force_login(UserFactory(groups=[Group.objects.get(name=roles.HR_MANAGER)]))
    page = client.get(url, follow=True).content.decode()
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.strip().endswith("- Transition Tracker"), title


@pytest.mark.django_db
def test_record_pages_say_yes_no_and_a_dash_never_python_values(client):
    from django.urls import reverse

    from tests.factories.employment import CaseFactory
    from tests.factories.tracker import OrganisationFactory

    employer = OrganisationFactory(code="QOP")
    case = CaseFactory(employer=employer, programme=None, package_total=None, is_very_senior=False)
    client.force_login(
        UserFactory(groups=[Group.objects.get(name=roles.HR_MANAGER)], organisations=[employer])
    )
    page = client.get(reverse("employment_cases:inspect", args=[case.pk])).content.decode()
    body = page.split("<main", 1)[1]
    for python_value in (">None<", ">False<", ">True<"):
        assert python_value not in body.replace(" ", "").replace("\n", "")
    assert "Very senior manager" in body
