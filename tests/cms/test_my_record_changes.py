"""/my/ tells staff only what is decided: a planned change to their post appears once it is
approved (or applied) and its programme has been announced to staff, in plain English."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from cms.models import GuaranteeIndexPage, GuaranteePage, HomePage
from cms.selectors import decided_changes
from tests import factories
from tracker import roles, services
from tracker.models import PlannedChange

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def _person(username):
    """A member of staff without salary details, so the page carries no estimate lines (those
    are worded by the money engineer's staff rendering)."""
    user = factories.UserFactory(username=username, is_staff=False)
    user.groups.add(Group.objects.get(name=roles.STAFF))
    assignment = factories.AssignmentFactory(annual_salary=None)
    # Linking an account is an administrator's write (staff change nothing).
    services.staff_member_update(
        staff_member=assignment.staff_member,
        user=user,
        acting_user=factories.UserFactory(is_superuser=True),
        reason="link account",
    )
    return user, assignment.post


def _change(post, *, programme_name, announced_on, status, action="transfer_unchanged", **kw):
    # An administrator drafts and another approves (a role-less user may change nothing).
    author = factories.UserFactory(is_superuser=True)
    approver = factories.UserFactory(is_superuser=True)
    programme = factories.ProgrammeFactory(name=programme_name, announced_on=announced_on)
    destination = factories.OrganisationFactory(name=f"{programme_name} ICB")
    change = factories.PlannedChangeFactory(
        programme=programme,
        post=post,
        action=action,
        destination_organisation=destination if action.startswith("transfer") else None,
        author=author,
        reason=f"internal reason for {programme_name}",
        **kw,
    )
    if status in ("approved", "applied"):
        services.planned_change_approve(change=change, acting_user=approver, reason="board")
    if status == "applied":
        services.planned_change_apply(change=change, acting_user=author, reason="scheme")
    if status == "cancelled":
        services.planned_change_cancel(change=change, acting_user=author, reason="wrong post")
    change.refresh_from_db()
    assert change.status == status
    return change


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def jo(today):
    """Jo's post has a change in every state a member of staff might wrongly be told about."""
    user, post = _person("jo")
    future = today + 200 * DAY
    _change(
        post,
        programme_name="Drafted merger",
        announced_on=today - DAY,
        status="draft",
        effective_on=future,
    )
    _change(
        post,
        programme_name="Secret merger",
        announced_on=today + DAY,
        status="approved",
        effective_on=future,
    )
    _change(
        post,
        programme_name="Unannounced merger",
        announced_on=None,
        status="approved",
        effective_on=future,
    )
    _change(
        post,
        programme_name="Cancelled merger",
        announced_on=today - DAY,
        status="cancelled",
        effective_on=future,
    )
    _change(
        post,
        programme_name="Announced merger",
        announced_on=today,
        status="approved",
        effective_on=dt.date(2031, 4, 1),
    )
    _change(
        post,
        programme_name="Old transfer",
        announced_on=dt.date(2021, 6, 1),
        status="applied",
        effective_on=dt.date(2022, 7, 1),
    )
    return user, post


def _guarantee(title, programme_name):
    home = HomePage.objects.get()
    index = GuaranteeIndexPage.objects.first() or home.add_child(
        instance=GuaranteeIndexPage(title="Guarantees", slug="guarantees")
    )
    page = index.add_child(
        instance=GuaranteePage(title=title, slug=title.lower().replace(" ", "-"), summary=title)
    )
    page.programmes.set([PlannedChange.objects.get(programme__name=programme_name).programme])
    page.save_revision().publish()


def test_only_approved_or_applied_and_announced_changes_are_shown(client, jo):
    user, _ = jo
    client.force_login(user)
    html = client.get("/my/").content.decode()
    assert "Announced merger" in html
    assert (
        "Your post moves to Announced merger ICB on 1 April 2031, on your current terms and "
        "conditions, and your continuous NHS service carries on." in html
    )
    assert "Old transfer" in html
    assert "Your post moved to Old transfer ICB on 1 July 2022" in html
    for hidden in ("Drafted merger", "Secret merger", "Unannounced merger", "Cancelled merger"):
        assert hidden not in html, hidden
    # Workflow words and internal reasons are never shown to staff.
    assert "internal reason" not in html
    assert "(draft)" not in html and "(approved)" not in html and "(applied)" not in html


def test_announcement_day_is_the_first_day_it_shows(jo, today):
    _, post = jo
    names = lambda day: [  # noqa: E731
        d.change.programme.name for d in decided_changes([post], today=day)
    ]
    assert names(today) == ["Old transfer", "Announced merger"]
    assert names(today - DAY) == ["Old transfer"]
    # The day the secret merger is announced, it shows too.
    assert names(today + DAY) == ["Old transfer", "Secret merger", "Announced merger"]


def test_guarantees_of_unannounced_programmes_are_not_shown(client, jo):
    user, _ = jo
    _guarantee("Announced promise", "Announced merger")
    _guarantee("Secret promise", "Secret merger")
    _guarantee("Draft promise", "Drafted merger")
    client.force_login(user)
    html = client.get("/my/").content.decode()
    assert "Announced promise" in html
    assert "Secret promise" not in html
    assert "Draft promise" not in html


def test_nothing_decided_says_so_in_plain_english(client):
    user, post = _person("sam")
    _change(
        post,
        programme_name="Drafted merger",
        announced_on=dt.date(2025, 3, 13),
        status="draft",
        effective_on=dt.date(2031, 4, 1),
    )
    client.force_login(user)
    html = client.get("/my/").content.decode()
    assert "Nothing has been decided and announced about your post." in html
    assert "Drafted merger" not in html


@pytest.mark.parametrize(
    ("action", "sentence"),
    [
        (
            "transfer_changed",
            "Your post moves to Merger ICB on 1 April 2031, with changes to the role. Your "
            "continuous NHS service carries on. Your HR contact will talk to you about what "
            "changes.",
        ),
        (
            "closed",
            "Your post is to close on 1 April 2031. Your HR contact will talk to you about what "
            "this means for you and the options open to you.",
        ),
        ("out_of_scope", "Your post is not affected by this change programme."),
    ],
)
def test_each_action_reads_as_a_sentence(client, action, sentence):
    user, post = _person("kim")
    _change(
        post,
        programme_name="Merger",
        announced_on=dt.date(2025, 3, 13),
        status="approved",
        action=action,
        effective_on=dt.date(2031, 4, 1),
    )
    client.force_login(user)
    assert sentence in client.get("/my/").content.decode()


def test_staff_facing_text_has_no_internal_markers(client, jo):
    user, _ = jo
    client.force_login(user)
    html = client.get("/my/").content.decode()
    for marker in ("[assumed]", "[reported]", "[confirmed]", ".py", "domain-rules", "_"):
        visible = html.split("<main", 1)[1].split("</main>", 1)[0]
        text = _text(visible)
        assert marker not in text, marker


def _text(html):
    from html.parser import HTMLParser

    parts = []

    class Text(HTMLParser):
        def handle_data(self, data):
            parts.append(data)

    Text().feed(html)
    return " ".join(parts)


def test_query_count_does_not_grow_with_changes(client, jo, django_assert_max_num_queries):
    user, _ = jo
    client.force_login(user)
    with django_assert_max_num_queries(20):
        assert client.get("/my/").status_code == 200
