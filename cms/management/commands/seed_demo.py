"""Demo data for every app, composed here because cms sits above the others: the tracker's
users, establishment and programmes (`tracker.demo`), the employment cases and consultation
(`employment.demo`) and the guarantee pages (`cms.demo`).

Dates are relative to the day it runs (or `--today`), so the clocks, alerts and dashboards show
live work on any day. Idempotent: a second run changes nothing and only prints the users.
"""

import datetime as dt

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cms.demo import demo_pages_publish
from employment.demo import seed_cases
from tracker import demo, roles
from tracker.models import Programme
from tracker.signin.demo import demo_authenticators_seed


class Command(BaseCommand):
    help = (
        "Load the demo organisations, programmes, posts, staff, changes, cases, pages and users "
        "(idempotent; dates relative to today)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            help="Date the live programme's dates are worked out from (default: today).",
        )

    def handle(self, *args, **options):
        if not getattr(settings, "TRANSITION_ALLOW_DEMO_DATA", False):
            raise CommandError(
                "Demo data (with known passwords) is only loaded where "
                "TRANSITION_ALLOW_DEMO_DATA is on (dev and test settings), never in production."
            )
        today = options["today"] or timezone.localdate()
        roles.sync_roles()
        with transaction.atomic():
            users = demo.seed_users()
            demo_authenticators_seed(users=users.values())
            if Programme.objects.filter(slug=demo.PROGRAMME_SLUG).exists():
                self.stdout.write("Demo data already loaded; nothing changed.")
            else:
                establishment = demo.seed_establishment(users)
                current = demo.seed_current_programme(establishment, users, today=today)
                seed_cases(establishment, current, users, today=today)
                self.stdout.write(self.style.SUCCESS(f"Demo data loaded (dated from {today})."))
            # Written by the demo editor and approved by the demo approver through Partnership
            # approval; a second run finds them unchanged and writes nothing.
            for slug in (demo.PROGRAMME_SLUG, demo.CURRENT_PROGRAMME_SLUG):
                demo_pages_publish(
                    programme=Programme.objects.get(slug=slug),
                    editor=users["editor"],
                    approver=users["approver"],
                )
        # Pages made by migrations are not in the search index until it is rebuilt.
        call_command("update_index", verbosity=0)
        demo.print_users(self.stdout.write, site_url=_site_url())


def _site_url() -> str:
    return getattr(settings, "WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
