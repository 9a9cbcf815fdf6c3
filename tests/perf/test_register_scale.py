"""Benchmark: the redeployment register with 7,500 people on it and 2,500 vacancies (issue 9).

Built through bulk SQL (not services), across 12 employers in two programmes joined by a
succession, every Agenda for Change band. Prints, for the register's first and last page, one
person's matches and recording an offer: wall time and query count. Targets: each screen under
1 s with a query count that does not depend on the data.

Run: .venv/bin/python -m pytest -q -s tests/perf/test_register_scale.py --override-ini addopts=
(with DATABASE_URL=postgres://... for PostgreSQL), or `make bench`.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from decimal import Decimal

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from employment import selectors, services
from employment.models import Case
from tests.employment.conftest import user_in
from tracker.bands import AFC_BANDS
from tracker.models import Assignment, Organisation, Post, Programme, StaffMember, Succession

pytestmark = [pytest.mark.perf, pytest.mark.django_db]

PEOPLE = int(os.environ.get("BENCH_REGISTER_PEOPLE", "7500"))
VACANCIES = int(os.environ.get("BENCH_REGISTER_VACANCIES", "2500"))
TARGET_SECONDS = 1.0
BANDS = [b.value for b in AFC_BANDS]
STATUSES = [Case.Status.AT_RISK, Case.Status.RING_FENCED, Case.Status.NOTICE_ISSUED]


def _build():
    orgs = Organisation.objects.bulk_create(
        Organisation(code=f"R{i:02d}", name=f"Employer {i}", kind="icb", region="North West",
                     is_legal_employer=True)
        for i in range(12)
    )
    first, second = Programme.objects.bulk_create([
        Programme(slug="bench-north", name="North", effective_on=dt.date(2026, 4, 1)),
        Programme(slug="bench-south", name="South", effective_on=dt.date(2026, 4, 1)),
    ])
    through = Programme.organisations.through
    through.objects.bulk_create(
        [through(programme=first, organisation=o) for o in orgs[:6]]
        + [through(programme=second, organisation=o) for o in orgs[6:]]
    )
    Succession.objects.bulk_create(
        [Succession(predecessor=orgs[0], successor=orgs[6], effective_on=dt.date(2026, 4, 1))]
    )
    posts = Post.objects.bulk_create(
        (
            Post(organisation=orgs[i % 12], position_number=f"{i:08d}", title=f"Post {i}",
                 directorate="Corporate", band=BANDS[i % len(BANDS)], wte=Decimal("1"),
                 cost_centre="CC1")
            for i in range(PEOPLE + VACANCIES)
        ),
        batch_size=2000,
    )
    people = StaffMember.objects.bulk_create(
        (
            StaffMember(employee_number=f"E{i:07d}", first_name=f"Person{i}", last_name="Bench",
                        date_of_birth=dt.date(1975, 3, 10), nhs_service_start=dt.date(2008, 9, 1))
            for i in range(PEOPLE)
        ),
        batch_size=2000,
    )
    Assignment.objects.bulk_create(
        (
            Assignment(assignment_number=f"A{i:08d}", staff_member=people[i], post=posts[i],
                       annual_salary=Decimal("40000"), start_on=dt.date(2015, 4, 1))
            for i in range(PEOPLE)
        ),
        batch_size=2000,
    )
    Case.objects.bulk_create(
        (
            Case(staff_member=people[i], post=posts[i], employer=posts[i].organisation,
                 status=STATUSES[i % 3], status_changed_on=dt.date(2026, 1, 5),
                 at_risk_on=dt.date(2025, 1, 1) + dt.timedelta(days=i % 300),
                 has_statutory_redeployment_priority=i % 20 == 0)
            for i in range(PEOPLE)
        ),
        batch_size=2000,
    )
    return orgs


def _measure(label, call):
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = call()
        seconds = time.perf_counter() - started
    print(f"  {label:<44} {seconds:6.3f} s {len(queries.captured_queries):4d} queries")
    return result, seconds, len(queries.captured_queries)


def test_register_at_scale(client):
    started = time.perf_counter()
    orgs = _build()
    print(f"\nRegister benchmark on {connection.vendor}: {PEOPLE} people, {VACANCIES} vacancies "
          f"(built in {time.perf_counter() - started:.1f} s)")
    hr = user_in("HR manager", organisations=orgs, username="bench-hr")
    client.force_login(hr)
    register = reverse("employment_redeployment_register")
    client.get(register)  # warm per-process caches
    pages = -(-PEOPLE // 25)
    case = selectors.register_cases().first()
    matches = reverse("employment_redeployment_matches", args=[case.pk])
    figures = [
        _measure("register, first page", lambda: client.get(register)),
        _measure(f"register, page {pages}", lambda: client.get(f"{register}?p={pages}")),
        _measure("one person's matching vacancies", lambda: client.get(matches)),
    ]
    post = selectors.redeployment_matches(case).first()
    figures.append(_measure("record an offer (priority check in SQL)", lambda: (
        services.redeployment_offer_record(
            case=case, post=post, offered_on=timezone.localdate(), acting_user=hr,
            reason="Benchmark", unsuitable_for_priority_reason="Benchmark")
    )))
    for response, _, _ in figures[:3]:
        assert response.status_code == 200
    assert figures[0][0].content.decode().count(" matching</a>") == 25
    for _, seconds, queries in figures:
        assert seconds < TARGET_SECONDS
        assert queries < 40
