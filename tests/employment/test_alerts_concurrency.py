"""Two sweeps at once (two hosts' cron, or a sweep and a task): each event raised once, each
e-mail sent once. Each thread has its own database connection and they start together."""

import datetime as dt
import threading
import time

import pytest
from django.core import mail
from django.db import connections

from employment import alerts
from employment.alerts import delivery
from employment.alerts.raising import case_clock_events, raise_events
from employment.models import Alert, AlertRecipient, Case
from tests.employment.conftest import user_in
from tests.factories.employment import CaseFactory
from tests.factories.tracker import OrganisationFactory
from tracker import roles

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = dt.date(2026, 5, 25)


def _together(n, work):
    barrier = threading.Barrier(n)
    outcomes = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=10)
            outcomes[i] = work()
        except Exception as exc:  # surfaced by the assertions
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.fixture
def due(db):
    employer = OrganisationFactory(code="QOP", name="Greater Manchester ICB")
    for name in ("hr-a", "hr-b", "hr-c"):
        user_in(roles.HR_MANAGER, organisations=[employer], username=name)
    return CaseFactory(
        employer=employer, status=Case.Status.REDEPLOYMENT_TRIAL,
        trial_starts_on=dt.date(2026, 5, 1), trial_ends_on=dt.date(2026, 5, 28),
    )


def test_two_deliveries_at_once_send_each_row_once(due, monkeypatch):
    raise_events(case_clock_events(today=TODAY, lead=7, lookback=30), today=TODAY)
    assert AlertRecipient.objects.count() == 3
    real_send = delivery.send_message

    def slow_send(message):
        time.sleep(0.3)  # both deliveries are between reading and finishing
        real_send(message)

    monkeypatch.setattr(delivery, "send_message", slow_send)
    outcomes = _together(2, alerts.deliver_pending)
    assert sorted(outcomes) == [0, 3]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "hr-a@example.nhs.uk", "hr-b@example.nhs.uk", "hr-c@example.nhs.uk",
    ]


def test_two_sweeps_at_once_raise_and_send_once(due):
    outcomes = _together(2, lambda: alerts.alerts_sweep(today=TODAY))
    assert all(not isinstance(o, Exception) for o in outcomes), outcomes
    assert Alert.objects.count() == 1
    assert AlertRecipient.objects.count() == 3
    assert sum(o.delivered for o in outcomes) == 3
    assert len(mail.outbox) == 3
