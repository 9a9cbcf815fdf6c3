"""The history tables keep the index every "newest row of a record before a moment" read needs,
on both databases (migrations 0005 to 0007: an AlterField on SQLite once rebuilt these tables
without it, and the as-of screen took 18 s at 20,000 posts), and not the ones nothing reads."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

# Every tracker model with an audit history: a new one fails here until its history table has
# the index too.
AUDITED = [
    m
    for m in apps.get_app_config("tracker").get_models()
    if hasattr(m, "history") and not m._meta.model_name.startswith("historical")
]


def _indexed_columns(table: str) -> list[list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [c["columns"] for c in constraints.values() if c["index"] and not c["primary_key"]]


@pytest.mark.django_db
@pytest.mark.parametrize("model", AUDITED, ids=lambda m: m.__name__)
def test_each_history_table_is_indexed_by_record_then_time(model):
    indexed = _indexed_columns(model.history.model._meta.db_table)
    assert ["id", "history_date", "history_id"] in indexed
    assert ["id"] not in indexed  # the leading column of the one above
    assert ["history_date"] in indexed  # the audit trail between dates


@pytest.mark.django_db
def test_history_copies_of_numbers_are_not_indexed():
    assert ["employee_number"] not in _indexed_columns("tracker_historicalstaffmember")
    assert ["user_id"] not in _indexed_columns("tracker_historicalstaffmember")
    assert ["assignment_number"] not in _indexed_columns("tracker_historicalassignment")
    # Foreign keys the history reads go by stay indexed.
    assert ["organisation_id"] in _indexed_columns("tracker_historicalpost")
    assert ["post_id"] in _indexed_columns("tracker_historicalassignment")
