"""A city-sized festival (950 venues, 1,400 events, `lehoi generate-festival`) on a phone: the day's list draws
what is near the screen under the day's true count and opens at now with a marker; search says its true total
and shows more on request; a venue page and the map open."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import FESTIVAL_NOW, require_chromium
from tests.support.city import city_festival, city_server

DAY = "2024-11-12"


@pytest.fixture(scope="module")
def city():
    require_chromium()
    workdir = Path(tempfile.mkdtemp(prefix="lehoi-city-"))
    server = city_server(workdir, now=FESTIVAL_NOW, env={"LEHOI_DEVICE_RATE_PER_MINUTE": "10000"})
    festival = city_festival(workdir)
    try:
        yield server, festival
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def page(browser, city):
    server, _ = city
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="en-GB", is_mobile=True, has_touch=True, base_url=server.url
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        yield page
        assert errors == []
    finally:
        context.close()


def open_day(page) -> None:
    """The programme's day, once the city's bundle has come (slow on a busy machine)."""
    page.goto(f"/#/day/{DAY}")
    expect(page.locator(".event-card").first).to_be_visible(timeout=60_000)


def day_events(server) -> list[dict]:
    answer = httpx.get(f"{server.url}/api/events", params={"day": DAY}, timeout=30).json()
    return answer["items"] if isinstance(answer, dict) else answer


def test_the_days_list_is_drawn_as_it_scrolls_and_opens_at_now(page, city) -> None:
    server, _ = city
    events = day_events(server)
    assert len(events) > 150, "a city day should be long"
    open_day(page)
    expect(page.locator("#count")).to_have_text(f"{len(events)} events")
    # The festival clock says 10:00: the list opens at the marker, the events begun before it above it.
    marker = page.locator(".now-line")
    expect(marker).to_have_text("Now · 10:00")
    expect(marker).to_be_in_viewport()
    before = page.locator(".now-line ~ .event-card").first.get_attribute("data-event")
    starts = {e["id"]: e["starts_at"] for e in events}
    assert starts[before] > "2024-11-12T10:00:00+07:00"
    drawn = page.locator(".event-card").count()
    assert drawn < len(events), "only what is near the screen is drawn"
    # Scrolling to the end draws the rest, in the server's order.
    for _ in range(len(events)):
        if page.locator(".sentinel").count() == 0:
            break
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        page.wait_for_timeout(50)
    expect(page.locator(".event-card")).to_have_count(len(events))
    assert page.locator(".event-card").evaluate_all("cs => cs.map(c => c.dataset.event)") == [e["id"] for e in events]


def test_search_says_its_true_total_and_shows_more(page, city) -> None:
    server, festival = city
    open_day(page)
    field = page.get_by_label("Search events and venues")
    word = festival["events"][0]["category"]
    total = sum(1 for e in festival["events"] if e["category"] == word)
    field.fill(word)
    hits = re.compile(rf"^(\d+) results for “{word}”")
    expect(page.locator("#count")).to_have_text(hits)
    n = int(hits.match(page.locator("#count").text_content()).group(1))
    assert n >= total > 50
    expect(page.locator("#results .card")).to_have_count(50)
    page.locator("#more").click()
    expect(page.locator("#results .card")).to_have_count(min(100, n))
    expect(page.locator("#results .card a").nth(50)).to_be_focused()
    # A search of 200 characters, and one of only punctuation: answered, nothing found, nothing broken.
    field.fill("lang " * 40)
    expect(page.locator("#count")).to_have_text(re.compile(r"^\d+ results for “lang lang"))
    field.fill("q" * 200)
    expect(page.locator("#count")).to_contain_text("Nothing found")
    field.fill("!!! ?? …")
    expect(page.locator("#count")).to_have_text("Nothing found for “!!! ?? …”.")


def test_a_venue_page_and_the_map_open(page, city) -> None:
    _, festival = city
    venue = festival["venues"][len(festival["venues"]) // 2]
    open_day(page)
    page.goto(f"/#/venues/{venue['id']}")
    expect(page.locator("h1")).to_have_text(venue["name"]["en"])
    page.goto("/#/map")
    expect(page.locator(".leaflet-container")).to_be_visible()
    expect(page.locator(".leaflet-marker-icon, .leaflet-interactive").first).to_be_attached()


def test_a_bundle_the_phone_will_not_keep_still_works_from_memory(page, city) -> None:
    server, _ = city
    # A real quota, far under the city's bundle: IndexedDB refuses it as it would on a full phone.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Storage.overrideQuotaForOrigin", {"origin": server.url, "quotaSize": 200_000})
    open_day(page)
    expect(page.locator("#unsaved")).to_contain_text("would not keep the programme", timeout=30_000)
    page.get_by_label("Search events and venues").fill("lang")
    expect(page.locator("#count")).to_have_text(re.compile(r"^\d+ results for “lang”"))
    assert page.evaluate("window.lehoi.store.meta('programme')") is None
