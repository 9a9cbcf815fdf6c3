"""What every tracker service shares: the refusal a planned change raises."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class ChangeRefused(ValidationError):
    """A planned change cannot move to the state asked for; the message says why."""
