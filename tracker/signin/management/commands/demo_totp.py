from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tracker.models import User
from tracker.signin import demo


class Command(BaseCommand):
    help = (
        "Print a demo user's current authenticator code (the second factor at sign-in). "
        "Only where TRANSITION_ALLOW_DEMO_DATA is on."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not getattr(settings, "TRANSITION_ALLOW_DEMO_DATA", False):
            raise CommandError(
                "demo_totp prints second-factor codes, so it only runs where "
                "TRANSITION_ALLOW_DEMO_DATA is on (dev and test settings), never in production."
            )
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user called {username!r}.") from None
        try:
            code, seconds = demo.current_code(user)
        except Authenticator.DoesNotExist:
            raise CommandError(
                f"{username} has no authenticator. Run `manage.py seed_demo`, or sign in and "
                "set one up."
            ) from None
        self.stdout.write(code)
        self.stderr.write(f"(valid for {seconds} more seconds; each code works once)")
