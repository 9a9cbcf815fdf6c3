"""Each tracker history table's (id, history_date) index becomes (id, history_date, history_id).

"The newest history row of a record before a moment" (`tracker.selectors.as_of.latest_history`,
the change log's row before, a record's timeline) filters on id and a date and orders by
(history_date, history_id). On SQLite, migration 0006's AlterField rebuilt each history table, which drops indexes
Django does not know of (0005's), so with the id index gone too SQLite chose the history_date
index for that subquery and walked every history row before the moment for each record: the
as-of count for a 1,000-post organisation at 20,000 posts took 18 s. (Any later AlterField of
a history model on SQLite drops these indexes again: such a migration must recreate them.) An
index on all three columns answers it from the index alone, on both databases (0.009 s), and
PostgreSQL no longer sorts the rows of one date. Plain SQL, as 0005, because
django-simple-history has no option for a composite index on the historical models.
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
    dependencies = [("tracker", "0006_history_indexes_nothing_reads")]

    operations = [
        operation
        for table in TABLES
        for operation in (
            migrations.RunSQL(
                sql=(
                    f'CREATE INDEX "{table}_id_date_hid_idx" '
                    f'ON "{table}" ("id", "history_date", "history_id")'
                ),
                reverse_sql=f'DROP INDEX "{table}_id_date_hid_idx"',
            ),
            migrations.RunSQL(
                # Gone already on SQLite, where 0006's AlterField rebuilt each table without
                # the indexes Django does not know of; on PostgreSQL it is still there.
                sql=f'DROP INDEX IF EXISTS "{table}_id_date_idx"',
                reverse_sql=f'CREATE INDEX "{table}_id_date_idx" ON "{table}" ("id", "history_date")',
            ),
        )
    ]
