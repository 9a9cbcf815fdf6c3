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
