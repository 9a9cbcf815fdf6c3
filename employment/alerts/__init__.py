"""Alerts: what raises them, who is told and in what words, and how they are e-mailed.

What raises an alert (each event once, named by `Alert.dedupe_key`):
* a case enters at_risk, vr_requested, vr_approved, mars_requested, mars_approved or
  notice_issued: `case_status_entered(case)`, the one entry point the case services call inside
  their transaction; the alert is raised by a background task once the write commits;
* a clock approaches (within `EMPLOYMENT_ALERT_LEAD_DAYS`, default 7) or is reached (looking back
  `EMPLOYMENT_ALERT_PASSED_LOOKBACK_DAYS`, default 30): a case's consultation end, trial end,
  notice end and clawback end; a consultation's minimum period; the HR1 due date of each
  proposal; a guarantee page's review date (`EMPLOYMENT_GUARANTEE_REVIEW_LEAD_DAYS`, default 30);
* a proposal reaching 20 or 100 dismissals within 90 days at one employer and establishment.

Modules: `events` (what and in what words), `recipients` (who, named or anonymised), `raising`
(events to rows, in bulk), `delivery` (e-mail, claimed in batches), `email` (the message),
`notify` (GOV.UK Notify backend), `sweep` (what `run_alerts` does), `inbox` (a user's own rows).
Nothing here imports `employment.services`: services call in, never the reverse.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django_tasks import task

from employment.alerts import events as ev
from employment.alerts.delivery import deliver_alerts_task, deliver_pending
from employment.alerts.events import STATUS_PHRASES
from employment.alerts.inbox import alert_acknowledge, alerts_for, unacknowledged_count
from employment.alerts.raising import consultation_events, raise_case_status_alert, raise_events
from employment.alerts.sweep import SweepResult, alerts_sweep
from employment.models import DISMISSAL_STATUSES, Alert, Case

__all__ = [
    "STATUS_PHRASES",
    "SweepResult",
    "alert_acknowledge",
    "alerts_for",
    "alerts_sweep",
    "case_status_entered",
    "deliver_alerts_task",
    "deliver_pending",
    "raise_case_status_alert",
    "unacknowledged_count",
]


def case_status_entered(case: Case) -> None:
    """Called by the case services inside their transaction after `case` entered its status:
    if that status is alerted, raise the alert in the background once the write commits (a
    rolled-back write raises nothing)."""
    if case.status not in STATUS_PHRASES:
        return
    case_id, status, on = case.pk, case.status, case.status_changed_on.isoformat()
    transaction.on_commit(
        lambda: raise_case_status_alert_task.enqueue(case_id, status, on), robust=True
    )


@task()
def raise_case_status_alert_task(case_id: int, status: str, on: str) -> int:
    """Raise the alert for a committed status change; a new proposed dismissal may also bring a
    proposal to a collective-consultation threshold. Then e-mail them (this is the background
    task: delivery happens here, not in the request)."""
    case = Case.objects.select_related("staff_member", "post__organisation", "employer").get(
        pk=case_id
    )
    day = dt.date.fromisoformat(on)
    alert = raise_case_status_alert(case=case, status=status, on=day)
    raised = [alert] if alert else []
    if status in DISMISSAL_STATUSES:
        threshold_events = [
            e
            for e in consultation_events(
                today=day,
                lead=ev.lead_days(),
                lookback=ev.passed_lookback_days(),
                employer_id=case.employer_id,
                establishment=case.establishment,
            )
            if e.kind == Alert.Kind.CONSULTATION_THRESHOLD
        ]
        raised += raise_events(threshold_events, today=day)
    if not raised:
        return 0
    return deliver_pending(alert_ids=[a.pk for a in raised])
