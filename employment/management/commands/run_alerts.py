"""`manage.py run_alerts [--today YYYY-MM-DD] [--lead-days N]`: the alert sweep.

Raises the clock, collective-consultation threshold and guarantee review-date alerts due on the
day and e-mails every alert row not yet e-mailed (`employment.alerts.sweep`). Safe to run every
minute: each event has a unique key and each e-mail is claimed before it is sent, so a second run
(or two at once) raises and sends nothing twice.
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
        if result.stale_claims:
            self.stderr.write(
                f"{result.stale_claims} alert e-mail(s) were claimed by a delivery that stopped "
                "before finishing; they are not resent automatically (they may have gone). "
                "Check the mail log, then clear email_claim on those rows to resend."
            )
