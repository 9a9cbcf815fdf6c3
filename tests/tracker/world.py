"""The access matrix's world: two organisations' worth of records and one user per role.

"Home" (01A, with its ICB QA1) is what the HR manager `hr_a` covers; "Away" (02B, with its ICB
QB2) is what `hr_b` covers. Every record of Away carries a name that appears nowhere else
(`AWAY_MARKERS`), so a page or export that leaks it is caught by a plain substring test.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group

from tests import factories
from tracker.models import (
    Assignment,
    Organisation,
    PlannedChange,
    Post,
    Programme,
    StaffMember,
    Succession,
)

TRACKER_MODELS = (Organisation, Succession, Programme, Post, StaffMember, Assignment, PlannedChange)

#: Strings found only in Home's / Away's records.
HOME_MARKERS = ("Homefield", "Harbourview", "EHOME001")
AWAY_MARKERS = ("Awayvale", "Zanzibarova", "EAWAY001")


@dataclass
class Side:
    org: Organisation
    icb: Organisation
    post: Post
    person: StaffMember
    assignment: Assignment
    programme: Programme
    succession: Succession
    change: PlannedChange

    def record(self, model):
        return {
            Organisation: self.org,
            Succession: self.succession,
            Programme: self.programme,
            Post: self.post,
            StaffMember: self.person,
            Assignment: self.assignment,
            PlannedChange: self.change,
        }[model]


def make_side(code: str, icb_code: str, word: str, surname: str, employee: str, author) -> Side:
    org = factories.OrganisationFactory(code=code, name=f"{word} CCG")
    icb = factories.OrganisationFactory(
        code=icb_code, name=f"{word} ICB", kind=Organisation.Kind.ICB
    )
    post = factories.PostFactory(
        organisation=org, position_number=f"{code}-0001", title=f"{word} Analyst"
    )
    person = factories.StaffMemberFactory(
        employee_number=employee, first_name="Sam", last_name=surname
    )
    assignment = factories.AssignmentFactory(
        assignment_number=f"{employee}-1", staff_member=person, post=post
    )
    programme = factories.ProgrammeFactory(slug=f"{word.lower()}-merger", name=f"{word} merger")
    programme.organisations.add(org, icb)
    succession = factories.SuccessionFactory(predecessor=org, successor=icb)
    change = factories.PlannedChangeFactory(
        programme=programme, post=post, destination_organisation=icb, author=author
    )
    return Side(org, icb, post, person, assignment, programme, succession, change)


@dataclass
class World:
    home: Side
    away: Side
    users: dict


def make_user(username: str, role: str | None, organisations=(), **kwargs):
    groups = [Group.objects.get(name=role)] if role else []
    return factories.UserFactory(
        username=username, groups=groups, organisations=list(organisations), **kwargs
    )


def snapshot() -> dict:
    """Every tracker row, as values: equal snapshots mean a refused write changed nothing."""
    out = {}
    for model in TRACKER_MODELS:
        out[model.__name__] = list(model.objects.order_by("pk").values())
        out[model.__name__ + "History"] = model.history.count()
    out["ProgrammeOrganisations"] = sorted(
        Programme.organisations.through.objects.values_list("programme_id", "organisation_id")
    )
    return out
