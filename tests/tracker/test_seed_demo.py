import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from employment.models import Case
from tracker import roles
from tracker.models import PlannedChange, Post, StaffMember, User

pytestmark = pytest.mark.django_db


def _history_rows() -> int:
    return sum(m.objects.count() for m in apps.get_models() if m.__name__.startswith("Historical"))


def test_seed_is_idempotent_and_covers_every_status_and_role():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "transition-demo" in out.getvalue()
    counts = (Post.objects.count(), StaffMember.objects.count(), PlannedChange.objects.count())
    history = _history_rows()
    assert counts[0] >= 300 and counts[1] >= 250

    call_command("seed_demo", stdout=io.StringIO())

    assert (
        Post.objects.count(),
        StaffMember.objects.count(),
        PlannedChange.objects.count(),
    ) == counts
    assert _history_rows() == history
    statuses = set(PlannedChange.objects.values_list("status", flat=True))
    assert statuses == set(PlannedChange.Status.values)
    actions = set(PlannedChange.objects.values_list("action", flat=True))
    assert actions == set(PlannedChange.Action.values)
    for role in roles.ALL_ROLES:
        assert User.objects.filter(groups__name=role).exists(), role
    me = User.objects.get(username="staff").staff_member
    case_statuses = set(Case.objects.values_list("status", flat=True))
    assert len(case_statuses) >= 8, case_statuses
    assert Case.objects.get(staff_member=me).requested_representation


def test_seed_refuses_without_the_demo_setting(settings):
    settings.TRANSITION_ALLOW_DEMO_DATA = False
    with pytest.raises(CommandError, match="never in production"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.filter(username="hr").exists()
