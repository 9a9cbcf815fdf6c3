"""E-mailing alert rows: in the background, in batches, each row at most once.

`deliver_pending` reads up to `BATCH` rows not yet e-mailed (one query), claims them all with one
conditional UPDATE that writes a fresh claim token only where there is none, reads back the rows
carrying its token (one query), sends each over one connection, then marks the sent rows e-mailed
and releases the claim of the failed ones (one UPDATE each). So:

* two sweeps, or a sweep and a task, never both send a row: only one token lands on it;
* a failed send is retried by the next delivery, up to `MAX_ATTEMPTS` times;
* a process that dies between the claim and the send leaves the row claimed, and it is not sent
  again automatically (at most once; `stale_claims` counts them for the operator), because it
  cannot be known whether the mail server took the message.

Query count is flat in the number of rows (five per batch of up to `BATCH`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import uuid

from django.core.mail import get_connection
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from employment.alerts.email import build_message
from employment.models import AlertRecipient

logger = logging.getLogger(__name__)

BATCH = 500
MAX_ATTEMPTS = 10
STALE_CLAIM = dt.timedelta(hours=1)


def pending_rows(alert_ids: list[int] | None = None):
    rows = AlertRecipient.objects.filter(
        emailed_at__isnull=True,
        email_claim__isnull=True,
        email_attempts__lt=MAX_ATTEMPTS,
        user__is_active=True,
    ).exclude(user__email="")
    if alert_ids is not None:
        rows = rows.filter(alert_id__in=alert_ids)
    return rows.order_by("pk")


def send_message(message) -> None:
    """One message over its connection; raises on failure (a seam for tests)."""
    message.send(fail_silently=False)


def deliver_pending(*, alert_ids: list[int] | None = None) -> int:
    """E-mail every row not yet e-mailed (of these alerts, or all); returns how many were sent."""
    sent_total = 0
    while True:
        ids = list(pending_rows(alert_ids).values_list("pk", flat=True)[:BATCH])
        if not ids:
            return sent_total
        token = uuid.uuid4()
        AlertRecipient.objects.filter(
            pk__in=ids, email_claim__isnull=True, emailed_at__isnull=True
        ).update(
            email_claim=token,
            email_claimed_at=timezone.now(),
            email_attempts=F("email_attempts") + 1,
        )
        rows = list(
            AlertRecipient.objects.filter(email_claim=token)
            .select_related("user", "alert__organisation", "alert__page")
            .order_by("pk")
        )
        if not rows:
            return sent_total  # another delivery claimed them all first
        sent, failed = _send(rows)
        now = timezone.now()
        if sent:
            AlertRecipient.objects.filter(pk__in=sent, email_claim=token).update(
                emailed_at=now, email_claim=None
            )
        if failed:
            AlertRecipient.objects.filter(pk__in=failed, email_claim=token).update(
                email_claim=None, email_claimed_at=None
            )
        sent_total += len(sent)
        if failed or len(ids) < BATCH:
            return sent_total  # failures wait for the next delivery, not this loop


def _send(rows: list[AlertRecipient]) -> tuple[list[int], list[int]]:
    sent: list[int] = []
    failed: list[int] = []
    try:
        connection = get_connection(fail_silently=False)
        connection.open()
    except Exception:
        logger.exception(
            "Could not connect to send %s alert e-mails; the next sweep retries", len(rows)
        )
        return [], [r.pk for r in rows]
    try:
        for row in rows:
            try:
                send_message(build_message(row, connection=connection))
            except Exception:
                logger.exception(
                    "Alert e-mail to user %s failed; the next sweep retries", row.user_id
                )
                failed.append(row.pk)
            else:
                sent.append(row.pk)
    finally:
        with contextlib.suppress(Exception):  # closing a broken connection tells us nothing
            connection.close()
    return sent, failed


def stale_claims(*, now: dt.datetime | None = None) -> int:
    """Rows claimed but neither sent nor released for over an hour: a delivery died mid-send."""
    now = now or timezone.now()
    return AlertRecipient.objects.filter(
        emailed_at__isnull=True,
        email_claim__isnull=False,
        email_claimed_at__lt=now - STALE_CLAIM,
    ).count()


@task()
def deliver_alerts_task(alert_ids: list[int]) -> int:
    return deliver_pending(alert_ids=alert_ids)
