"""Production settings fail closed: no secret, hosts or database from the environment, no start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = {
    "DJANGO_SECRET_KEY": "x" * 64,
    "DJANGO_ALLOWED_HOSTS": "tracker.example.nhs.uk",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
}


def _import_production(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-c", "import config.settings.production"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_load_with_everything_set():
    assert _import_production(GOOD).returncode == 0


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY"),
        ("DJANGO_ALLOWED_HOSTS", "DJANGO_ALLOWED_HOSTS"),
        ("DATABASE_URL", "DATABASE_URL"),
    ],
)
def test_production_refuses_to_start_without(missing, message):
    env = {k: v for k, v in GOOD.items() if k != missing}
    result = _import_production(env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_a_wildcard_host_and_a_short_key():
    assert _import_production({**GOOD, "DJANGO_ALLOWED_HOSTS": "*"}).returncode != 0
    assert _import_production({**GOOD, "DJANGO_SECRET_KEY": "short"}).returncode != 0
