"""Every tracker service, for every role and scope (tests/tracker/world.py): the HR manager of
Home may write Home's records; the same call on Away's records, the HR manager of Away on
Home's, and every other role are refused with OutOfScope, and the database is left exactly as it
was (rows and history rows compared before and after)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from tests import factories
from tests.tracker.world import snapshot
from tracker import services
from tracker.access import OutOfScope
from tracker.models import Organisation, PlannedChange

pytestmark = pytest.mark.django_db


class _Undo(Exception):
    pass


def _approve(change, world):
    services.planned_change_approve(change=change, acting_user=world.users["admin"], reason="ok")


# name -> (prepare(world, side) run as an administrator, call(user, side, prepared)).
CALLS = {
    "organisation_update": (
        None,
        lambda u, s, p: services.organisation_update(
            organisation=s.org, name="Renamed", acting_user=u, reason="r"
        ),
    ),
    "succession_create": (
        None,
        lambda u, s, p: services.succession_create(
            predecessor=s.icb,
            successor=s.org,
            effective_on=dt.date(2023, 1, 1),
            acting_user=u,
            reason="r",
        ),
    ),
    "succession_update": (
        None,
        lambda u, s, p: services.succession_update(
            succession=s.succession, effective_on=dt.date(2023, 1, 1), acting_user=u, reason="r"
        ),
    ),
    "programme_create": (
        None,
        lambda u, s, p: services.programme_create(
            slug="new-programme",
            name="New programme",
            effective_on=dt.date(2027, 4, 1),
            organisations=[s.org],
            acting_user=u,
            reason="r",
        ),
    ),
    "programme_update": (
        None,
        lambda u, s, p: services.programme_update(
            programme=s.programme, name="Renamed", acting_user=u, reason="r"
        ),
    ),
    "post_create": (
        None,
        lambda u, s, p: services.post_create(
            organisation=s.org,
            position_number="NEW-1",
            title="New post",
            band="6",
            wte=Decimal("1.0000"),
            acting_user=u,
            reason="r",
        ),
    ),
    "post_update": (
        None,
        lambda u, s, p: services.post_update(
            post=s.post, title="Renamed", acting_user=u, reason="r"
        ),
    ),
    "staff_member_update": (
        None,
        lambda u, s, p: services.staff_member_update(
            staff_member=s.person, last_name="Renamed", acting_user=u, reason="r"
        ),
    ),
    "assignment_create": (
        None,
        lambda u, s, p: services.assignment_create(
            assignment_number="NEW-A1",
            staff_member=s.person,
            post=s.post,
            acting_user=u,
            reason="r",
        ),
    ),
    "assignment_update": (
        None,
        lambda u, s, p: services.assignment_update(
            assignment=s.assignment, end_on=dt.date(2026, 3, 31), acting_user=u, reason="r"
        ),
    ),
    "planned_change_create": (
        lambda w, s: factories.ProgrammeFactory(slug="second", name="Second"),
        lambda u, s, p: services.planned_change_create(
            programme=p,
            post=s.post,
            action=PlannedChange.Action.TRANSFER_UNCHANGED,
            destination_organisation=s.icb,
            effective_on=dt.date(2027, 4, 1),
            acting_user=u,
            reason="r",
        ),
    ),
    "planned_change_update": (
        None,
        lambda u, s, p: services.planned_change_update(
            change=s.change, destination_position_number="X-9", acting_user=u, reason="r"
        ),
    ),
    "planned_change_approve": (
        None,
        lambda u, s, p: services.planned_change_approve(change=s.change, acting_user=u, reason="r"),
    ),
    "planned_change_cancel": (
        None,
        lambda u, s, p: services.planned_change_cancel(change=s.change, acting_user=u, reason="r"),
    ),
    "planned_change_apply": (
        lambda w, s: _approve(s.change, w),
        lambda u, s, p: services.planned_change_apply(change=s.change, acting_user=u, reason="r"),
    ),
    "planned_changes_approve": (
        None,
        lambda u, s, p: services.planned_changes_approve(
            changes=[s.change], acting_user=u, reason="r"
        ),
    ),
    "programme_apply_changes": (
        lambda w, s: _approve(s.change, w),
        lambda u, s, p: services.programme_apply_changes(
            programme=s.programme, organisation=s.org, acting_user=u, reason="r"
        ),
    ),
}

#: (user, side) -> may the call go through? Typed out: only Home's HR manager on Home.
SCOPES = [
    ("hr_a", "home", True),
    ("hr_a", "away", False),
    ("hr_b", "home", False),
    ("rep", "home", False),
    ("auditor", "home", False),
    ("approver", "home", False),
    ("editor", "home", False),
    ("staff", "home", False),
]


def _attempt(world, name, username, side_name):
    """Run one call inside a savepoint that is always rolled back; return (allowed, before,
    after) where before/after are snapshots around the call itself."""
    prepare, call = CALLS[name]
    side = getattr(world, side_name)
    user = world.users[username]
    outcome = {}
    try:
        with transaction.atomic():
            prepared = prepare(world, side) if prepare else None
            # Fresh copies: a service may not rely on what an earlier attempt left on objects.
            for attr in ("org", "icb", "post", "person", "assignment", "programme", "change"):
                getattr(side, attr).refresh_from_db()
            side.succession.refresh_from_db()
            before = snapshot()
            try:
                call(user, side, prepared)
                outcome["allowed"] = True
            except OutOfScope:
                outcome["allowed"] = False
                outcome["unchanged"] = snapshot() == before
            raise _Undo
    except _Undo:
        pass
    return outcome


@pytest.mark.parametrize("name", list(CALLS))
def test_service_scope_matrix(world, name):
    results = {}
    for username, side, _expected in SCOPES:
        outcome = _attempt(world, name, username, side)
        results[(username, side)] = outcome["allowed"]
        if not outcome["allowed"]:
            assert outcome["unchanged"], (username, side)
    assert results == {(u, s): e for u, s, e in SCOPES}


class TestBothEndsMustBeInScope:
    """The calls that name two organisations' records: each end is checked."""

    def test_a_person_from_away_cannot_be_put_in_a_home_post(self, world):
        before = snapshot()
        with pytest.raises(OutOfScope):
            services.assignment_create(
                assignment_number="X1",
                staff_member=world.away.person,
                post=world.home.post,
                acting_user=world.users["hr_a"],
                reason="r",
            )
        assert snapshot() == before

    def test_a_home_person_cannot_be_put_in_an_away_post(self, world):
        with pytest.raises(OutOfScope):
            services.assignment_create(
                assignment_number="X1",
                staff_member=world.home.person,
                post=world.away.post,
                acting_user=world.users["hr_a"],
                reason="r",
            )

    def test_a_new_person_with_no_post_may_be_assigned(self, world):
        hr = world.users["hr_a"]
        person = services.staff_member_create(
            employee_number="ENEW0001",
            first_name="Nia",
            last_name="New",
            acting_user=hr,
            reason="r",
        )
        services.assignment_create(
            assignment_number="X1",
            staff_member=person,
            post=world.home.post,
            acting_user=hr,
            reason="Starts Monday",
        )
        assert person.assignments.get().post == world.home.post

    def test_someone_who_held_a_home_post_stays_in_scope(self, world):
        # Sam Zanzibarova once held a Home post, now holds only Away's.
        factories.AssignmentFactory(
            staff_member=world.away.person,
            post=world.home.post,
            end_on=dt.date(2020, 3, 31),
            start_on=dt.date(2015, 4, 1),
        )
        services.staff_member_update(
            staff_member=world.away.person,
            work_email="sam@example.nhs.uk",
            acting_user=world.users["hr_a"],
            reason="Corrected e-mail",
        )

    def test_a_change_cannot_send_a_home_post_to_an_away_destination(self, world):
        programme = factories.ProgrammeFactory(slug="second")
        with pytest.raises(OutOfScope):
            services.planned_change_create(
                programme=programme,
                post=world.home.post,
                action=PlannedChange.Action.TRANSFER_UNCHANGED,
                destination_organisation=world.away.org,
                effective_on=dt.date(2027, 4, 1),
                acting_user=world.users["hr_a"],
                reason="r",
            )

    def test_a_draft_cannot_be_redirected_to_away(self, world):
        before = snapshot()
        with pytest.raises(OutOfScope):
            services.planned_change_update(
                change=world.home.change,
                destination_organisation=world.away.icb,
                acting_user=world.users["hr_a"],
                reason="r",
            )
        assert snapshot() == before

    def test_a_post_cannot_be_moved_into_away(self, world):
        with pytest.raises(OutOfScope):
            services.post_update(
                post=world.home.post,
                organisation=world.away.org,
                acting_user=world.users["hr_a"],
                reason="r",
            )

    def test_a_programme_cannot_take_in_an_away_organisation(self, world):
        with pytest.raises(OutOfScope):
            services.programme_update(
                programme=world.home.programme,
                organisations=[world.home.org, world.away.org],
                acting_user=world.users["hr_a"],
                reason="r",
            )

    def test_a_succession_cannot_join_home_to_away(self, world):
        with pytest.raises(OutOfScope):
            services.succession_create(
                predecessor=world.home.org,
                successor=world.away.icb,
                effective_on=dt.date(2027, 4, 1),
                acting_user=world.users["hr_a"],
                reason="r",
            )

    def test_bulk_approval_with_one_away_change_approves_none(self, world):
        before = snapshot()
        with pytest.raises(OutOfScope):
            services.planned_changes_approve(
                changes=[world.home.change, world.away.change],
                acting_user=world.users["hr_a"],
                reason="r",
            )
        assert snapshot() == before


