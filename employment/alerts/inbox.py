"""The in-app inbox: a user's own alert rows, and acknowledging one of them."""

from __future__ import annotations

from django.utils import timezone

from employment.models import AlertRecipient


def alerts_for(user):
    """The signed-in user's own alert rows, newest first; nobody else's, ever."""
    if not (user.is_authenticated and user.is_active):
        return AlertRecipient.objects.none()
    return AlertRecipient.objects.filter(user=user).order_by("-created_at", "-pk")


def unacknowledged_count(user) -> int:
    return alerts_for(user).filter(acknowledged_at__isnull=True).count()


def alert_acknowledge(*, user, pk: int) -> AlertRecipient:
    """Acknowledge one of `user`'s own rows (AlertRecipient.DoesNotExist for anyone else's)."""
    row = alerts_for(user).get(pk=pk)
    if row.acknowledged_at is None:
        row.acknowledged_at = timezone.now()
        row.save(update_fields=["acknowledged_at"])
    return row
