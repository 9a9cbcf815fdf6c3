"""Fixtures for the employment tests: people in each role, and a day to act on."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group

from tests.factories.tracker import OrganisationFactory, UserFactory
from tracker import roles

ON = dt.date(2026, 2, 2)


def user_in(role: str | None, *, organisations=(), **kwargs):
    groups = [Group.objects.get_or_create(name=role)[0]] if role else []
    return UserFactory(groups=groups, organisations=list(organisations), **kwargs)


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