class TestWhoCreatesWhat:
    def test_only_an_administrator_adds_an_organisation(self, world):
        for username in ("hr_a", "auditor", "rep"):
            with pytest.raises(OutOfScope):
                services.organisation_create(
                    code="03C",
                    name="New",
                    kind="ccg",
                    acting_user=world.users[username],
                    reason="r",
                )
        services.organisation_create(
            code="03C", name="New", kind="ccg", acting_user=world.users["admin"], reason="r"
        )
        assert Organisation.objects.filter(code="03C").exists()

    @pytest.mark.parametrize(
        ("username", "allowed"),
        [("hr_a", True), ("hr_b", True), ("rep", False), ("auditor", False), ("staff", False)],
    )
    def test_any_hr_manager_records_a_new_person(self, world, username, allowed):
        def create():
            return services.staff_member_create(
                employee_number="ENEW0002",
                first_name="Ola",
                last_name="New",
                acting_user=world.users[username],
                reason="r",
            )

        if allowed:
            assert create().pk
        else:
            with pytest.raises(OutOfScope):
                create()

    def test_a_programme_needs_one_of_your_organisations(self, world):
        with pytest.raises(OutOfScope):
            services.programme_create(
                slug="orphan",
                name="Orphan",
                effective_on=dt.date(2027, 4, 1),
                acting_user=world.users["hr_a"],
                reason="r",
            )
