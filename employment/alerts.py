"""Alerts: raising them, deciding who gets them and in what words, and emailing them.

What raises an alert (each event once, named by `Alert.dedupe_key`):
* a case enters at_risk, vr_requested, vr_approved, mars_requested, mars_approved or
  notice_issued (`case_status_entered`, called by `employment.services` inside the write's
  transaction; the alert is raised by a background task only once the transaction commits);
* a clock approaches (within `EMPLOYMENT_ALERT_LEAD_DAYS`, default 7) or is reached (on or after
  its date, looking back `EMPLOYMENT_ALERT_PASSED_LOOKBACK_DAYS`, default 30): a case's
  consultation end, trial end, notice end and clawback end; a collective consultation's minimum
  period end and HR1 due date (`raise_clock_alerts`, run by `manage.py run_alerts`);
* an employer and establishment reaching 20 or 100 proposed dismissals within 90 days
  (`raise_threshold_alerts`, run by the sweep and after a case becomes a proposed dismissal).

Who is told (`recipients_for`): active HR managers whose `organisations` include the case's
employer or its post's organisation, who see the name; active union representatives of those
organisations, who see the name only when the member asked for representation and otherwise an
anonymised text (band and organisation, no name, no employee number). No alert ever mentions
union membership. Each recipient's row stores the text rendered for them.

Delivery (`deliver_pending`): each row is claimed by a conditional UPDATE of `emailed_at` before
its email is sent, so two sweeps (or a sweep and a task) never both send it; a failed send
releases the claim for the next sweep.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from employment.models import (
    DISMISSAL_STATUSES,
    Alert,
    AlertRecipient,
    Case,
    CollectiveConsultation,
    proposed_dismissal_q,
)
from tracker.models import Organisation
from tracker.roles import HR_MANAGER, UNION_REP

logger = logging.getLogger(__name__)

LEAD_DAYS = 7
PASSED_LOOKBACK_DAYS = 30

S = Case.Status
#: The statuses whose entry raises an alert, and how the alert says it.
STATUS_PHRASES: dict[str, str] = {
    S.AT_RISK: "has been put at risk",
    S.VR_REQUESTED: "has asked for voluntary redundancy",
    S.VR_APPROVED: "has had voluntary redundancy approved",
    S.MARS_REQUESTED: "has asked for a mutually agreed resignation (MARS)",
    S.MARS_APPROVED: "has had a mutually agreed resignation (MARS) approved",
    S.NOTICE_ISSUED: "has been given notice of compulsory redundancy",
}
del S

#: Case clocks: (key, label). Guarantee review dates are not here: there are no guarantee pages
#: with review dates to read yet.
CASE_CLOCKS = {
    "consultation_end": "Consultation period ends",
    "trial_end": "Redeployment trial ends",
    "notice_end": "Notice period ends",
    "clawback_end": "Clawback period ends",
}
CONSULTATION_CLOCKS = {
    "consultation_minimum": "Collective consultation minimum period ends",
    "hr1_due": "HR1 notification due",
}


def lead_days() -> int:
    return int(getattr(settings, "EMPLOYMENT_ALERT_LEAD_DAYS", LEAD_DAYS))


def passed_lookback_days() -> int:
    return int(getattr(settings, "EMPLOYMENT_ALERT_PASSED_LOOKBACK_DAYS", PASSED_LOOKBACK_DAYS))


# --- audiences and wording ---------------------------------------------------------------------


@dataclass(frozen=True)
class Wording:
    subject: str
    body: str


@dataclass(frozen=True)
class AlertText:
    """The same alert for the two audiences; `anonymised` never names the person."""

    named: Wording
    anonymised: Wording


def _admin_url(path: str) -> str:
    return getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/") + path


def _footer(link: str | None) -> str:
    lines = ["", f"Your alerts: {_admin_url(reverse('employment_alert_inbox'))}"]
    if link:
        lines.insert(1, link)
    return "\n".join(lines)


def _day(on: dt.date) -> str:
    return f"{on.day} {on:%B %Y}"


def _organisation(case: Case) -> Organisation:
    return case.post.organisation if case.post_id else case.employer


def _case_who(case: Case) -> tuple[str, str]:
    """(named, anonymised) descriptions of the person; the anonymised one has band and
    organisation only."""
    person, org = case.staff_member, _organisation(case)
    where = f"{org.name} ({org.code})"
    if case.post_id:
        anonymised = f"a {case.post.get_band_display()} post-holder in {where}"
        named = f"{person.full_name} ({person.employee_number}), {case.post.title}, {where}"
    else:
        anonymised = f"a member of staff in {where}"
        named = f"{person.full_name} ({person.employee_number}), {where}"
    return named, anonymised


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


_ANONYMISED_NOTE = (
    "Names are shared with union representatives only where the member has asked for "
    "representation."
)


def _case_text(case: Case, subject: str, body: str) -> AlertText:
    """Render `subject` and `body` (with a ``{who}`` placeholder) for both audiences."""
    named_who, anon_who = _case_who(case)
    case_link = "Open the case: " + _admin_url(
        reverse("employment_cases:inspect", args=[case.pk])
    )
    figures_link = "At-risk figures: " + _admin_url(reverse("employment_at_risk_summary"))

    def render(template: str, who: str) -> str:
        text = template.replace("{who}", who)
        return _cap(text)

    return AlertText(
        named=Wording(
            subject=render(subject, named_who)[:255],
            body=render(body, named_who) + "\n" + _footer(case_link),
        ),
        anonymised=Wording(
            subject=render(subject, anon_who)[:255],
            body=render(body, anon_who) + "\n\n" + _ANONYMISED_NOTE + "\n"
            + _footer(figures_link),
        ),
    )


def _same_for_all(subject: str, body: str, link: str | None = None) -> AlertText:
    wording = Wording(subject=subject[:255], body=body + "\n" + _footer(link))
    return AlertText(named=wording, anonymised=wording)


def recipients_for(
    organisation_ids: set[int], *, representation_requested: bool
) -> list[tuple[int, bool]]:
    """(user id, named) for everyone entitled to an alert about these organisations: HR
    managers named; union representatives named only with the member's request."""
    User = get_user_model()
    covering = User.objects.filter(is_active=True, organisations__in=organisation_ids)
    hr = set(covering.filter(groups__name=HR_MANAGER).values_list("pk", flat=True))
    reps = set(covering.filter(groups__name=UNION_REP).values_list("pk", flat=True))
    return sorted(
        [(pk, True) for pk in hr]
        + [(pk, representation_requested) for pk in reps - hr]
    )


