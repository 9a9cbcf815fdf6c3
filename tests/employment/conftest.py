"""Fixtures for the employment tests: people in each role, and a day to act on."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group

from employment.models import Case
from tests.factories.employment import CaseFactory
from tests.factories.tracker import (
    AssignmentFactory,
    OrganisationFactory,
    PostFactory,
    StaffMemberFactory,
    UserFactory,
)
from tracker import roles

ON = dt.date(2026, 2, 2)


def user_in(role: str | None, *, organisations=(), **kwargs):
    groups = [Group.objects.get_or_create(name=role)[0]] if role else []
    return UserFactory(groups=groups, organisations=list(organisations), **kwargs)

def person_in(organisation, *, post=None, **kwargs):
    """A member of staff holding a post in `organisation` (so in scope for its HR managers)."""
    person = StaffMemberFactory(**kwargs)
    AssignmentFactory(staff_member=person, post=post or PostFactory(organisation=organisation))
    return person


def case_in(status: str, **kwargs):
    """A case already in `status`, with the dates that status would have given it."""
    S = Case.Status
    extra = {}
    if status in (S.VR_REQUESTED, S.VR_APPROVED):
        extra["route"] = Case.Route.VOLUNTARY_REDUNDANCY
    if status in (S.MARS_REQUESTED, S.MARS_APPROVED):
        extra["route"] = Case.Route.MARS
    if status == S.NOTICE_ISSUED:
        extra.update(
            route=Case.Route.COMPULSORY_REDUNDANCY,
            notice_starts_on=dt.date(2026, 1, 5),
            notice_ends_on=dt.date(2026, 4, 5),
            exit_on=dt.date(2026, 4, 5),
        )
    if status == S.REDEPLOYMENT_TRIAL:
        extra.update(trial_starts_on=dt.date(2026, 1, 5), trial_ends_on=dt.date(2026, 2, 1))
    extra.update(kwargs)
    return CaseFactory(status=status, at_risk_on=dt.date(2025, 12, 1), **extra)


@pytest.fixture
def on():
    return ON


@pytest.fixture
def employer(db):
    return OrganisationFactory(code="QOP", name="Greater Manchester ICB", kind="icb")


@pytest.fixture
def hr_user(employer):
    return user_in(roles.HR_MANAGER, organisations=[employer], username="hr", first_name="Hana",
                   last_name="Reid")


@pytest.fixture
def other_hr_user(employer):
    return user_in(roles.HR_MANAGER, organisations=[employer], username="hr2",
                   first_name="Omar", last_name="Hussain")
