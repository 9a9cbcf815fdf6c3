"""Fixtures shared by the whole suite. Factories live in `tests/factories/`."""

import pytest


@pytest.fixture
def system_user(db):
    from tracker.audit import system_user

    return system_user()
