"""Browser tests: the main journeys in a real Chromium, and axe-core on every page they visit.

Run with `make test-browser` (CI does): it installs axe-core from npm into `.venv/node/` and
uses the system Chromium (Debian's `chromium` package; Playwright never downloads a browser
here). Not part of `make test`, which stays fast and needs no browser.

Signed-in sessions are made as Django's test tools make them (`Client.force_login`, whose
session cookie is handed to the browser), except in the sign-in journeys, which use the forms.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# browser steps are ordinary synchronous calls and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = Path(os.environ.get("AXE_JS", ROOT / ".venv/node/node_modules/axe-core/axe.min.js"))
SCREENSHOTS = Path(os.environ.get("BROWSER_SCREENSHOTS", ROOT / ".venv/screenshots"))
# WCAG 2.2 AA, as axe tags it.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def _chromium() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(
            "Browser tests need Chromium: `apt-get install chromium` (Debian's package); "
            "CI's .ci/run installs it."
        )
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, live_server):
    """`open_page(user=None, width="desktop")` -> a page in a fresh context, signed in as
    `user` when given."""
    contexts = []

    def make(user=None, *, width: str = "desktop"):
        w, h = WIDTHS[width]
        # Reduced motion: Wagtail's messages fade in, and axe measures contrast mid-fade.
        context = browser.new_context(
            viewport={"width": w, "height": h},
            base_url=live_server.url,
            reduced_motion="reduce",
        )
        if user is not None:
            from django.conf import settings
            from django.test import Client

            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            context.add_cookies(
                [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
            )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it stands; return the serious and critical violations."""
    if not AXE_JS.exists():
        pytest.fail(f"axe-core not found at {AXE_JS}: run `make test-browser` (installs it).")
    # Injected through the DevTools protocol's isolated evaluation, not a <script> tag, so the
    # page's Content-Security-Policy stays as it is served.
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(700)  # let anything that animates in (messages, panels) settle
    page.evaluate(AXE_JS.read_text())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return [v for v in result["violations"] if v.get("impact") in BLOCKING]


def assert_accessible(page, name: str) -> None:
    violations = axe_violations(page)
    screenshot(page, name)
    summary = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"][:5]],
        }
        for v in violations
    ]
    assert not violations, f"{name} ({page.url}): " + json.dumps(summary, indent=2)
