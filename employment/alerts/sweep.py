"""The sweep `manage.py run_alerts` runs every minute: find everything due, raise what was not
raised before, e-mail what was not e-mailed.

Set-based: each kind of event is found by one or a few queries over all cases, consultations and
pages (never one query per case), and raising and delivering are batched, so a repeated sweep
with nothing due makes a fixed, small number of queries and a first sweep's count does not grow
with the number of cases (both pinned in `tests/employment/test_alerts_sweep_queries.py`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from employment.alerts import events as ev
from employment.alerts.delivery import deliver_pending, stale_claims
from employment.alerts.raising import (
    case_clock_events,
    consultation_events,
    guarantee_review_events,
    missed_status_events,
    raise_events,
)


@dataclass(frozen=True)
class SweepResult:
    raised: int
    delivered: int
    stale_claims: int = 0  # rows a dead delivery claimed and never sent (at most once)


def alerts_sweep(*, today: dt.date | None = None, lead: int | None = None) -> SweepResult:
    """Raise due clock, threshold and review-date alerts and any status alert whose task never
    ran, then e-mail everything not yet e-mailed (the safety net for delivery tasks that did not
    run or failed)."""
    today = today or timezone.localdate()
    lead = ev.lead_days() if lead is None else lead
    lookback = ev.passed_lookback_days()
    found = (
        case_clock_events(today=today, lead=lead, lookback=lookback)
        + consultation_events(today=today, lead=lead, lookback=lookback)
        + missed_status_events(today=today, lookback=lookback)
        + guarantee_review_events(today=today, lookback=lookback)
    )
    raised = raise_events(found, today=today)
    delivered = deliver_pending()
    return SweepResult(raised=len(raised), delivered=delivered, stale_claims=stale_claims())
