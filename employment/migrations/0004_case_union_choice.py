from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("employment", "0003_case_union_from_free_text")]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="union_name",
            field=models.CharField(
                blank=True,
                choices=[
                    ("BAOT", "British Association of Occupational Therapists (RCOT)"),
                    ("BDA", "British Dietetic Association"),
                    ("BMA", "British Medical Association"),
                    ("CSP", "Chartered Society of Physiotherapy"),
                    ("FTMS", "Federation of Clinical Scientists"),
                    ("GMB", "GMB"),
                    ("HCSA", "Hospital Consultants and Specialists Association"),
                    ("MIP", "Managers in Partnership"),
                    ("PROSPECT", "Prospect"),
                    ("RCM", "Royal College of Midwives"),
                    ("RCN", "Royal College of Nursing"),
                    ("SCP", "Royal College of Podiatry"),
                    ("SOR", "Society of Radiographers"),
                    ("UCATT", "Unite (UCATT section)"),
                    ("UNISON", "UNISON"),
                    ("UNITE", "Unite the Union"),
                ],
                help_text="The union the member asked to represent them; only when "
                "representation is requested. Never shown on selection or matching screens or "
                "in exports.",
                max_length=20,
                verbose_name="union",
            ),
        ),
    ]
