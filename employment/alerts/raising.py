"""Turning events into alerts: one batch of inserts however many events, and each event once.

`raise_events` is the only writer of `Alert` and `AlertRecipient` rows. It reads which keys were
raised before (one query, the keys bound as one parameter: `tracker.sql.one_parameter_in`),
works out who receives each new one and how they may see the person (two queries for
recipients, three for the anonymising counts), then inserts the alerts and their recipient rows
in bulk, ignoring rows a concurrent sweep inserted first (the named unique constraints on the
key and on alert-and-user make that safe on both databases).

This module reads models and writes alerts; it never imports `employment.services` (services
call `case_status_entered` in `employment.alerts`, never the other way round).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from cms.models import GuaranteePage
from employment.alerts import events as ev
from employment.alerts.events import Event
from employment.alerts.recipients import holder_counts, named_description, recipients_for_events
from employment.models import (
    Alert,
    AlertRecipient,
    Case,
    CollectiveConsultation,
    proposed_dismissal_q,
)
from employment.rules import consultation as rules
from tracker.models import Organisation
from tracker.sql import one_parameter_in

# Rows per INSERT: well inside PostgreSQL's 65,535 parameters (Django caps SQLite's own batches
# at its 999-parameter limit whatever is asked).
INSERT_BATCH = 2_000


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _render(event: Event, who: str) -> tuple[str, str]:
    return _cap(event.subject.replace("{who}", who)), _cap(event.body.replace("{who}", who))


def _existing_keys(keys: list[str]) -> set[str]:
    return set(
        Alert.objects.filter(dedupe_key__in=one_parameter_in(keys)).values_list(
            "dedupe_key", flat=True
        )
    )


@transaction.atomic
def raise_events(events: list[Event], *, today: dt.date | None = None) -> list[Alert]:
    """Create an alert and its recipient rows for each event not raised before; returns the
    alerts created by this call."""
    today = today or timezone.localdate()
    unique = {e.dedupe_key: e for e in events}
    if not unique:
        return []
    existing = _existing_keys(list(unique))
    new = [e for key, e in unique.items() if key not in existing]
    if not new:
        return []
    recipients = recipients_for_events(new)
    case_orgs = {
        (e.case.post.organisation_id if e.case.post_id else e.case.employer_id)
        for e in new
        if e.case is not None
    }
    counts = holder_counts(case_orgs, on=today)

    texts: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {}
    for e in new:
        if e.case is not None:
            named_who, anon_who = named_description(e.case), counts.describe(e.case)
        else:
            named_who = anon_who = ""
        texts[e.dedupe_key] = (_render(e, named_who), _render(e, anon_who))

    alerts = [
        Alert(
            kind=e.kind,
            dedupe_key=e.dedupe_key,
            subject=texts[e.dedupe_key][1][0][:255],
            body=texts[e.dedupe_key][1][1],
            action=e.action,
            due_on=e.due_on,
            organisation_id=e.organisation_id,
            case=e.case,
            consultation_id=e.consultation_id,
            page_id=e.page_id,
        )
        for e in new
    ]
    Alert.objects.bulk_create(alerts, batch_size=INSERT_BATCH, ignore_conflicts=True)
    ids: dict[str, int] = dict(
        Alert.objects.filter(
            dedupe_key__in=one_parameter_in([e.dedupe_key for e in new])
        ).values_list("dedupe_key", "pk")
    )
    rows = []
    for alert in alerts:
        alert.pk = ids[alert.dedupe_key]
        named, anon = texts[alert.dedupe_key]
        for r in recipients[alert.dedupe_key]:
            subject, body = named if r.named else anon
            rows.append(
                AlertRecipient(
                    alert_id=alert.pk,
                    user_id=r.user_id,
                    named=r.named,
                    subject=subject[:255],
                    body=body,
                )
            )
    AlertRecipient.objects.bulk_create(rows, batch_size=INSERT_BATCH, ignore_conflicts=True)
    return alerts


# --- case status -------------------------------------------------------------------------------


def raise_case_status_alert(*, case: Case, status: str, on: dt.date) -> Alert | None:
    """The alert for `case` having entered `status` on `on` (None if raised before)."""
    event = ev.case_status_event(case, status, on, due_on=ev.case_next_date(case, on))
    raised = raise_events([event], today=on)
    return raised[0] if raised else None


# --- case clocks -------------------------------------------------------------------------------


def _cases_named(ids: set[int]) -> dict[int, Case]:
    """The cases with these ids, with what an event about them needs: one query."""
    if not ids:
        return {}
    cases = Case.objects.select_related("staff_member", "post__organisation", "employer")
    return {c.pk: c for c in cases.filter(pk__in=one_parameter_in(sorted(ids), integers=True))}


def case_clock_events(*, today: dt.date, lead: int, lookback: int) -> list[Event]:
    """Every case clock inside the alert window not alerted before: its keys from four queries
    of ids and dates, one for the keys already raised, and the cases themselves (one query) only
    for the rest, so a repeated sweep builds no case at all."""
    window = (today - dt.timedelta(days=lookback), today + dt.timedelta(days=lead))
    cases = Case.objects.order_by("pk")
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
    due = {}
    for clock, query in queries.items():
        for pk, on in query.filter(clock_on__range=window).values_list("pk", "clock_on"):
            phase = rules.clock_phase(on, today=today, lead=lead, lookback=lookback)
            if phase:
                due[ev.case_clock_key(pk, clock, phase, on)] = (pk, clock, on, phase)
    raised = _existing_keys(list(due)) if due else set()
    todo = [d for key, d in due.items() if key not in raised]
    named = _cases_named({pk for pk, *_ in todo})
    return [ev.case_clock_event(named[pk], *rest, today) for pk, *rest in todo]


def missed_status_events(*, today: dt.date, lookback: int) -> list[Event]:
    """Status alerts whose background task never ran (the process stopped between the commit and
    the enqueue): every case that entered an alerted status within the look-back and has no
    alert for it. One query of ids, statuses and dates, one for the keys raised, and one for
    the cases missing their alert (if any); the dedupe key keeps it idempotent."""
    since = today - dt.timedelta(days=lookback)
    entered = {
        ev.case_status_key(pk, status, on): pk
        for pk, status, on in Case.objects.filter(
            status__in=list(ev.STATUS_PHRASES), status_changed_on__gte=since
        ).values_list("pk", "status", "status_changed_on")
    }
    raised = _existing_keys(list(entered)) if entered else set()
    named = _cases_named({pk for key, pk in entered.items() if key not in raised})
    events = []
    for c in named.values():
        on = c.status_changed_on
        events.append(ev.case_status_event(c, c.status, on, due_on=ev.case_next_date(c, on)))
    return events


# --- collective consultation: thresholds, HR1 and minimum period -------------------------------


def consultation_events(
    *,
    today: dt.date,
    lead: int,
    lookback: int,
    employer_id: int | None = None,
    establishment: str | None = None,
) -> list[Event]:
    """Threshold alerts per proposal, HR1-due clocks per proposal (from the proposed dismissals
    themselves, with or without a consultation record) and the minimum-period clock of each
    consultation record. Reads every proposed dismissal in one query, the consultation records in
    a second, and names the employers in a third."""
    cases = Case.objects.filter(proposed_dismissal_q())
    records = CollectiveConsultation.objects.all()
    if employer_id is not None:
        cases = cases.filter(employer_id=employer_id)
        records = records.filter(employer_id=employer_id)
        if establishment is not None:
            cases = cases.filter(establishment=establishment)
            records = records.filter(establishment=establishment)
    groups: dict[tuple[int, str], list[tuple]] = defaultdict(list)
    for employer, where, exit_on, notice_end, proposed, notice_start in cases.values_list(
        "employer_id",
        "establishment",
        "exit_on",
        "notice_ends_on",
        "proposed_dismissal_on",
        "notice_starts_on",
    ).order_by():
        groups[(employer, where)].append((exit_on, notice_end, proposed, notice_start))
    consultations = {
        (c["employer_id"], c["establishment"]): c
        for c in records.values(
            "pk", "employer_id", "establishment", "starts_on", "hr1_submitted_on"
        )
    }
    if not groups:
        return []
    names = {
        o["pk"]: o
        for o in Organisation.objects.filter(pk__in={e for e, _ in groups}).values(
            "pk", "name", "code"
        )
    }
    earliest = today - dt.timedelta(days=lookback)
    found: list[Event] = []
    for (employer, where), rows in groups.items():
        org = names[employer]
        place = f"{org['name']} ({org['code']}), {where or 'whole organisation'}"
        record = consultations.get((employer, where))
        record_id = record["pk"] if record else None
        est = ev.establishment_key(where)
        crossings = rules.threshold_crossings(
            (rules.dismissal_on(x, n, p), s) for x, n, p, s in rows
        )
        for c in crossings:
            if c.ends_on is not None and c.ends_on < earliest:
                continue  # a proposal long over: not worth telling anyone now
            when = (
                f"from {ev.day(c.starts_on)} to {ev.day(c.ends_on)}"
                if c.starts_on
                else "(dates not yet set)"
            )
            deadline = (
                f" Consultation must begin by {ev.day(c.latest_start_on)}"
                if c.latest_start_on
                else ""
            )
            hr1 = f"; the HR1 is due by {ev.day(c.hr1_due_on)}." if c.hr1_due_on else "."
            found.append(
                Event(
                    kind=Alert.Kind.CONSULTATION_THRESHOLD,
                    dedupe_key=f"threshold:{employer}:{est}:{c.level}:"
                    + (c.starts_on.isoformat() if c.starts_on else "undated"),
                    subject=f"Collective consultation threshold reached: {c.level}+ proposed "
                    f"dismissals within 90 days at {place}",
                    body=f"{c.count} proposed dismissals fall within 90 days {when} at {place}, "
                    f"reaching the threshold of {c.level}: at least {c.minimum_days} days of "
                    f"collective consultation are required before the first dismissal."
                    f"{deadline}{hr1}",
                    action=ev.THRESHOLD_ACTION,
                    due_on=c.hr1_due_on or c.latest_start_on,
                    organisation_id=employer,
                    organisation_ids=frozenset({employer}),
                    consultation_id=record_id,
                )
            )
        for clock in rules.hr1_clocks(crossings):
            if record and rules.hr1_covers(record["hr1_submitted_on"], clock):
                continue
            starts_on, due = clock.starts_on, clock.due_on
            phase = rules.clock_phase(due, today=today, lead=lead, lookback=lookback)
            if phase is None:
                continue
            words = ev.clock_words(ev.HR1_DUE[0], due, today)
            proposal = starts_on.isoformat() if starts_on else "undated"
            found.append(
                Event(
                    kind=ev.clock_kind(phase),
                    dedupe_key=f"clock:hr1:{employer}:{est}:{proposal}:{phase}:{due.isoformat()}",
                    subject=f"{words}: {place}",
                    body=f"{words}: proposed dismissals at {place}"
                    + (f" from {ev.day(starts_on)}" if starts_on else "")
                    + " reach the collective-consultation threshold.",
                    action=ev.HR1_DUE[1],
                    due_on=due,
                    organisation_id=employer,
                    organisation_ids=frozenset({employer}),
                    consultation_id=record_id,
                )
            )
        if record and record["starts_on"]:
            figures = rules.figures_from(rows, starts_on=record["starts_on"])
            on = figures.minimum_ends_on
            phase = on and rules.clock_phase(on, today=today, lead=lead, lookback=lookback)
            if phase:
                words = ev.clock_words(ev.CONSULTATION_MINIMUM[0], on, today)
                found.append(
                    Event(
                        kind=ev.clock_kind(phase),
                        dedupe_key=f"clock:consultation:{record_id}:consultation_minimum:{phase}:"
                        f"{on.isoformat()}",
                        subject=f"{words}: {place}",
                        body=f"{words}: collective consultation for {place} "
                        f"({figures.peak.count} proposed dismissals within 90 days).",
                        action=ev.CONSULTATION_MINIMUM[1],
                        due_on=on,
                        organisation_id=employer,
                        organisation_ids=frozenset({employer}),
                        consultation_id=record_id,
                    )
                )
    return _drop_overlapping_thresholds(found)


def _drop_overlapping_thresholds(found: list[Event]) -> list[Event]:
    """A proposal already alerted stays one proposal when its first date moves (a dismissal
    dated earlier is added): drop a threshold event whose window overlaps one already raised
    for the same employer, establishment and level. One query, for the threshold keys only."""
    thresholds = [e for e in found if e.kind == Alert.Kind.CONSULTATION_THRESHOLD]
    if not thresholds:
        return found
    prefixes = {e.dedupe_key.rsplit(":", 1)[0] + ":" for e in thresholds}
    condition = Q()
    for prefix in prefixes:
        condition |= Q(dedupe_key__startswith=prefix)
    raised: dict[str, list[dt.date | None]] = defaultdict(list)
    for key in Alert.objects.filter(condition).values_list("dedupe_key", flat=True):
        prefix, start = key.rsplit(":", 1)
        raised[prefix + ":"].append(None if start == "undated" else dt.date.fromisoformat(start))
    kept = []
    for e in found:
        if e.kind == Alert.Kind.CONSULTATION_THRESHOLD:
            prefix, start = e.dedupe_key.rsplit(":", 1)
            on = None if start == "undated" else dt.date.fromisoformat(start)
            if any(
                prior != on and rules.windows_overlap(prior, on) for prior in raised[prefix + ":"]
            ):
                continue
        kept.append(e)
    return kept


# --- guarantee pages ---------------------------------------------------------------------------


def guarantee_review_events(*, today: dt.date, lookback: int) -> list[Event]:
    """Live guarantee pages whose review date is within the review lead days, or passed within
    the look-back: one query."""
    lead = ev.guarantee_review_lead_days()
    window = (today - dt.timedelta(days=lookback), today + dt.timedelta(days=lead))
    found = []
    pages = (
        GuaranteePage.objects.live()
        .filter(review_on__range=window)
        .only("pk", "title", "owner_id", "review_on")
    )
    for page in pages.order_by("pk"):
        phase = rules.clock_phase(page.review_on, today=today, lead=lead, lookback=lookback)
        if phase is None:
            continue
        words = ev.clock_words(ev.GUARANTEE_REVIEW[0], page.review_on, today)
        found.append(
            Event(
                kind=ev.clock_kind(phase),
                dedupe_key=f"clock:page:{page.pk}:review:{phase}:{page.review_on.isoformat()}",
                subject=f"{words}: {page.title}",
                body=f"{words}: the guarantee page \u201c{page.title}\u201d is due its review.",
                action=ev.GUARANTEE_REVIEW[1],
                due_on=page.review_on,
                page_id=page.pk,
                page_owner_id=page.owner_id,
            )
        )
    return found


def record_path(alert: Alert, *, named: bool) -> str:
    """Where the alert's record is in the admin, for this audience: the case for those who may
    see it named, the at-risk figures for everyone else; the consultation; the page."""
    if alert.page_id:
        return reverse("wagtailadmin_pages:edit", args=[alert.page_id])
    if alert.case_id:
        if named:
            return reverse("employment_cases:inspect", args=[alert.case_id])
        return reverse("employment_at_risk_summary")
    if alert.consultation_id:
        return reverse("employment_consultations:inspect", args=[alert.consultation_id])
    if alert.kind == Alert.Kind.CONSULTATION_THRESHOLD or "hr1" in alert.dedupe_key:
        return reverse("employment_consultations:index")
    return reverse("employment_alert_inbox")
