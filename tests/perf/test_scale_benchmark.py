"""`make bench-scale`: every admin list, the as-of screen with and without changes, the case
forms, each export and the lists' export buttons, the redeployment register, a post's history,
the alert sweep (first and repeated), the public pages and the bulk approval of an
organisation's changes, timed at demo scale (`seed_demo`) and again after the scale issue's
dataset is added (`tests/perf/scale_data.py`, BENCH_SCALE=1: 100k posts, ~1.2M history rows),
side by side: wall seconds, queries, and peak memory (the process's resident memory above what
it held before, sampled every 20 ms).

Run: make bench-scale [BENCH_SCALE=0.05] (DATABASE_URL=postgres://... for PostgreSQL). It prints
its table and never fails on a figure: the targets are in docs/performance.md. Screens are
requested as an HR manager covering every organisation (scoped lists at their largest).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import platform
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tests.perf.scale_data import build
from tracker import roles

pytestmark = [
    pytest.mark.perf,
    pytest.mark.django_db(transaction=False),
    pytest.mark.skipif(
        "BENCH_SCALE" not in os.environ, reason="make bench-scale (sets BENCH_SCALE) runs this"
    ),
]
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
LIST_URLS = [
    "organisations:index",
    "successions:index",
    "programmes:index",
    "posts:index",
    "staff:index",
    "assignments:index",
    "planned_changes:index",
    "employment_cases:index",
    "employment_consultations:index",
    "employment_offers:index",
]


@dataclass
class Figure:
    seconds: float
    queries: int
    peak_mb: float
    note: str = ""


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1048576


def measure(call: Callable[[], object]) -> Figure:
    base = _rss_mb()
    peak = [base]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], _rss_mb())
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    note = ""
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        try:
            result = call()
            if getattr(result, "streaming", False):  # a download: read to its end
                size = sum(len(chunk) for chunk in result.streaming_content)
        except Exception as exc:  # a screen someone is changing: report, do not stop
            result, note = None, f"error: {type(exc).__name__}: {str(exc)[:60]}"
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    peak[0] = max(peak[0], _rss_mb())
    if note == "" and hasattr(result, "status_code"):
        if not getattr(result, "streaming", False):
            size = len(result.content)
        note = f"HTTP {result.status_code}, {size / 1024:.0f} KB"
        # A form's POST answers with a redirect when it has done its work, and a list export
        # made in the background with its page.
        posted = getattr(result, "request", {}).get("REQUEST_METHOD") == "POST"
        background = "/admin/exports/" in result.get("Location", "")
        if result.status_code != 200 and not ((posted or background) and result.status_code == 302):
            note += " (!)"
        if background:
            from imports.exports.models import ExportRun

            run = ExportRun.objects.order_by("-pk").first()
            note += (
                f", in the background: {run.get_status_display().lower()}, {run.rows_done:,} rows"
            )
    elif note == "" and isinstance(result, int):
        note = f"{result:,} rows"
    return Figure(seconds, count[0], peak[0] - base, note)


def _targets(client: Client, *, organisation, programme, post_id, tmp: str):
    from imports import exports

    today = timezone.localdate()
    month_ago = today - dt.timedelta(days=30)
    targets: dict[str, Callable[[], object]] = {}
    for name in LIST_URLS:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        targets[f"list {url}"] = lambda url=url: client.get(url)
    as_of = reverse("tracker_establishment")
    query = {"organisation": organisation.pk, "as_of": today.isoformat()}
    targets["as-of screen"] = lambda: client.get(as_of, query)
    targets["as-of screen + changes"] = lambda: client.get(
        as_of, {**query, "changes_from": month_ago.isoformat()}
    )
    # Every change since the first transfers (the whole history of the organisation's records).
    targets["as-of + changes since 2022"] = lambda: client.get(
        as_of, {**query, "changes_from": "2022-01-01"}
    )
    try:
        register = reverse("employment_redeployment_register")
        targets["redeployment register"] = lambda: client.get(register)
    except NoReverseMatch:
        pass
    targets["post history"] = lambda: client.get(reverse("posts:history", args=[post_id]))
    # Where the organisation is used (its posts among the rest), asked of the relations, and
    # its edit page's count of them.
    usage = reverse("organisations:usage", args=[organisation.pk])
    targets["organisation usage"] = lambda: client.get(usage)
    # A page past the end is answered with the last (Django's Paginator.get_page).
    targets["organisation usage, last page"] = lambda: client.get(usage, {"p": 10**6})
    targets["organisation edit (usage count)"] = lambda: client.get(
        reverse("organisations:edit", args=[organisation.pk])
    )
    # The case forms choose the person and post (every one in scope) with choosers.
    from employment.models import Case

    case = Case.objects.order_by("pk").first()
    targets["case open form"] = lambda: client.get(reverse("employment_cases:add"))
    if case is not None:
        targets["case edit form"] = lambda: client.get(
            reverse("employment_cases:edit", args=[case.pk])
        )
    # The admin home: the HR manager's programme and casework panels.
    targets["admin home (HR dashboard)"] = lambda: client.get(reverse("wagtailadmin_home"))

    def to_file(name, fn):
        def run():
            with open(os.path.join(tmp, name), "wb") as stream:
                return fn(stream)

        return run

    targets["export establishment (one org)"] = to_file(
        "e.xlsx", lambda s: exports.export_establishment(s, as_of=today, organisation=organisation)
    )
    targets["export establishment (all)"] = to_file(
        "ea.xlsx", lambda s: exports.export_establishment(s, as_of=today)
    )
    targets["export transfer schedule"] = to_file(
        "t.xlsx", lambda s: exports.export_transfer_schedule(s, programme=programme)
    )
    targets["export at-risk"] = to_file("r.xlsx", lambda s: exports.export_at_risk(s))
    targets["export cases"] = to_file("c.xlsx", lambda s: exports.export_cases(s))
    targets["export consultation"] = to_file("k.xlsx", lambda s: exports.export_consultation(s))
    targets["export audit (one org, 30 days)"] = to_file(
        "a1.xlsx",
        lambda s: exports.export_audit(s, organisation=organisation, since=month_ago),
    )
    targets["export audit (all, csv)"] = to_file(
        "a.csv", lambda s: exports.export_audit(s, fmt="csv")
    )
    # The lists' own export buttons: one organisation's changes, every change and every post
    # (written in the request up to `imports.exports.listing.INLINE_ROWS` rows, in the
    # background past it; the suite's task backend runs it inside the request, so the time is
    # the whole export either way).
    changes_list = reverse("planned_changes:index")
    targets["list export: changes, one org (xlsx)"] = lambda: client.get(
        changes_list, {"post__organisation": organisation.pk, "export": "xlsx"}
    )
    targets["list export: every change (xlsx)"] = lambda: client.get(
        changes_list, {"export": "xlsx"}
    )
    targets["list export: every post (csv)"] = lambda: client.get(
        reverse("posts:index"), {"export": "csv"}
    )
    out = io.StringIO()
    targets["alert sweep (first)"] = lambda: call_command("run_alerts", stdout=out)
    targets["alert sweep (repeated)"] = lambda: call_command("run_alerts", stdout=out)
    anonymous = Client()
    targets["public /"] = lambda: anonymous.get("/")
    targets["public /search/?query=guarantee"] = lambda: anonymous.get(
        "/search/", {"query": "guarantee"}
    )
    from cms.models import GuaranteePage

    page = GuaranteePage.objects.live().first()
    if page is not None:
        targets["public guarantee page"] = lambda: anonymous.get(page.url)
    # Approving every draft change of the organisation in one go (the bulk action): its review,
    # then its confirmation. Last, since the confirmation changes what the screens above read.
    from tracker import admin_bulk

    bulk = reverse("tracker_bulk_changes")
    form = {
        "programme": programme.pk,
        "organisation": organisation.pk,
        "action": admin_bulk.APPROVE,
        "reason": "Bench bulk approval",
    }
    targets["bulk approve: review"] = lambda: client.post(bulk, form)

    def confirm():
        drafts = list(admin_bulk._targets(admin_bulk.APPROVE, programme, organisation))
        return client.post(bulk, {**form, "confirm": admin_bulk._fingerprint(drafts)})

    targets["bulk approve: confirm"] = confirm
    return targets


def _hr_client(organisations) -> Client:
    from tests import factories

    user = factories.UserFactory(
        username=f"bench-hr-{time.monotonic_ns()}",
        groups=[Group.objects.get(name=roles.HR_MANAGER)],
        organisations=list(organisations),
    )
    client = Client()
    client.force_login(user)
    return client


def test_scale_benchmark(capsys):
    from tracker.models import Organisation, Post, Programme

    call_command("seed_demo", stdout=io.StringIO())
    demo_org = max(Organisation.objects.all(), key=lambda o: o.posts.count())
    demo_programme = Programme.objects.first()
    tmp = tempfile.mkdtemp(prefix="bench-scale-")
    client = _hr_client(Organisation.objects.all())
    demo_targets = _targets(
        client,
        organisation=demo_org,
        programme=demo_programme,
        post_id=Post.objects.filter(organisation=demo_org).first().pk,
        tmp=tmp,
    )
    demo = {name: measure(call) for name, call in demo_targets.items()}

    built = build(SCALE)
    if connection.vendor == "postgresql":
        # A production database has its planner statistics (autovacuum, or the ANALYZE an
        # import queues: imports/engine/statistics.py); the bulk build has none, and without
        # them the as-of reads take minutes instead of milliseconds.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client = _hr_client(Organisation.objects.all())
    big_post = Post.objects.filter(organisation=built.big_organisation).first()
    scale_targets = _targets(
        client,
        organisation=built.big_organisation,
        programme=built.programme,
        post_id=big_post.pk,
        tmp=tmp,
    )
    large = {name: measure(call) for name, call in scale_targets.items()}

    with capsys.disabled():
        print()
        print(
            f"bench-scale on {connection.vendor}, BENCH_SCALE={SCALE}: built {built.posts:,} posts"
            f" (+ staff, assignments), {built.history_rows:,} history rows, {built.changes:,}"
            f" changes, {built.cases:,} cases in {built.seconds:.0f} s; {platform.node()},"
            f" load {os.getloadavg()[0]:.1f}"
        )
        head = (
            f"{'':40} | {'demo s':>7} {'q':>5} {'MB':>5} | {'scale s':>8} {'q':>6} {'MB':>6} | note"
        )
        print(head)
        print("-" * len(head))
        for name in scale_targets:
            d, s = demo.get(name), large[name]
            left = f"{d.seconds:7.2f} {d.queries:5d} {d.peak_mb:5.0f}" if d else f"{'':19}"
            print(
                f"{name[:40]:40} | {left} | {s.seconds:8.2f} {s.queries:6d} {s.peak_mb:6.0f}"
                f" | {s.note}"
            )