def _raise(
    *,
    kind: str,
    dedupe_key: str,
    organisation_ids: set[int],
    organisation_id: int,
    text: AlertText,
    representation_requested: bool = False,
    case: Case | None = None,
    consultation: CollectiveConsultation | None = None,
) -> Alert | None:
    """Create the alert and its recipient rows, or nothing if `dedupe_key` was raised before
    (by this process or a concurrent one)."""
    if Alert.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                kind=kind,
                dedupe_key=dedupe_key,
                subject=text.anonymised.subject,
                body=text.anonymised.body,
                organisation_id=organisation_id,
                case=case,
                consultation=consultation,
            )
            AlertRecipient.objects.bulk_create(
                AlertRecipient(
                    alert=alert,
                    user_id=user_id,
                    named=named,
                    subject=(text.named if named else text.anonymised).subject,
                    body=(text.named if named else text.anonymised).body,
                )
                for user_id, named in recipients_for(
                    organisation_ids, representation_requested=representation_requested
                )
            )
    except IntegrityError:
        # A concurrent sweep raised the same event first.
        return None
    return alert


def _case_organisation_ids(case: Case) -> set[int]:
    ids = {case.employer_id}
    if case.post_id:
        ids.add(case.post.organisation_id)
    return ids


# --- raising: case status ----------------------------------------------------------------------


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


def raise_case_status_alert(*, case: Case, status: str, on: dt.date) -> Alert | None:
    phrase = STATUS_PHRASES[status]
    text = _case_text(case, "{who} " + phrase, "{who} " + f"{phrase} with effect from {_day(on)}.")
    return _raise(
        kind=Alert.Kind.CASE_STATUS,
        dedupe_key=f"case:{case.pk}:entered:{status}:{on.isoformat()}",
        organisation_ids=_case_organisation_ids(case),
        organisation_id=case.employer_id,
        text=text,
        representation_requested=case.requested_representation,
        case=case,
    )


@task()
def raise_case_status_alert_task(case_id: int, status: str, on: str) -> int:
    """Raise the alert for a committed status change, then deliver it; a new proposed
    dismissal may also cross a collective-consultation threshold."""
    case = Case.objects.select_related(
        "staff_member", "post__organisation", "employer"
    ).get(pk=case_id)
    alert = raise_case_status_alert(case=case, status=status, on=dt.date.fromisoformat(on))
    alerts = [alert] if alert else []
    if status in DISMISSAL_STATUSES:
        alerts += raise_threshold_alerts(
            employer_id=case.employer_id, establishment=case.establishment
        )
    return sum(deliver_pending(alert_id=a.pk) for a in alerts)


# --- raising: clocks ---------------------------------------------------------------------------


