"""A live server holding a generated city-sized festival instead of the demo: `lehoi generate-festival` writes it
and `lehoi load-fixtures` loads it before `lehoi serve` starts (which then finds the database not empty)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.live_server import ROOT, LiveServer


def city_server(workdir: Path, venues: int = 950, events: int = 1400, **options) -> LiveServer:
    """A started LiveServer (keyword options as LiveServer's) whose festival has `venues` venues and `events` events."""
    server = LiveServer(workdir, **options)
    festival = workdir / f"city-{venues}.json"
    for command in (
        ["generate-festival", "--venues", str(venues), "--events", str(events), "--out", str(festival)],
        ["migrate"],
        ["load-fixtures", str(festival)],
    ):
        subprocess.run(
            [sys.executable, "-m", "server.cli", *command], cwd=ROOT, env=server.env, check=True, capture_output=True
        )
    server.start(timeout=180)  # loading a city into the snapshot takes a while on a busy machine
    return server


def first_city_visit(page, timeout_ms: int = 120_000) -> None:
    """Open the app online and wait until the city's bundle is stored and the first sync is over (slower than the
    demo's: tests/browser/test_offline.py `first_visit`)."""
    from playwright.sync_api import expect

    from tests.browser.test_offline import SETTLED

    page.goto("/#/day/2024-11-12")
    expect(page.locator(".event-card").first).to_be_visible(timeout=timeout_ms)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=timeout_ms)
    page.wait_for_function(SETTLED, timeout=timeout_ms)
