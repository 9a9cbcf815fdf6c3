"""allauth adapters: where our rules plug into allauth's flow."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse

from tracker.signin import network, policy


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are made by administrators, never by signing up; privileged users enrol a second
    factor as a stage of signing in; the client's address is read as `network` says."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": (
            "This account is locked after too many failed sign-in attempts. Try again in 30 "
            "minutes, or ask an administrator to unlock it."
        ),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_login_stages(self) -> list[str]:
        stages = super().get_login_stages()
        # After allauth's own MFA stage (asks for a code when the user has a device), ours
        # sends a privileged user who has none to enrol one.
        stages.insert(
            stages.index("allauth.mfa.stages.AuthenticateStage") + 1,
            "tracker.signin.stages.EnrolSecondFactorStage",
        )
        return stages

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # With no `next`, people who work in the admin land there, staff on their own record.
        if policy.needs_second_factor(request.user):
            return reverse("wagtailadmin_home")
        return super().get_login_redirect_url(request)

    def get_client_ip(self, request: HttpRequest) -> str:
        ip = network.client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine the client's address.")
        return ip


class MFAAdapter(DefaultMFAAdapter):
    """A privileged user may replace their authenticator app but never be left without one."""

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.TOTP and policy.needs_second_factor(
            authenticator.user
        ):
            return False
        return super().can_delete_authenticator(authenticator)
