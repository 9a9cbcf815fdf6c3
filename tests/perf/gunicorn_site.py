"""A throwaway site under gunicorn for the load tests (`test_public_load.py`,
`test_admin_load.py`): a SQLite database in a temporary folder, the production settings (only
the static files storage differs: its manifest would need a collectstatic, and static files are
not what these tests measure), gunicorn with 2 workers on a loopback port, and what a test needs
to talk to it and to read the server's own CPU time."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def site_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a throwaway site in `tmp_path` under the production settings."""
    (tmp_path / "load_settings.py").write_text(
        "from config.settings.production import *\n"
        "STORAGES = {**STORAGES, 'staticfiles': "
        "{'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}}\n"
    )
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "load_settings",
        "DJANGO_SECRET_KEY": "load-test-" + "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
    }


def manage(env: dict[str, str], *args: str) -> str:
    """Run one of our own management commands against the site; its standard output."""
    return subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        text=True,
        check=True,
        capture_output=True,
    ).stdout


@dataclass
class Response:
    status: int  # 0: no answer (connection refused, timed out)
    headers: dict[str, str]  # names in lower case
    body: bytes


def get(port: int, path: str, cookie: str | None = None, timeout: float = 30) -> Response:
    """One GET, as a visitor behind the load balancer: the production settings redirect plain
    HTTP and send cookies only over HTTPS, and this header says the visitor used HTTPS."""
    headers = {"X-Forwarded-Proto": "https"}
    if cookie:
        headers["Cookie"] = cookie
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return Response(response.status, headers, response.read())
    except OSError as exc:
        return Response(0, {"error": repr(exc)}, b"")
    finally:
        connection.close()


def start_gunicorn(env: dict[str, str], port: int) -> subprocess.Popen:
    """gunicorn with 2 workers on 127.0.0.1:`port`, once it answers /healthz (60 s at most)."""
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    started = time.monotonic()
    while time.monotonic() - started < 60:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited before answering")
        if get(port, "/healthz", timeout=10).status == 200:
            return server
        time.sleep(0.2)
    stop(server)
    raise RuntimeError("gunicorn did not answer in time")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=30)


def cpu_seconds(master_pid: int) -> float:
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


def fire(
    port: int,
    path: str,
    total: int,
    threads: int,
    *,
    cookie: str | None = None,
    stop_at: float | None = None,
) -> tuple[float, list[tuple[float, Response]]]:
    """`total` GETs of `path` from `threads` client threads, none started after `stop_at` (a
    monotonic time). Returns the wall time and each request's (seconds, response)."""
    answered: list[tuple[float, Response]] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def worker():
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            if stop_at is not None and time.monotonic() > stop_at:
                return
            started = time.perf_counter()
            response = get(port, path, cookie)
            took = time.perf_counter() - started
            with lock:
                answered.append((took, response))

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return time.perf_counter() - started, answered
