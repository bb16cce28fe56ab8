"""A live server holding a generated city-sized festival instead of the demo, as an operator would set it up:
`lehoi generate-festival`, `lehoi migrate`, `lehoi load-fixtures FILE`, then `lehoi serve` (which puts the demo only
into an empty database)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.live_server import LiveServer


def festival_file(workdir: Path, venues: int, events: int) -> Path:
    """Where `city_server` writes the generated festival (its content for a test to pick records from)."""
    return workdir / f"city-{venues}-{events}.json"


def city_festival(workdir: Path, venues: int = 950, events: int = 1400) -> dict:
    """The festival `city_server(workdir, venues, events)` generated and loaded."""
    return json.loads(festival_file(workdir, venues, events).read_text(encoding="utf-8"))


def city_server(workdir: Path, venues: int = 950, events: int = 1400, **options) -> LiveServer:
    """A started LiveServer (keyword options as LiveServer's) whose festival has `venues` venues and `events` events."""
    server = LiveServer(workdir, **options)
    festival = festival_file(workdir, venues, events)
    for command in (
        ["generate-festival", "--venues", str(venues), "--events", str(events), "--out", str(festival)],
        ["migrate"],
        ["load-fixtures", str(festival)],
    ):
        server.cli(*command, timeout=600).check_returncode()
    server.start(timeout=300)  # loading a city into the snapshot takes a while on a busy machine
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
