import pytest

from tests import factories


@pytest.mark.django_db
def test_factories_write_audited_history():
    assignment = factories.AssignmentFactory()
    record = assignment.history.get()
    assert record.history_user.username == "system"
    assert record.history_change_reason == "test fixture"
