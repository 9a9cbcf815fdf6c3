"""Tracker records are left out of Wagtail's reference index (tracker/usage.py): the rows it
holds from or to them are no longer read or kept up, so they go."""

from django.db import migrations
from django.db.models import Q


def forget_tracker_references(apps, schema_editor):
    ReferenceIndex = apps.get_model("wagtailcore", "ReferenceIndex")
    ContentType = apps.get_model("contenttypes", "ContentType")
    tracker = ContentType.objects.filter(app_label="tracker").values("pk")
    ReferenceIndex.objects.filter(
        Q(base_content_type__in=tracker) | Q(to_content_type__in=tracker)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0007_history_record_order_indexes"),
        ("wagtailcore", "0096_referenceindex_referenceindex_source_object_and_more"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forget_tracker_references, migrations.RunPython.noop)]
