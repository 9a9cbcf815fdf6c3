"""Map the free-text union on cases to the recognised unions before the field becomes a choice.

A value matches a union when, ignoring case, spaces and punctuation, it equals the union's code
or its name (so "unison", "Unite", "Royal College of Nursing" and "R.C.N." all match). Anything
else is cleared: the member still shows as having asked for representation, and HR records the
union again from the list. Union membership is special-category data, so an unrecognised value
is not kept anywhere (the field is not in the case history either). Written with `update()`,
which writes no history rows: the union is deliberately left out of case history.
"""

import re

from django.db import migrations

UNIONS = {
    "BAOT": "British Association of Occupational Therapists (RCOT)",
    "BDA": "British Dietetic Association",
    "BMA": "British Medical Association",
    "CSP": "Chartered Society of Physiotherapy",
    "FTMS": "Federation of Clinical Scientists",
    "GMB": "GMB",
    "HCSA": "Hospital Consultants and Specialists Association",
    "MIP": "Managers in Partnership",
    "PROSPECT": "Prospect",
    "RCM": "Royal College of Midwives",
    "RCN": "Royal College of Nursing",
    "SCP": "Royal College of Podiatry",
    "SOR": "Society of Radiographers",
    "UCATT": "Unite (UCATT section)",
    "UNISON": "UNISON",
    "UNITE": "Unite the Union",
}


def _key(text):
    return re.sub(r"[^a-z0-9]", "", text.lower())


LOOKUP = {}
for code, name in UNIONS.items():
    LOOKUP[_key(code)] = code
    LOOKUP[_key(name)] = code


def map_unions(apps, schema_editor):
    Case = apps.get_model("employment", "Case")
    rows = Case.objects.exclude(union_name="").values_list("pk", "union_name")
    by_code = {}
    for pk, text in rows.iterator():
        by_code.setdefault(LOOKUP.get(_key(text), ""), []).append(pk)
    for code, pks in by_code.items():
        for start in range(0, len(pks), 500):
            Case.objects.filter(pk__in=pks[start : start + 500]).update(union_name=code)


class Migration(migrations.Migration):
    dependencies = [("employment", "0002_alerts_and_recipients")]

    operations = [migrations.RunPython(map_unions, migrations.RunPython.noop)]
