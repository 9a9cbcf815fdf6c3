"""`manage.py check --deploy` reports any broken sign-in safeguard as an error."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from tracker.signin import safeguards


def signin_safeguards(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return [
        checks.Error(problem, id=f"signin.E{number:03d}")
        for number, problem in enumerate(safeguards.problems(settings), start=1)
    ]


def register() -> None:
    checks.register(signin_safeguards, checks.Tags.security, deploy=True)