def _clock_wording(label: str, on: dt.date, today: dt.date) -> tuple[str, str]:
    """(phase, words) for a date as seen on `today`."""
    days = (on - today).days
    if days > 0:
        when = "tomorrow" if days == 1 else f"in {days} days"
        return "approaching", f"{label} {when}, on {_day(on)}"
    if days == 0:
        return "passed", f"{label} today, {_day(on)}"
    return "passed", f"{label.replace('ends', 'ended').replace('due', 'was due')} on {_day(on)}"


def _clock_kind(phase: str) -> str:
    return Alert.Kind.CLOCK_APPROACHING if phase == "approaching" else Alert.Kind.CLOCK_PASSED


def _case_clock_rows(today: dt.date, lead: int, lookback: int):
    """(clock key, case, date) for every case clock inside the alert window."""
    window = (today - dt.timedelta(days=lookback), today + dt.timedelta(days=lead))
    cases = Case.objects.select_related("staff_member", "post__organisation", "employer")
    queries = {
        "consultation_end": cases.open().annotate(clock_on=F("consultation_ends_on")),
        "trial_end": cases.filter(status=Case.Status.REDEPLOYMENT_TRIAL).annotate(
            clock_on=Coalesce("trial_extended_to", "trial_ends_on")
        ),
        "notice_end": cases.filter(status=Case.Status.NOTICE_ISSUED).annotate(
            clock_on=F("notice_ends_on")
        ),
        "clawback_end": cases.annotate(clock_on=F("clawback_ends_on")),
    }
    for key, query in queries.items():
        for case in query.filter(clock_on__range=window).order_by("pk"):
            yield key, case, case.clock_on


def raise_clock_alerts(*, today: dt.date, lead: int | None = None) -> list[Alert]:
    """Raise every due clock alert not raised before: approaching within `lead` days, passed on
    or after the date (up to the look-back)."""
    from employment.consultation import consultation_figures_for

    lead = lead_days() if lead is None else lead
    lookback = passed_lookback_days()
    raised: list[Alert] = []
    for clock, case, on in _case_clock_rows(today, lead, lookback):
        phase, words = _clock_wording(CASE_CLOCKS[clock], on, today)
        text = _case_text(case, words + ": {who}", words + ": {who}.")
        alert = _raise(
            kind=_clock_kind(phase),
            dedupe_key=f"clock:case:{case.pk}:{clock}:{phase}:{on.isoformat()}",
            organisation_ids=_case_organisation_ids(case),
            organisation_id=case.employer_id,
            text=text,
            representation_requested=case.requested_representation,
            case=case,
        )
        if alert:
            raised.append(alert)

    earliest = today - dt.timedelta(days=lookback)
    latest = today + dt.timedelta(days=lead)
    consultations = list(CollectiveConsultation.objects.select_related("employer"))
    figures = consultation_figures_for(consultations)
    for consultation in consultations:
        f = figures[consultation.pk]
        clocks = {"consultation_minimum": f.minimum_ends_on}
        if consultation.hr1_submitted_on is None and f.required:
            clocks["hr1_due"] = f.hr1_due_on
        for clock, on in clocks.items():
            if on is None or not earliest <= on <= latest:
                continue
            phase, words = _clock_wording(CONSULTATION_CLOCKS[clock], on, today)
            link = "Open the consultation: " + _admin_url(
                reverse("employment_consultations:inspect", args=[consultation.pk])
            )
            text = _same_for_all(
                f"{words}: {consultation}",
                f"{words}: collective consultation for {consultation} "
                f"({f.peak.count} proposed dismissals within 90 days).",
                link,
            )
            alert = _raise(
                kind=_clock_kind(phase),
                dedupe_key=f"clock:consultation:{consultation.pk}:{clock}:{phase}:{on.isoformat()}",
                organisation_ids={consultation.employer_id},
                organisation_id=consultation.employer_id,
                text=text,
                consultation=consultation,
            )
            if alert:
                raised.append(alert)
    return raised


# --- raising: collective-consultation thresholds -----------------------------------------------


def _establishment_key(establishment: str) -> str:
    return hashlib.sha256(establishment.encode()).hexdigest()[:16]


