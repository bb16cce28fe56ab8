"""The map of a city-sized festival (issue 26, point 3): the generated festival's 950 venues gathered into
clusters that fit the screen, a tap on a cluster zooms to its venues, a venue opens; the list of every venue is
drawn a page at a time, not as 950 hidden cards."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import FESTIVAL_NOW
from tests.browser.test_map import TILES, expect_whole_festival
from tests.support.city import city_server, first_city_visit

pytestmark = pytest.mark.browser

VENUES = 950

#: the sum of the counts of the clusters and pins drawn
DRAWN = """() => [...document.querySelectorAll('#map .venue-marker, #map .venue-cluster')]
  .reduce((sum, m) => sum + Number(m.dataset.count || 1), 0)"""


#: the count of the biggest cluster that a finger can reach (what is drawn at its centre is itself)
UNCOVERED_BIGGEST = """cs => cs.filter(c => {
  const r = c.getBoundingClientRect();
  return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)?.closest('.venue-cluster') === c;
}).map(c => Number(c.dataset.count)).sort((a, b) => b - a)[0]"""


#: true once the map has held still for a poll: no zoom under way, its pane and every cluster, pin and popup where
#: they were at the previous poll. A tap during the re-clustering that ends a zoom can land on a pin just before it
#: is replaced, its popup closing between the press and the release: the test taps a map at rest, as a person would.
AT_REST = """() => {
  const map = document.querySelector('#map');
  if (!map || map.querySelector('.leaflet-zoom-anim')) return false;
  const now = [...map.querySelectorAll('.leaflet-map-pane, .venue-marker, .venue-cluster, .leaflet-popup')]
    .map((m) => m.className + m.style.transform + (m.dataset.count || '')).join();
  const same = window.__mapAtRest === now;
  window.__mapAtRest = now;
  return same;
}"""


def at_rest(page: Page) -> None:
    page.wait_for_function(AT_REST, polling=250)


@pytest.fixture(scope="module")
def city():
    server = city_server(Path(tempfile.mkdtemp(prefix="lehoi-city-")), venues=VENUES, events=1400, now=FESTIVAL_NOW)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(city, browser) -> Page:  # the city first: its PostgreSQL database is made before Playwright runs a loop
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="en-GB", is_mobile=True, has_touch=True, base_url=city.url
    )
    context.set_default_timeout(30_000)
    context.route(TILES, lambda route: route.abort())
    try:
        yield context.new_page()
    finally:
        context.close()


def test_the_city_map_clusters_its_venues_zooms_on_a_tap_and_opens_a_venue(page: Page) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    first_city_visit(page)
    page.get_by_role("link", name="Map").click()
    expect_whole_festival(page, VENUES)
    assert page.locator("#map .venue-cluster, #map .venue-marker").count() < 60, "clusters, not a carpet of pins"
    expect(page.locator(".all-venues .card")).to_have_count(0)

    # a tap on the biggest cluster not covered by another zooms to its venues: fewer are in view
    biggest = page.locator("#map .venue-cluster").evaluate_all(UNCOVERED_BIGGEST)
    page.locator(f'#map .venue-cluster[data-count="{biggest}"]').first.tap()
    page.wait_for_function(f"() => ({DRAWN})() < {VENUES}")

    # zoom on until a venue's own pin shows, then open it
    pin = page.locator("#map .venue-marker")
    for _ in range(8):
        if pin.count():
            break
        page.locator("#map .venue-cluster").first.tap()
        at_rest(page)
    name = pin.first.get_attribute("title")
    pin.first.click()
    popup = page.locator(".leaflet-popup")
    expect(popup).to_contain_text(name)
    at_rest(page)  # the map pans to show the popup
    popup.get_by_role("link", name="Open venue").click()
    expect(page.locator("h1")).to_have_text(name)
    assert not errors, errors


def test_every_venue_is_listed_a_page_at_a_time(page: Page) -> None:
    first_city_visit(page)
    page.goto("/#/map")
    listing = page.locator(".all-venues")
    expect(listing.locator(".card")).to_have_count(0)
    listing.locator("summary").click()
    cards = listing.locator(".card")
    expect(cards.first).to_be_visible()
    shown = cards.count()
    assert shown in (30, 60), shown  # a page, and the next when its button is already in reach
    more = listing.get_by_role("button", name="Show more venues")
    expect(more).to_have_text(f"Show more venues ({shown} of {VENUES})")
    more.click()
    # the next page, and more while the button stays in reach of the screen (as a slow machine may see it)
    expect(more).not_to_have_text(f"Show more venues ({shown} of {VENUES})")
    after = cards.count()
    assert after > shown and after % 30 == 0 and after < VENUES, after
    expect(more).to_have_text(f"Show more venues ({after} of {VENUES})")
