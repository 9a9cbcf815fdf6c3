"""How `tracker.selectors.scoped` asks for the large tables (posts, people, assignments, planned
changes), so their admin lists stay fast at national scale (docs/performance.md, "Admin lists,
sixth pass"):

- the user's organisations go into the query as their ids, read first, not as a subquery over
  the users' organisations: PostgreSQL estimates the rows in scope from the posts' statistics
  instead of guessing one organisation's worth;
- people and assignments are scoped by a correlated EXISTS, so a page of their lists reads rows
  in the list's order by index and stops at the page, instead of sorting every row in scope.

The rows each user sees are worked out here by hand from the records made."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from tests import factories
from tracker import roles
from tracker.models import Assignment, Organisation, PlannedChange, Post, StaffMember, User
from tracker.selectors import scoped

pytestmark = pytest.mark.django_db

LARGE = [Post, Assignment, StaffMember, PlannedChange]


@pytest.fixture
def world():
    """Three organisations, each with two filled posts and a planned change; one person holds
    posts in two of them; one person holds no post yet."""
    a, b, c = (factories.OrganisationFactory(code=code) for code in ("AAA", "BBB", "CCC"))
    made = {}
    for org in (a, b, c):
        posts = [factories.PostFactory(organisation=org) for _ in range(2)]
        made[org.code] = {
            "posts": posts,
            "assignments": [factories.AssignmentFactory(post=post) for post in posts],
            "change": factories.PlannedChangeFactory(post=posts[0]),
        }
    both = made["AAA"]["assignments"][0].staff_member
    second = factories.AssignmentFactory(post=made["CCC"]["posts"][1], staff_member=both)
    newcomer = factories.StaffMemberFactory()
    hr = factories.UserFactory(
        groups=[Group.objects.get(name=roles.HR_MANAGER)], organisations=[a, b]
    )
    return {"made": made, "both": both, "second": second, "newcomer": newcomer, "hr": hr}


def _expected(world, model):
    """What an HR manager of AAA and BBB sees, from the records made (not from `scoped`)."""
    made = world["made"]
    mine = [made["AAA"], made["BBB"]]
    if model is Post:
        return {p.pk for m in mine for p in m["posts"]}
    if model is Assignment:
        return {a.pk for m in mine for a in m["assignments"]}
    if model is PlannedChange:
        return {m["change"].pk for m in mine}
    # People: everyone who holds a post in AAA or BBB (the one who also holds one in CCC
    # included), and the newcomer who holds none yet.
    return {a.staff_member_id for m in mine for a in m["assignments"]} | {world["newcomer"].pk}


@pytest.mark.parametrize("model", LARGE, ids=lambda m: m.__name__)
def test_each_large_table_sees_exactly_the_users_organisations(world, model):
    assert set(scoped(model, world["hr"]).values_list("pk", flat=True)) == _expected(world, model)


@pytest.mark.parametrize("model", LARGE, ids=lambda m: m.__name__)
def test_the_organisations_are_given_as_ids_not_as_a_subquery(world, model):
    sql, params = scoped(model, world["hr"]).query.sql_with_params()
    users_organisations = User.organisations.through._meta.db_table
    assert users_organisations not in sql
    ids = {Organisation.objects.get(code=code).pk for code in ("AAA", "BBB")}
    assert ids <= set(params)
    assert Organisation.objects.get(code="CCC").pk not in params


def test_a_rep_sees_only_people_who_hold_a_post_in_their_organisations(world):
    rep = factories.UserFactory(
        groups=[Group.objects.get(name=roles.UNION_REP)],
        organisations=[Organisation.objects.get(code="CCC")],
    )
    made = world["made"]["CCC"]
    expected = {a.staff_member_id for a in made["assignments"]} | {world["both"].pk}
    assert set(scoped(StaffMember, rep).values_list("pk", flat=True)) == expected


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
@pytest.mark.parametrize(
    ("model", "related"),
    [(Assignment, ("staff_member", "post")), (StaffMember, ())],
    ids=["assignments", "staff"],
)
def test_a_page_of_the_list_is_read_in_list_order_not_sorted(world, model, related):
    """The admin list's page query, as Wagtail builds it: scoped rows in the model's ordering,
    50 of them. Through `IN (subquery)` SQLite joined every assignment in scope and sorted them
    in a temporary B-tree (0.34 s at 100,000 assignments); now it walks the ordering's index.
    (The staff list walked its index before too, after collecting every person in scope first;
    it is here so that neither list comes to sort its rows.)"""
    page = scoped(model, world["hr"]).select_related(*related).order_by(*model._meta.ordering)
    plan = _plan(page[:50])
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan


@pytest.mark.parametrize("model", LARGE, ids=lambda m: m.__name__)
def test_a_user_covering_no_organisation_sees_none_but_people_without_a_post(world, model):
    """An HR manager with no organisations yet can still find the newcomer they are recording
    (who holds no post); a rep with none sees no one. With an empty list of ids the EXISTS
    drops out of the people rule rather than failing it."""
    hr = factories.UserFactory(groups=[Group.objects.get(name=roles.HR_MANAGER)])
    rep = factories.UserFactory(groups=[Group.objects.get(name=roles.UNION_REP)])
    expected = {world["newcomer"].pk} if model is StaffMember else set()
    assert set(scoped(model, hr).values_list("pk", flat=True)) == expected
    assert not scoped(model, rep).exists()
