"""The dataset of the scale issue, built through bulk SQL (bulk_create on the tables and their
history tables), not through services: at BENCH_SCALE=1, 100,000 posts, staff and assignments,
about 1.2 million history rows, 20,000 planned changes and 20,000 cases, in 20 organisations of
which one holds 5,000 posts. Every count scales with BENCH_SCALE (0.05 for development).

The rows are what the services would have written (history rows with a user and a reason,
dated from 1 April 2022 to last month), so every screen, export and job reads them as real data.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from tracker.audit import system_user
from tracker.models import Assignment, Organisation, PlannedChange, Post, Programme, StaffMember

BANDS = ["2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9", "VSM"]
DIRECTORATES = ["Strategy", "Finance", "Nursing", "Quality", "Digital", "Corporate", "Medical"]
BATCH = 5000


@dataclass
class Built:
    scale: float
    posts: int
    history_rows: int
    changes: int
    cases: int
    big_organisation: Organisation
    programme: Programme
    seconds: float


def _aware(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _next_id(model) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _history(model, objects, *, when, user, reason, kind="+", **changes):
    """Historical rows copying `objects`' fields, with `changes` applied (per-object callables)."""
    history = model.history.model
    names = [f.attname for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    rows = []
    for obj in objects:
        values = {name: getattr(obj, name) for name in names}
        for name, make in changes.items():
            values[name] = make(obj)
        rows.append(
            history(
                **values,
                history_date=when(obj),
                history_type=kind,
                history_user_id=user.pk,
                history_change_reason=reason,
            )
        )
    history.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def build(scale: float, *, seed: int = 9) -> Built:
    started = time.perf_counter()
    rng = random.Random(seed)
    user = system_user()
    today = timezone.localdate()
    n_posts = max(200, int(100_000 * scale))
    n_big = max(50, int(5_000 * scale))
    n_changes = max(40, int(20_000 * scale))
    n_cases = max(40, int(20_000 * scale))
    loaded = dt.date(2022, 4, 1)
    history_rows = 0

    with transaction.atomic():
        org_id = _next_id(Organisation)
        organisations = [
            Organisation(
                pk=org_id + i,
                code=f"{i:02d}Z",
                name=f"Bench organisation {i:02d}",
                kind=Organisation.Kind.ICB if i == 0 else Organisation.Kind.CCG,
                region="Bench",
                is_legal_employer=True,
            )
            for i in range(21)
        ]
        Organisation.objects.bulk_create(organisations)
        icb, big, rest = organisations[0], organisations[1], organisations[2:]
        history_rows += _history(
            Organisation, organisations, when=lambda o: _aware(loaded), user=user, reason="Bench"
        )
        programme = Programme(
            pk=_next_id(Programme),
            slug=f"bench-merger-{org_id}",
            name="Bench merger",
            effective_on=today + dt.timedelta(days=90),
            announced_on=today - dt.timedelta(days=60),
        )
        Programme.objects.bulk_create([programme])
        through = Programme.organisations.through
        through.objects.bulk_create(
            [through(programme_id=programme.pk, organisation_id=o.pk) for o in organisations]
        )
        history_rows += _history(
            Programme, [programme], when=lambda o: _aware(loaded), user=user, reason="Bench"
        )

        post_id, staff_id, assignment_id = (
            _next_id(Post),
            _next_id(StaffMember),
            _next_id(Assignment),
        )
        posts, staff, assignments = [], [], []
        for i in range(n_posts):
            org = big if i < n_big else rest[i % len(rest)]
            posts.append(
                Post(
                    pk=post_id + i,
                    organisation_id=org.pk,
                    position_number=f"{i:08d}",
                    title=f"Bench role {i % 400}",
                    directorate=DIRECTORATES[i % len(DIRECTORATES)],
                    band=BANDS[i % len(BANDS)],
                    wte=Decimal("1.0000") if i % 5 else Decimal("0.6000"),
                    cost_centre=f"CC{i % 300:03d}",
                    status=Post.Status.LIVE,
                )
            )
            staff.append(
                StaffMember(
                    pk=staff_id + i,
                    employee_number=f"B{i:08d}",
                    first_name=f"Bench{i % 997}",
                    last_name=f"Person{i}",
                    work_email=f"bench{i}@example.nhs.uk",
                    date_of_birth=dt.date(1955 + i % 30, 1 + i % 12, 1 + i % 28),
                    nhs_service_start=dt.date(2005 + i % 18, 4, 1),
                )
            )
            assignments.append(
                Assignment(
                    pk=assignment_id + i,
                    assignment_number=f"BA{i:08d}",
                    staff_member_id=staff_id + i,
                    post_id=post_id + i,
                    annual_salary=Decimal(25_000 + (i * 37) % 60_000),
                    start_on=dt.date(2015, 4, 1),
                )
            )
        for model, rows in ((Post, posts), (StaffMember, staff), (Assignment, assignments)):
            model.objects.bulk_create(rows, batch_size=BATCH)
            history_rows += _history(
                model, rows, when=lambda o: _aware(loaded), user=user, reason="Bench load"
            )
        # Later edits: three to each post and assignment, two to each person, through the years.
        for step in range(3):
            day = loaded + dt.timedelta(days=300 * (step + 1))
            history_rows += _history(
                Post,
                posts,
                when=lambda o, d=day: _aware(d),
                user=user,
                reason=f"Bench edit {step}",
                kind="~",
            )
            history_rows += _history(
                Assignment,
                assignments,
                when=lambda o, d=day: _aware(d),
                user=user,
                reason=f"Bench pay award {step}",
                kind="~",
                annual_salary=lambda a, s=step: a.annual_salary + 100 * (s + 1),
            )
            if step < 2:
                history_rows += _history(
                    StaffMember,
                    staff,
                    when=lambda o, d=day: _aware(d),
                    user=user,
                    reason=f"Bench update {step}",
                    kind="~",
                )

        change_id = _next_id(PlannedChange)
        author = user
        changes = [
            PlannedChange(
                pk=change_id + i,
                programme_id=programme.pk,
                post_id=post_id + i,
                action=PlannedChange.Action.TRANSFER_UNCHANGED,
                destination_organisation_id=icb.pk,
                effective_on=programme.effective_on,
                reason="Lift and shift",
                status=PlannedChange.Status.DRAFT,
                author_id=author.pk,
                created_at=_aware(today - dt.timedelta(days=20)),
            )
            for i in range(n_changes)
        ]
        PlannedChange.objects.bulk_create(changes, batch_size=BATCH)
        history_rows += _history(
            PlannedChange,
            changes,
            when=lambda o: _aware(today - dt.timedelta(days=20)),
            user=user,
            reason="Bench plan",
        )
        # Recorded within the last month, so the as-of screen "with changes" has them to list.
        history_rows += _history(
            PlannedChange,
            changes,
            when=lambda o: _aware(today - dt.timedelta(days=10)),
            user=user,
            reason="Bench review",
            kind="~",
            destination_position_number=lambda c: c.post_id and f"D{c.post_id}",
        )

        history_rows += _cases(
            n_cases,
            rng=rng,
            staff_id=staff_id,
            post_id=post_id,
            posts=posts,
            programme=programme,
            today=today,
            user=user,
        )
    return Built(
        scale=scale,
        posts=n_posts,
        history_rows=history_rows,
        changes=n_changes,
        cases=n_cases,
        big_organisation=big,
        programme=programme,
        seconds=time.perf_counter() - started,
    )


def _cases(n, *, rng, staff_id, post_id, posts, programme, today, user) -> int:
    from employment.models import Case

    case_id = _next_id(Case)
    cases = []
    for i in range(n):
        index = len(posts) - 1 - i  # people at the end of the list: not the big organisation
        kind = i % 10
        case = Case(
            pk=case_id + i,
            staff_member_id=staff_id + index,
            post_id=post_id + index,
            employer_id=posts[index].organisation_id,
            programme_id=programme.pk,
            status=Case.Status.AT_RISK,
            status_changed_on=today - dt.timedelta(days=rng.randint(1, 120)),
            requested_representation=kind == 3,
            union_name="UNISON" if kind == 3 else "",
        )
        case.at_risk_on = case.status_changed_on
        case.consultation_ends_on = case.at_risk_on + dt.timedelta(days=45)
        if kind == 1:
            case.status = Case.Status.REDEPLOYMENT_TRIAL
            case.trial_starts_on = today - dt.timedelta(days=rng.randint(0, 27))
            case.trial_ends_on = case.trial_starts_on + dt.timedelta(days=27)
        elif kind == 2:
            case.status = Case.Status.NOTICE_ISSUED
            case.notice_starts_on = today - dt.timedelta(days=rng.randint(1, 60))
            case.notice_ends_on = case.notice_starts_on + dt.timedelta(days=84)
            case.proposed_dismissal_on = case.notice_ends_on
        elif kind == 4:
            case.status = Case.Status.VR_REQUESTED
            case.proposed_dismissal_on = today + dt.timedelta(days=rng.randint(30, 150))
        elif kind == 5:
            case.status = Case.Status.PROTECTED
        cases.append(case)
    Case.objects.bulk_create(cases, batch_size=BATCH)
    return _history(
        Case, cases, when=lambda c: _aware(c.status_changed_on), user=user, reason="Bench case"
    )