def raise_threshold_alerts(
    *, employer_id: int | None = None, establishment: str | None = None
) -> list[Alert]:
    """Raise an alert, once per employer, establishment and level (20, 100), when the proposed
    dismissals there reach the level within 90 days (`employment.consultation` figures)."""
    from employment.consultation import THRESHOLDS, figures_from

    cases = Case.objects.filter(proposed_dismissal_q())
    if employer_id is not None:
        cases = cases.filter(employer_id=employer_id)
        if establishment is not None:
            cases = cases.filter(establishment=establishment)
    groups: dict[tuple[int, str], list] = {}
    for employer, where, *dates in cases.values_list(
        "employer_id",
        "establishment",
        "exit_on",
        "notice_ends_on",
        "proposed_dismissal_on",
        "notice_starts_on",
    ).order_by("employer_id", "establishment"):
        groups.setdefault((employer, where), []).append(tuple(dates))
    raised: list[Alert] = []
    for (employer, where), rows in groups.items():
        figures = figures_from(rows)
        if not figures.required:
            continue
        organisation = Organisation.objects.get(pk=employer)
        consultation = CollectiveConsultation.objects.filter(
            employer_id=employer, establishment=where
        ).first()
        place = f"{organisation.name} ({organisation.code}), {where or 'whole organisation'}"
        for level, days in sorted(THRESHOLDS):
            if figures.peak.count < level:
                continue
            deadline = (
                f" Consultation must begin by {_day(figures.latest_start_on)}"
                if figures.latest_start_on
                else ""
            )
            hr1 = f"; the HR1 is due by {_day(figures.hr1_due_on)}." if figures.hr1_due_on else "."
            text = _same_for_all(
                f"Collective consultation threshold reached: {level}+ proposed dismissals "
                f"within 90 days at {place}",
                f"{figures.peak.count} proposed dismissals fall within 90 days at {place}, "
                f"reaching the threshold of {level}: at least {days} days of collective "
                f"consultation are required before the first dismissal.{deadline}{hr1}",
            )
            alert = _raise(
                kind=Alert.Kind.CONSULTATION_THRESHOLD,
                dedupe_key=f"threshold:{employer}:{_establishment_key(where)}:{level}",
                organisation_ids={employer},
                organisation_id=employer,
                text=text,
                consultation=consultation,
            )
            if alert:
                raised.append(alert)
    return raised


# --- delivery ----------------------------------------------------------------------------------


def _pending(alert_id: int | None = None):
    rows = AlertRecipient.objects.filter(
        Q(emailed_at__isnull=True), user__is_active=True
    ).exclude(user__email="")
    if alert_id is not None:
        rows = rows.filter(alert_id=alert_id)
    return rows.select_related("user").order_by("pk")


def deliver_pending(*, alert_id: int | None = None) -> int:
    """Email every recipient row not yet emailed (of one alert, or all); returns how many
    were sent. Safe to run concurrently: each row is claimed by a conditional UPDATE first."""
    sent = 0
    for row in _pending(alert_id):
        claimed = AlertRecipient.objects.filter(pk=row.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            continue  # another sweep took it
        try:
            send_mail(
                row.subject,
                row.body,
                getattr(settings, "DEFAULT_FROM_EMAIL", None),
                [row.user.email],
            )
        except Exception:
            logger.exception("Alert email to user %s failed; the next sweep retries", row.user_id)
            AlertRecipient.objects.filter(pk=row.pk).update(emailed_at=None)
            continue
        sent += 1
    return sent


@task()
def deliver_alert_task(alert_id: int) -> int:
    return deliver_pending(alert_id=alert_id)


# --- the sweep ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    raised: int
    delivered: int


def raise_missed_status_alerts(*, today: dt.date) -> list[Alert]:
    """Status alerts whose background task never ran (the process stopped between the commit and
    the enqueue): every case that entered an alerted status within the look-back and has no
    alert for it yet. One query finds them; the dedupe key keeps this idempotent."""
    since = today - dt.timedelta(days=passed_lookback_days())
    cases = list(
        Case.objects.filter(status__in=list(STATUS_PHRASES), status_changed_on__gte=since)
        .select_related("staff_member", "post__organisation", "employer")
    )
    keys = {
        f"case:{c.pk}:entered:{c.status}:{c.status_changed_on.isoformat()}": c for c in cases
    }
    raised_already = set(
        Alert.objects.filter(dedupe_key__in=list(keys)).values_list("dedupe_key", flat=True)
    )
    raised = []
    for key, case in keys.items():
        if key not in raised_already:
            alert = raise_case_status_alert(
                case=case, status=case.status, on=case.status_changed_on
            )
            if alert is not None:
                raised.append(alert)
    return raised


def alerts_sweep(*, today: dt.date | None = None, lead: int | None = None) -> SweepResult:
    """What `run_alerts` does: raise due clock and threshold alerts and any status alert whose
    task never ran, then email everything not yet emailed (the safety net for delivery tasks
    that did not run)."""
    today = today or timezone.localdate()
    raised = (
        raise_clock_alerts(today=today, lead=lead)
        + raise_threshold_alerts()
        + raise_missed_status_alerts(today=today)
    )
    return SweepResult(raised=len(raised), delivered=deliver_pending())


# --- the inbox ---------------------------------------------------------------------------------


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
