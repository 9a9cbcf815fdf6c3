"""Sessions end a fixed time after signing in (not after the last click), and at once when the
account is deactivated.

Django's session expiry slides with every modification; a working day has to be counted from
the sign-in itself, so the sign-in time goes into the session (`stamp_signed_in`, on Django's
`user_logged_in` signal: the forms and a test's `force_login` both send it) and each request
checks it. A deactivated account is already anonymous to Django's backends on its next request;
here its session is also flushed, so nothing in it outlives the account.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import auth
from django.http import HttpRequest
from django.utils import timezone

from tracker.signin import policy

SIGNED_IN_AT = "signin_signed_in_at"
ENDS_AT = "signin_session_ends_at"


def stamp_signed_in(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """Record when this session started and when it must end (worked out once, at sign-in, so
    a request pays no query for it)."""
    if request is None or not hasattr(request, "session"):
        return
    now = timezone.now()
    request.session[SIGNED_IN_AT] = now.timestamp()
    request.session[ENDS_AT] = (now + policy.session_age(user)).timestamp()


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        self._end_if_over(request)
        return self.get_response(request)

    def _end_if_over(self, request: HttpRequest) -> None:
        session = request.session
        if auth.SESSION_KEY not in session:
            return
        if not request.user.is_authenticated:
            # The account behind the session is deactivated (Django's backends no longer load
            # it) or gone: end the session, so reactivating the account does not revive it.
            session.flush()
            return
        ends_at = session.get(ENDS_AT)
        # A session without an end (made before this rule, or not by logging in) fails closed.
        if ends_at is None or timezone.now() >= dt.datetime.fromtimestamp(ends_at, tz=dt.UTC):
            auth.logout(request)
