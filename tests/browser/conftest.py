"""Browser tests: a real `lehoi serve` subprocess and Debian's Chromium driven by Playwright.

The server gets a fresh data directory (and, when LEHOI_DATABASE_URL names PostgreSQL, a fresh database of its
own, dropped afterwards), a frozen festival clock, and a free port (tests/support/live_server.py).
`live_server.restart()` kills it and starts it again on the same port and data, as a phone would see a crash.

Without /usr/bin/chromium these tests skip, unless LEHOI_REQUIRE_ALL_TESTS=1 (CI), where they fail.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.live_server import LiveServer

#: Debian's Chromium; LEHOI_CHROMIUM names another build (or a missing one, to check the skip).
CHROMIUM = os.environ.get("LEHOI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FESTIVAL_NOW = "fixed:2024-11-12T10:00+07:00"
MISSING = f"browser tests did not run: {CHROMIUM} is missing"


#: reports every `securitypolicyviolation` of a page to its console, where `csp_violations` reads it
_REPORT_VIOLATIONS = """document.addEventListener('securitypolicyviolation', (e) => console.error(
  `CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`));"""
#: the event above, and Chromium's own console words for what the policy refused
_VIOLATION = re.compile(r"CSP violation|Content Security Policy")


#: piccolo-admin's bundle looks for the global object with core-js's `new Function("return this")` inside a
#: try/catch that falls back to `window`: refused, and harmless. The one violation tolerated: allowing
#: 'unsafe-eval' on /admin to hush it would let any injected string run as code on the organisers' page.
_TOLERATED = re.compile(r"/admin/assets/index-[\w-]+\.js")


def _refused(message) -> bool:
    """Whether a console message reports something the Content-Security-Policy refused (and not tolerated)."""
    if not _VIOLATION.search(message.text):
        return False
    at = f"{message.text} {message.location.get('url', '')}"
    return not ("eval" in message.text.lower() and _TOLERATED.search(at))


def require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("LEHOI_REQUIRE_ALL_TESTS") == "1":
        pytest.fail(MISSING, pytrace=False)
    pytest.skip(MISSING)


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    require_chromium()
    # Every test phone registers from 127.0.0.1; the per-address device limit is for the real world.
    server = LiveServer(
        Path(tempfile.mkdtemp(prefix="lehoi-browser-")), now=FESTIVAL_NOW, env={"LEHOI_DEVICE_RATE_PER_MINUTE": "10000"}
    )
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(live_server: LiveServer):
    # Per module, not per session: Playwright's sync API keeps an event loop running while it is open,
    # and the asyncio tests collected after this folder need the thread to themselves.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(autouse=True)
def csp_violations(monkeypatch) -> Iterator[list[str]]:
    """Every browser context a test opens watches for Content-Security-Policy violations; any fails the test."""
    from playwright.sync_api import Browser

    seen: list[str] = []
    new_context = Browser.new_context

    def watched(self: Browser, *args, **kwargs):
        context = new_context(self, *args, **kwargs)
        context.add_init_script(_REPORT_VIOLATIONS)
        context.on("console", lambda message: _refused(message) and seen.append(message.text))
        return context

    monkeypatch.setattr(Browser, "new_context", watched)
    yield seen
    if seen:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(dict.fromkeys(seen)), pytrace=False)


@pytest.fixture
def phone(browser, live_server: LiveServer):
    """A fresh phone (browser context) at 360 × 740, in English."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        locale="en-GB",
        is_mobile=True,
        has_touch=True,
        base_url=live_server.url,
    )
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture(scope="module")
def attendee(live_server, tmp_path_factory) -> dict:
    """A pass, made through the API, and a video of its QR code (the server's PNG) the fake camera shows."""
    from tests.browser.checkin_support import new_pass, write_y4m

    made = new_pass(live_server.url)
    made["video"] = write_y4m(made["qr_png"], Path(tmp_path_factory.mktemp("camera")) / "pass.y4m")
    return made


@pytest.fixture(scope="module")
def camera_browser(live_server, attendee):
    """Chromium whose camera shows `attendee`'s pass (per module: see `browser`)."""
    from playwright.sync_api import sync_playwright

    from tests.browser.checkin_support import launch_with_camera

    with sync_playwright() as playwright:
        chromium = launch_with_camera(playwright, attendee["video"])
        try:
            yield chromium
        finally:
            chromium.close()
