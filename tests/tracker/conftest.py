"""Fixtures for the tracker tests. The access matrix's records and users: `tests.tracker.world`."""

import pytest

from tests import factories
from tests.tracker.world import World, make_side, make_user
from tracker import roles


@pytest.fixture
def world(db) -> World:
    author = factories.UserFactory(username="author", is_superuser=True)
    home = make_side("01A", "QA1", "Homefield", "Harbourview", "EHOME001", author)
    away = make_side("02B", "QB2", "Awayvale", "Zanzibarova", "EAWAY001", author)
    users = {
        "hr_a": make_user("hr_a", roles.HR_MANAGER, [home.org, home.icb]),
        "hr_b": make_user("hr_b", roles.HR_MANAGER, [away.org, away.icb]),
        "rep": make_user("rep", roles.UNION_REP, [home.org, home.icb], union="UNISON"),
        "auditor": make_user("auditor", roles.AUDITOR),
        "approver": make_user("approver", roles.PARTNERSHIP_APPROVER),
        "editor": make_user("editor", roles.CMS_EDITOR),
        "staff": make_user("staff", roles.STAFF, [home.org], is_staff=False),
        "admin": make_user("admin", None, is_superuser=True),
    }
    return World(home, away, users)
