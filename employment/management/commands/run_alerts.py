"""`manage.py run_alerts [--today YYYY-MM-DD] [--lead-days N]`: the alert sweep.

Raises the clock and collective-consultation threshold alerts due on the day and emails every
alert row not yet emailed. Safe to run every minute: each event has a unique key and each email
is claimed before it is sent, so a second run (or two at once) raises and sends nothing twice.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from employment.alerts import alerts_sweep


class Command(BaseCommand):
    help = "Raise due clock and threshold alerts and email any not yet delivered."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", help="Evaluate the clocks as on this date (YYYY-MM-DD); default today."
        )
        parser.add_argument(
            "--lead-days",
            type=int,
            default=None,
            help="Alert this many days before a date (default EMPLOYMENT_ALERT_LEAD_DAYS, 7).",
        )

    def handle(self, *args, today=None, lead_days=None, **options):
        on = None
        if today:
            try:
                on = date.fromisoformat(today.strip())
            except ValueError:
                raise CommandError(
                    f"--today '{today}' is not a date: use YYYY-MM-DD", returncode=2
                ) from None
        if lead_days is not None and lead_days < 0:
            raise CommandError("--lead-days cannot be negative", returncode=2)
        result = alerts_sweep(today=on, lead=lead_days)
        self.stdout.write(f"raised {result.raised}, delivered {result.delivered}")
