"""Load test: the public pages (home, a guarantee page, search) under gunicorn with 2 workers.

Builds a throwaway SQLite site under the production settings (database cache, as deployed;
only the static files storage differs, see below),
publishes the demo guarantee pages through Partnership approval, starts gunicorn on a loopback
port and fires a bounded number of anonymous requests at each page from a few client threads,
then prints requests per second, latency and how many came from the cache.

Run: make bench PYTEST_ARGS=tests/perf/test_public_load.py  (or .venv/bin/python -m pytest -q
-s tests/perf/test_public_load.py --override-ini addopts=). Target (issue 9 item 4): 300
requests/s per page on this 2-core machine. PUBLIC_LOAD_REQUESTS (default 2000 per page),
PUBLIC_LOAD_THREADS (default 8) and PUBLIC_LOAD_PORT (default 8105) bound it.
"""

from __future__ import annotations

import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.perf

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = int(os.environ.get("PUBLIC_LOAD_REQUESTS", "2000"))
THREADS = int(os.environ.get("PUBLIC_LOAD_THREADS", "8"))
PORT = int(os.environ.get("PUBLIC_LOAD_PORT", "8105"))
TARGET = 300
PAGES = {
    "home": "/",
    "guarantee page": "/guarantees/voluntary-redundancy-scheme/",
    "search": "/search/?query=clawback",
}

SEED = """
from django.contrib.auth.models import Group
from cms.demo import demo_pages_publish
from tracker import roles
from tracker.models import User

roles.sync_roles()
def person(name, role):
    user, _ = User.objects.get_or_create(username=name, defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name=role))
    return user
demo_pages_publish(
    programme=None,
    editor=person("editor", roles.CMS_EDITOR),
    approver=person("approver", roles.PARTNERSHIP_APPROVER),
)
"""


def _manage(env, *args):
    subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        text=True,
        check=True,
        capture_output=True,
    )


def _get(path):
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    try:
        # The production settings redirect plain HTTP; behind the load balancer this header says
        # the visitor used HTTPS.
        connection.request("GET", path, headers={"X-Forwarded-Proto": "https"})
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("X-Public-Cache")
    finally:
        connection.close()


def _wait_until_up(server, deadline=60.0):
    started = time.monotonic()
    while time.monotonic() - started < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited before answering")
        try:
            if _get("/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in time")


def _cpu_seconds(master_pid) -> float:
    """User + system CPU used so far by gunicorn's master and workers (Linux /proc)."""
    pids = [master_pid]
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _fire(path, total, threads):
    latencies, statuses, hits = [], [], []
    lock = threading.Lock()
    counter = iter(range(total))

    def worker():
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            started = time.perf_counter()
            status, cache_state = _get(path)
            took = time.perf_counter() - started
            with lock:
                latencies.append(took)
                statuses.append(status)
                hits.append(cache_state == "hit")

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - started
    return wall, latencies, statuses, hits


def test_public_pages_under_load(tmp_path):
    # The production settings, except the static files storage: its manifest needs a
    # collectstatic, which fails today on the NHS.UK stylesheet's missing source map (reported
    # to the settings owner). Static files are not part of this measurement.
    (tmp_path / "load_settings.py").write_text(
        "from config.settings.production import *\n"
        "STORAGES = {**STORAGES, 'staticfiles': "
        "{'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}}\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "load_settings",
        "DJANGO_SECRET_KEY": "load-test-" + "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
    }
    _manage(env, "migrate", "--noinput")
    _manage(env, "shell", "--no-imports", "-c", SEED)
    _manage(env, "update_index")  # production queues indexing for the worker; do it now

    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        _wait_until_up(server)
        results = {}
        for name, path in PAGES.items():
            # Concurrent warm-up, so both workers have loaded the app and the page is cached.
            assert set(_fire(path, 50, THREADS)[2]) == {200}, path
            cpu_before = _cpu_seconds(server.pid)
            results[name] = (*_fire(path, REQUESTS, THREADS), _cpu_seconds(server.pid) - cpu_before)
    finally:
        server.terminate()
        server.wait(timeout=30)

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nPublic pages, gunicorn 2 workers, {THREADS} client threads, {REQUESTS} requests each")
    print(f"machine: {os.cpu_count()} cores, load average {load} (other work shares them)")
    print(
        f"{'page':<16}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'cache hits':>12}"
        f"{'server CPU ms/req':>19}{'req/s per idle core':>21}"
    )
    for name, (wall, latencies, statuses, hits, cpu) in results.items():
        assert set(statuses) == {200}, (name, set(statuses))
        rate = len(latencies) / wall
        p50 = statistics.median(latencies) * 1000
        p95 = statistics.quantiles(latencies, n=20)[-1] * 1000
        per_request = cpu / len(latencies) * 1000
        per_core = 1000 / per_request if per_request else float("inf")
        print(
            f"{name:<16}{rate:>8.0f}{p50:>9.1f}{p95:>9.1f}{sum(hits):>7}/{len(hits):<5}"
            f"{per_request:>18.2f}{per_core:>21.0f}"
        )
        assert sum(hits) == len(hits), f"{name}: not every request came from the cache"
    slowest = min(len(r[1]) / r[0] for r in results.values())
    # The server's own CPU per request says what 2 idle cores would serve, whatever else the
    # machine was doing during the run; the req/s column is what this run actually got.
    print(f"target {TARGET} req/s per page: {'met' if slowest >= TARGET else 'NOT met'}")
