"""The login stage that makes a privileged user enrol a second factor before the sign-in
completes. Nothing is signed in until every stage has passed, so there is no half-signed-in
session to guard elsewhere (and a test's `force_login`, which skips the flow, is signed in)."""

from __future__ import annotations

from allauth.account.stages import LoginStage
from allauth.core.internal.httpkit import headed_redirect_response

from tracker.signin import policy


class EnrolSecondFactorStage(LoginStage):
    key = "signin_enrol_second_factor"
    urlname = "signin_enrol_totp"

    def handle(self):
        user = self.login.user
        if user is None or not policy.needs_second_factor(user):
            return None, True
        if policy.has_second_factor(user) and not self.state.get("recovery_codes_pending"):
            return None, True
        return headed_redirect_response(self.urlname), True
