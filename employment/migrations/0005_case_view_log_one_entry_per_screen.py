"""A case view log entry per screen view, naming every case the screen showed (was: one row per
case opened). Existing rows become entries naming their one case, as a case record view."""

from django.db import migrations, models


def copy_case_into_cases(apps, schema_editor):
    CaseViewLog = apps.get_model("employment", "CaseViewLog")
    through = CaseViewLog.cases.through
    batch = []
    for log_id, case_id in CaseViewLog.objects.values_list("pk", "case_id").iterator():
        batch.append(through(caseviewlog_id=log_id, case_id=case_id))
        if len(batch) >= 1000:
            through.objects.bulk_create(batch)
            batch = []
    through.objects.bulk_create(batch)
    CaseViewLog.objects.update(screen="case_inspect")


class Migration(migrations.Migration):
    dependencies = [("employment", "0004_case_union_choice")]

    operations = [
        migrations.AlterField(
            model_name="caseviewlog",
            name="case",
            field=models.ForeignKey(
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="employment.case",
            ),
        ),
        migrations.AddField(
            model_name="caseviewlog",
            name="cases",
            field=models.ManyToManyField(
                blank=True, related_name="view_logs", to="employment.case"
            ),
        ),
        migrations.AddField(
            model_name="caseviewlog",
            name="path",
            field=models.CharField(blank=True, help_text="The address requested.", max_length=500),
        ),
        migrations.RunPython(copy_case_into_cases, migrations.RunPython.noop),
        migrations.RemoveField(model_name="caseviewlog", name="case"),
        migrations.AlterField(
            model_name="caseviewlog",
            name="screen",
            field=models.CharField(
                choices=[
                    ("case_list", "Case list"),
                    ("case_inspect", "Case record"),
                    ("register", "Redeployment register"),
                    ("register_matches", "Matching vacancies for a person"),
                    ("offer_list", "Redeployment offers"),
                    ("offer_inspect", "Redeployment offer"),
                ],
                max_length=40,
            ),
        ),
        migrations.AddIndex(
            model_name="caseviewlog",
            index=models.Index(fields=["viewed_at"], name="case_view_viewed_at_idx"),
        ),
    ]
