"""Fixtures shared by the whole suite. Factories live in `tests/factories/`."""

import pytest


@pytest.fixture
def system_user(db):
    from tracker.audit import system_user

    return system_user()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the public pages are cached (cms/cache.py), and a
    page cached by one test must not answer another's request."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
