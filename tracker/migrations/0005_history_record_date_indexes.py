"""An index on (id, history_date) for each tracker history table.

"The newest history row of each record before a moment" (the as-of establishment, the audit
trail's "before", changes between dates) looks up one record's rows in date order; with only the
separate `id` and `history_date` indexes that django-simple-history creates, the database sorts
each record's rows for every row read. django-simple-history has no option for a composite index
on the historical models, so this is plain SQL (the same on SQLite and PostgreSQL) and not part
of the models' state.
"""

from django.db import migrations

TABLES = [
    "tracker_historicalorganisation",
    "tracker_historicalsuccession",
    "tracker_historicalprogramme",
    "tracker_historicalpost",
    "tracker_historicalstaffmember",
    "tracker_historicalassignment",
    "tracker_historicalplannedchange",
]


class Migration(migrations.Migration):
    dependencies = [("tracker", "0004_indexes_for_admin_list_orderings_and_filters")]

    operations = [
        migrations.RunSQL(
            sql=f'CREATE INDEX "{table}_id_date_idx" ON "{table}" ("id", "history_date")',
            reverse_sql=f'DROP INDEX "{table}_id_date_idx"',
        )
        for table in TABLES
    ]
