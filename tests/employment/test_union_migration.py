"""The data migration that turns free-text unions on cases into `tracker.unions.Union` codes."""

import importlib

import pytest

from employment.models import Case
from tests.factories.employment import CaseFactory
from tracker.unions import Union

migration = importlib.import_module("employment.migrations.0003_case_union_from_free_text")


def test_the_migrations_copy_of_the_unions_is_the_list_in_the_code():
    assert {u.value: u.label for u in Union} == migration.UNIONS


@pytest.mark.parametrize(("text", "code"), [
    ("UNISON", "UNISON"),
    ("unison", "UNISON"),
    ("Unite", "UNITE"),
    ("Unite the Union", "UNITE"),
    ("R.C.N.", "RCN"),
    ("Royal College of Nursing", "RCN"),
    ("royal college of midwives", "RCM"),
    ("Managers in Partnership", "MIP"),
    ("GMB", "GMB"),
    ("Unison branch 12", ""),  # not a union's code or name: cleared
    ("the nurses' union", ""),
    ("", ""),
])
def test_free_text_maps_to_a_code_or_is_cleared(text, code):
    assert migration.LOOKUP.get(migration._key(text), "") == code


@pytest.mark.django_db
def test_the_migration_rewrites_the_rows():
    from django.apps import apps

    mapped = CaseFactory(requested_representation=True)
    cleared = CaseFactory(requested_representation=True)
    blank = CaseFactory(requested_representation=True)
    # Values as they could stand before the field became a choice (written past validation;
    # within the 20 characters the column now has, so the test runs on PostgreSQL too).
    Case.objects.filter(pk=mapped.pk).update(union_name="unite the union")
    Case.objects.filter(pk=cleared.pk).update(union_name="Unison branch 12")
    migration.map_unions(apps, None)
    values = dict(Case.objects.values_list("pk", "union_name"))
    assert values[mapped.pk] == "UNITE"
    assert values[cleared.pk] == ""
    assert values[blank.pk] == ""
    assert Case.objects.get(pk=cleared.pk).requested_representation is True
