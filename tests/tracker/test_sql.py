"""`tracker.sql.one_parameter_in`: any number of values, one query, exact matches only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from employment.alerts.raising import _existing_keys
from employment.models import Alert
from tracker.sql import one_parameter_in

pytestmark = pytest.mark.django_db


def test_awkward_strings_match_exactly_and_only_themselves():
    keys = ["k'1", 'k"2', "k,3", "k%4", "k_5", "kÉ6", "k 7", "k]8"]
    Alert.objects.bulk_create(
        Alert(kind=Alert.Kind.CLOCK_APPROACHING, dedupe_key=key, subject="s", body="b")
        for key in keys
    )
    wanted = ["k'1", "k%4", "kÉ6", "K'1", "absent", "k_", "k]8", '"k,3"']
    found = set(
        Alert.objects.filter(dedupe_key__in=one_parameter_in(wanted)).values_list(
            "dedupe_key", flat=True
        )
    )
    # Quotes, commas, brackets and LIKE wildcards are data, not syntax; case matters.
    assert found == {"k'1", "k%4", "kÉ6", "k]8"}
    assert not Alert.objects.filter(dedupe_key__in=one_parameter_in([])).exists()


def test_the_sweep_reads_thousands_of_raised_keys_in_one_query():
    """Past SQLite's 999 parameters a list of values had to be cut into batches: the sweep's
    repeated run made one query per 500 due events. 3,000 keys, half raised before."""
    raised = [f"clock:case:{n}:trial_ends:2026-05-28" for n in range(0, 3000, 2)]
    Alert.objects.bulk_create(
        Alert(kind=Alert.Kind.CLOCK_APPROACHING, dedupe_key=key, subject="s", body="b")
        for key in raised
    )
    asked = [f"clock:case:{n}:trial_ends:2026-05-28" for n in range(3000)]
    with CaptureQueriesContext(connection) as captured:
        found = _existing_keys(asked)
    assert len(captured) == 1
    assert found == set(raised)


def test_ids_past_the_parameter_limit_in_one_query():
    """Integer ids (history ids for the as-of screen's change list), 1,500 of them: more than
    SQLite's 999 parameters, so `pk__in=[...]` would need batches."""
    Alert.objects.bulk_create(
        Alert(kind=Alert.Kind.CLOCK_APPROACHING, dedupe_key=f"k{n}", subject="s", body="b")
        for n in range(1500)
    )
    every = sorted(Alert.objects.values_list("pk", flat=True))
    wanted = [*every[::3], max(every) + 1000]  # one id that does not exist
    with CaptureQueriesContext(connection) as captured:
        found = sorted(
            Alert.objects.filter(pk__in=one_parameter_in(wanted, integers=True)).values_list(
                "pk", flat=True
            )
        )
    assert len(captured) == 1
    assert found == every[::3]
