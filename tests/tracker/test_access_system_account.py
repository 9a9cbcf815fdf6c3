"""The scheduled jobs' system account (`tracker.audit.system_user`) changes records in every
organisation, like a superuser; an ordinary account that merely shares its name does not."""

from __future__ import annotations

import pytest

from tests import factories
from tracker.access import OutOfScope, changeable_organisation_ids, require_change
from tracker.audit import MissingAuditContext, system_user
from tracker.models import User

pytestmark = pytest.mark.django_db


def test_the_system_account_may_change_any_organisation():
    orgs = [factories.OrganisationFactory(), factories.OrganisationFactory()]
    user = system_user()
    assert changeable_organisation_ids(user) is None
    require_change(user, orgs)  # no OutOfScope


@pytest.mark.parametrize("signs_in", ["active", "usable_password"])
def test_an_account_that_can_sign_in_is_not_the_system_account(signs_in):
    """Named "system" but able to sign in (the factories already made the real one, so this
    takes it and opens one door): no allowance, and no role either, so nothing at all."""
    org = factories.OrganisationFactory()
    user = system_user()
    if signs_in == "active":
        user.is_active = True
    else:
        user.set_password("a-Long-enough-pass-9")
    user.save()
    user = User.objects.get(pk=user.pk)
    assert changeable_organisation_ids(user) == set()
    with pytest.raises(OutOfScope):
        require_change(user, [org])


def test_a_change_without_an_acting_user_is_refused_for_the_audit_history():
    with pytest.raises(MissingAuditContext):
        require_change(None, [factories.OrganisationFactory()])
