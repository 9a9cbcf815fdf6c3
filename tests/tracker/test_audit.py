"""tracker/audit.py: no history row without who and why; users are never deleted."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import ProtectedError

from tests import factories
from tracker.audit import MissingAuditContext, stamp
from tracker.models import Organisation, User

pytestmark = pytest.mark.django_db


def test_a_save_without_who_and_why_is_refused():
    organisation = Organisation(code="01F", name="Halton", kind="ccg")
    with pytest.raises(MissingAuditContext, match="without a user"):
        organisation.save()
    assert not Organisation.objects.exists()


def test_a_save_with_a_user_but_no_reason_is_refused():
    organisation = Organisation(code="01F", name="Halton", kind="ccg")
    organisation._history_user = factories.UserFactory()
    with pytest.raises(MissingAuditContext, match="without a reason"):
        organisation.save()


def test_stamp_refuses_a_blank_reason():
    with pytest.raises(MissingAuditContext):
        stamp(Organisation(), acting_user=factories.UserFactory(), reason="")


def test_users_are_deactivated_never_deleted():
    user = factories.UserFactory()
    with pytest.raises(ProtectedError), transaction.atomic():
        user.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        User.objects.filter(pk=user.pk).delete()
    assert User.objects.filter(pk=user.pk).exists()


def test_every_history_row_after_the_demo_load_says_who_and_why():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    historical = [
        m
        for m in apps.get_models()
        if m.__name__.startswith("Historical") and hasattr(m, "history_user")
    ]
    assert len(historical) >= 7
    total = 0
    for model in historical:
        rows = model.objects.all()
        total += rows.count()
        assert not rows.filter(history_user__isnull=True).exists(), model.__name__
        assert not rows.filter(history_change_reason__isnull=True).exists(), model.__name__
        assert not rows.filter(history_change_reason="").exists(), model.__name__
    assert total > 1000
