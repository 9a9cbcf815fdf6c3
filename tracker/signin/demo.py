"""The demo's authenticator devices: privileged demo users get a TOTP secret and recovery codes
when `seed_demo` runs, and `demo_totp USERNAME` prints the code an app would show now."""

from __future__ import annotations

import time
from collections.abc import Iterable

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.utils import decrypt
from django.db import transaction

from tracker.models import User
from tracker.signin import policy


@transaction.atomic
def demo_authenticators_seed(*, users: Iterable[User]) -> list[User]:
    """Give each privileged user without one a TOTP device and recovery codes. Idempotent."""
    seeded = []
    for user in users:
        if policy.needs_second_factor(user) and not policy.has_second_factor(user):
            TOTP.activate(user, generate_totp_secret())
            RecoveryCodes.activate(user)
            seeded.append(user)
    return seeded


def current_code(user: User) -> tuple[str, int]:
    """The code the user's authenticator app shows now, and the seconds it stays valid."""
    device = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = decrypt(device.data["secret"])
    now = int(time.time())
    period = mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, now // period)), period - now % period
