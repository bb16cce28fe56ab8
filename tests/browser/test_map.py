"""The map screen (issue "Wayfinding", points 6 and 7; issue 26, point 3): venues by kind, clustered where they
crowd, the whole festival at first with one tap to its centre or its villages, trails, drawn from the stored
programme even with no signal or no tiles (a plain background, no broken images, a note on the map saying why);
"Go there" from a venue page with the time by each mode, the route drawn on the map; "Near me"; Leaflet loads
only on the map screens."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_offline import first_visit

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DEMO = json.loads((ROOT / "fixtures" / "hcdf2024.json").read_text())
VENUES = len(DEMO["venues"])
TRAILS = len(DEMO["trails"])
#: beside Hoàn Kiếm Lake
HERE = {"latitude": 21.0285, "longitude": 105.8542}
TILES = "https://tile.openstreetmap.org/**"
#: the server's offline basemap (PMTiles), read by Range requests until it is saved on the phone
BASEMAP = "**/tiles/*.pmtiles*"


def leaflet_loaded(page: Page) -> bool:
    return page.evaluate(
        "() => performance.getEntriesByType('resource')"
        ".some(r => r.name.endsWith('/vendor/leaflet/leaflet.js')) || Boolean(window.L)"
    )


#: every venue on the map is drawn once, as its pin or inside a cluster's count, and each inside the map's box
ALL_VENUES_IN_VIEW = """n => {
  const map = document.querySelector('#map');
  if (!map) return false;
  const box = map.getBoundingClientRect();
  const drawn = [...document.querySelectorAll('#map .venue-marker, #map .venue-cluster')];
  const inside = drawn.every(m => {
    const r = m.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    return x >= box.left && x <= box.right && y >= box.top && y <= box.bottom;
  });
  return inside && drawn.reduce((sum, m) => sum + Number(m.dataset.count || 1), 0) === n;
}"""


def expect_whole_festival(page: Page, venues: int) -> None:
    """The map shows every venue, clustered where they crowd (the view that opens first, and "All")."""
    page.wait_for_function(ALL_VENUES_IN_VIEW, arg=venues)
    expect(page.locator("#map .venue-cluster").first).to_be_visible()


def kinds_drawn(page: Page) -> set[str]:
    """The kinds of the venues drawn as pins (each pin is coloured by its kind)."""
    classes = page.locator("#map .venue-marker").evaluate_all("ms => ms.map(m => m.className)")
    return {c.removeprefix("kind-") for k in classes for c in k.split() if c.startswith("kind-")}


def no_broken_tiles(page: Page) -> bool:
    return page.evaluate("""() => [...document.querySelectorAll('img.leaflet-tile')].every(img =>
        (img.complete && img.naturalWidth > 0) || getComputedStyle(img).visibility === 'hidden'
        || getComputedStyle(img.closest('.leaflet-tile-pane')).visibility === 'hidden')""")


def test_the_map_draws_venues_and_trails_offline_without_tiles(phone) -> None:
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    first_visit(page)
    assert not leaflet_loaded(page), "the programme must not load Leaflet"

    phone.set_offline(True)
    page.get_by_role("link", name="Map").click()
    expect(page.locator("h1")).to_have_text("Festival map")
    expect_whole_festival(page, VENUES)
    expect(page.locator("#map path.trail-line")).to_have_count(TRAILS)
    expect(page.locator("#map #map-note")).to_contain_text("Offline: no background map")  # on the map itself
    expect(page.locator("#map")).to_have_class(re.compile(r"\bno-tiles\b"))
    assert no_broken_tiles(page)
    expect(page.locator(".legend-list li")).to_have_count(7)
    expect(page.locator("#map .leaflet-control-attribution")).to_contain_text("© OpenStreetMap contributors")
    expect(page.get_by_role("button", name="Zoom in")).to_be_visible()
    expect(page.locator(".all-venues .card")).to_have_count(0)  # drawn when the list is opened

    # one tap to the craft villages, one to the centre (Hoàn Kiếm), one back to the whole festival
    page.get_by_role("button", name="Villages", exact=True).click()
    xuan_la = page.locator('#map .venue-marker[data-venue="xuan-la-to-he"]')  # the furthest south
    expect(xuan_la).to_have_attribute("aria-label", "Xuân La toy-figurine village, Craft village")
    expect(xuan_la).to_be_in_viewport()
    expect(page.locator('#map .venue-marker[data-venue="hoa-lo"]')).to_have_count(0)
    kinds = kinds_drawn(page)
    page.get_by_role("button", name="Centre", exact=True).click()
    expect(xuan_la).to_have_count(0)
    hoa_lo = page.locator('#map .venue-marker[data-venue="hoa-lo"]')
    expect(hoa_lo).to_be_visible()
    assert {"heritage", "craft_village", "garden", "creative_space"} <= kinds | kinds_drawn(page)
    page.get_by_role("button", name="All", exact=True).click()
    expect_whole_festival(page, VENUES)
    page.get_by_role("button", name="Centre", exact=True).click()

    # a marker opens the venue's name and links, reachable by keyboard too
    hoa_lo.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup")
    expect(popup).to_contain_text("Hỏa Lò Prison Relic")
    popup.get_by_role("link", name="Open venue").click()
    expect(page.locator("h1")).to_have_text("Hỏa Lò Prison Relic")
    assert not errors, errors


def test_tiles_that_do_not_load_leave_a_plain_background(phone) -> None:
    phone.route(TILES, lambda route: route.abort())
    phone.route(BASEMAP, lambda route: route.abort())  # the offline basemap, read online, fails too
    page = phone.new_page()
    first_visit(page)
    page.goto("/#/map?venue=hoa-lo")
    expect(page.locator('#map .venue-marker[data-venue="hoa-lo"]')).to_be_visible()
    expect(page.locator("#map #map-note")).to_contain_text("could not load")
    expect(page.locator("#map")).to_have_class(re.compile(r"\bno-tiles\b"))
    assert no_broken_tiles(page)
    expect(page.locator(".leaflet-popup")).to_contain_text("Hỏa Lò")  # ?venue= opens it


def test_go_there_gives_each_mode_and_draws_the_route(browser, live_server) -> None:
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        locale="en-GB",
        is_mobile=True,
        has_touch=True,
        base_url=live_server.url,
        geolocation=HERE,
        permissions=["geolocation"],
    )
    context.set_default_timeout(10_000)
    context.route(TILES, lambda route: route.abort())
    try:
        page = context.new_page()
        first_visit(page)
        # Bát Tràng is outside the imported streets: the server answers with the estimate the phone computes too
        page.goto("/#/venues/bat-trang")
        expect(page.locator("#go-modes li")).to_have_count(0)
        page.get_by_role("button", name="From my location").click()
        rows = page.locator("#go-modes .mode-row")
        expect(rows).to_have_count(5)
        assert rows.evaluate_all("rs => rs.map(r => r.dataset.mode)") == ["walk", "bicycle", "motorbike", "car", "bus"]
        expect(page.locator("#go-status")).to_contain_text("From your location")

        # the phone's minutes are the server's
        here = f"{HERE['latitude']},{HERE['longitude']}"
        for mode in ("walk", "car"):
            route = httpx.get(
                live_server.url + "/api/routes", params={"from": here, "to": "bat-trang", "mode": mode}
            ).json()
            assert route["engine"] == "estimate"
            hours, minutes = divmod(max(1, round(route["features"][0]["properties"]["duration_s"] / 60)), 60)
            shown = f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
            expect(page.locator(f'#go-modes [data-mode="{mode}"] .mode-time')).to_have_text(shown)

        # from a chosen venue instead
        page.get_by_label("Or from a venue").select_option("hang-buom-22")
        expect(page.locator("#go-status")).to_contain_text("From 22 Hàng Buồm Arts Centre")
        route = httpx.get(
            live_server.url + "/api/routes", params={"from": "hang-buom-22", "to": "bat-trang", "mode": "car"}
        ).json()
        minutes = round(route["features"][0]["properties"]["duration_s"] / 60)
        expect(page.locator('#go-modes [data-mode="car"] .mode-time')).to_contain_text(str(minutes % 60))

        # a mode opens the map with the route, the server's line online
        page.locator('#go-modes [data-mode="car"]').click()
        expect(page.locator("h1")).to_have_text("Festival map")
        expect(page.locator("#map path.route-line")).to_have_count(1)
        expect(page.locator("#route-note")).to_contain_text("Time from the server")
        expect(page.locator("#map .end-marker")).to_have_count(1)
        page.get_by_role("radio", name="Walk").check()
        expect(page).to_have_url(f"{live_server.url}/#/map?from=hang-buom-22&to=bat-trang&mode=walk")
        expect(page.locator("#route-time")).to_contain_text("on foot")

        # offline, the same route is the phone's estimate
        context.set_offline(True)
        page.reload()
        expect(page.locator("#map path.route-line")).to_have_count(1)
        expect(page.locator("#route-note")).to_contain_text("Estimated on this phone (offline)")

        # near me: the venues nearest the device, as the server ranks them
        context.set_offline(False)
        page.goto("/#/map")
        page.get_by_role("button", name="Find venues near me").click()
        items = page.locator(".near-item")
        expect(items).to_have_count(8)
        nearby = httpx.get(
            live_server.url + "/api/venues/nearby",
            params={"lat": HERE["latitude"], "lon": HERE["longitude"], "limit": 8},
        ).json()
        assert items.evaluate_all("xs => xs.map(x => x.dataset.near)") == [v["id"] for v in nearby]
        expect(items.first).to_contain_text(f"{max(1, round(nearby[0]['duration_s'] / 60))} min on foot")
        expect(page.locator("#map path.me-marker")).to_have_count(1)
    finally:
        context.close()


def test_location_refused_says_so(phone) -> None:
    page = phone.new_page()
    first_visit(page)
    page.goto("/#/venues/van-mieu")
    page.get_by_role("button", name="From my location").click()
    expect(page.locator("#go-status")).to_contain_text("Location access was not allowed")
    page.goto("/#/map")
    page.get_by_role("button", name="Find venues near me").click()
    expect(page.locator("#near-status")).to_contain_text("Location access was not allowed")


def test_an_event_page_goes_there(phone) -> None:
    page = phone.new_page()
    page.goto("/#/events/ve-gom-men-lam")
    page.get_by_role("link", name="Go there").click()
    expect(page).to_have_url(re.compile(r"#/venues/bat-trang\?go=1$"))
    expect(page.locator("#go-title")).to_be_focused()


def drawn_points(page: Page) -> int:
    """How many points the route's line has on screen (Leaflet's SVG path: one M, then an L per point)."""
    return page.locator("#map path.route-line").get_attribute("d").count("L") + 1


def test_offline_the_walk_between_central_venues_follows_the_streets(phone, live_server) -> None:
    phone.route(TILES, lambda route: route.abort())
    page = phone.new_page()
    first_visit(page)
    walk = httpx.get(live_server.url + "/api/routes", params={"from": "hoa-lo", "to": "van-mieu", "mode": "walk"})
    assert walk.json()["engine"] == "roads", "lehoi serve imports the demo extract on first start"
    minutes = max(1, round(walk.json()["features"][0]["properties"]["duration_s"] / 60))

    phone.set_offline(True)
    page.goto("/#/map?from=hoa-lo&to=van-mieu&mode=walk")
    expect(page.locator("#map path.route-line")).to_have_count(1)
    expect(page.locator("#map path.route-line.is-straight")).to_have_count(0)
    assert drawn_points(page) >= 6, "a street path, not the straight line's two points"
    note = page.locator("#route-note")
    expect(note).to_contain_text("Estimated on this phone (offline)")
    expect(note).to_contain_text("Along streets (© OpenStreetMap contributors)")
    expect(page.locator("#route-time")).to_contain_text(f"{minutes} min on foot")

    # Go there on the venue page says which walks are along the streets
    page.goto("/#/venues/van-mieu")
    page.get_by_label("Or from a venue").select_option("hoa-lo")
    expect(page.locator('#go-modes [data-mode="walk"] .mode-time')).to_have_text(f"{minutes} min")
    expect(page.locator('#go-modes [data-mode="walk"] .mode-via')).to_have_text("along streets")
    expect(page.locator('#go-modes [data-mode="car"] .mode-via')).to_have_count(0)
    expect(page.locator("#go-streets")).to_contain_text("© OpenStreetMap contributors")

    # a craft village is outside the streets of the bundle: the labelled estimate, as before
    page.goto("/#/map?from=hoa-lo&to=bat-trang&mode=walk")
    expect(page.locator("#map path.route-line.is-straight")).to_have_count(1)
    assert drawn_points(page) == 2
    expect(note).to_contain_text("A straight line shows the direction")
    expect(note).not_to_contain_text("Along streets")
