"""The offline basemap on the Map screen (issue 15, points 3 and 4): "Save the map for offline use" downloads the
server's PMTiles archive once with a progress bar; offline, the map draws it from the saved copy under the venues
and a route, credited to OpenStreetMap; the download is not repeated while the version stays the same."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.test_map import TILES
from tests.browser.test_offline import first_visit

pytestmark = pytest.mark.browser

#: every canvas tile of the basemap has drawn something other than one flat colour
PAINTED = """() => {
  const canvases = [...document.querySelectorAll('#map .leaflet-tile-pane canvas')];
  if (canvases.length < 4) return false;
  const colours = new Set();
  for (const canvas of canvases) {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    for (let i = 0; i < data.length; i += 4 * 97) colours.add(data.slice(i, i + 4).join());
  }
  return colours.size > 8;
}"""


def downloads(context: BrowserContext) -> list[str]:
    """The whole-archive downloads (GETs of /tiles/ without a Range header) the phone makes from now on."""
    seen: list[str] = []
    context.on(
        "request",
        lambda request: (
            seen.append(request.url)
            if "/tiles/" in request.url and request.method == "GET" and "range" not in request.headers
            else None
        ),
    )
    return seen


def save_for_offline(page: Page) -> None:
    page.get_by_role("button", name="Save the map for offline use").click()
    expect(page.locator("#offline-map-status")).to_contain_text("Saved on this phone: 324 KB")
    # the renderer is not precached (js/lib/basemap.js RENDERER): it is kept beside the archive it draws
    kept = page.evaluate("""async () => {
      const lazy = await caches.open('lehoi-lazy');
      return (await lazy.keys()).map((request) => new URL(request.url).pathname);
    }""")
    for name in ("/vendor/pmtiles/pmtiles.", "/vendor/protomaps-leaflet/protomaps-leaflet."):
        assert any(path.startswith(name) for path in kept), kept


def test_the_saved_map_draws_offline_under_a_route(phone, live_server) -> None:
    basemap = httpx.get(live_server.url + "/api/festival").json()["map"]["basemap"]
    phone.route(TILES, lambda route: route.abort())  # the raster layer is not what draws here
    seen = downloads(phone)
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    first_visit(page)
    page.get_by_role("link", name="Map").click()
    expect(page.locator("#offline-map-status")).to_contain_text("Download it once (324 KB)")
    save_for_offline(page)
    progress = page.locator("#offline-map-progress")
    assert progress.evaluate("p => [p.value, p.max]") == [basemap["bytes"], basemap["bytes"]]  # 100 %
    expect(page.locator("#offline-map-usage")).to_contain_text("The app uses")
    assert len(seen) == 1, seen

    # online: the server's line follows the streets and says so; the layer switch offers the raster tiles too
    route = httpx.get(live_server.url + "/api/routes", params={"from": "hoa-lo", "to": "van-mieu", "mode": "walk"})
    assert route.json()["features"][0]["properties"]["geometry_source"] == "streets"
    page.goto("/#/map?from=hoa-lo&to=van-mieu&mode=walk")
    expect(page.locator("#route-note")).to_contain_text("Along streets (© OpenStreetMap contributors).")
    page.locator("#map .leaflet-control-layers").hover()
    expect(page.get_by_role("radio", name="Festival map (works offline)")).to_be_checked()
    expect(page.get_by_role("radio", name="Online map")).not_to_be_checked()

    phone.set_offline(True)
    page.reload()
    expect(page.locator("#map")).to_have_attribute("data-basemap", "saved")
    expect(page.locator("#map-note")).to_be_hidden()
    page.wait_for_function(PAINTED, timeout=15_000)
    expect(page.locator("#map path.route-line")).to_have_count(1)
    expect(page.locator("#map .end-marker")).to_have_count(1)
    expect(page.locator('#map .venue-marker[data-venue="hoa-lo"]')).to_be_visible()  # where the route starts
    credit = page.locator("#map .leaflet-control-attribution")
    expect(credit).to_contain_text("© OpenStreetMap contributors")
    expect(credit.get_by_role("link", name="© OpenStreetMap contributors")).to_have_attribute(
        "href", "https://www.openstreetmap.org/copyright"
    )

    # what the person sees: many colours (streets, water, parks, labels, the route), not a blank background
    shot = Image.open(io.BytesIO(page.locator("#map").screenshot())).convert("RGB")
    colours = shot.getcolors(maxcolors=1 << 20)
    assert colours and len(colours) > 200, len(colours or [])
    assert max(count for count, _ in colours) < 0.8 * shot.width * shot.height, "mostly one colour"
    assert len(seen) == 1, seen
    assert not errors, errors


def test_the_map_is_saved_once_per_version_and_automatically_on_wifi(phone) -> None:
    # Chromium on Linux does not say what the connection is: this phone is on Wi-Fi
    phone.add_init_script("Object.defineProperty(Navigator.prototype, 'connection', {get: () => ({type: 'wifi'})})")
    seen = downloads(phone)
    page = phone.new_page()
    first_visit(page)
    page.goto("/#/map")
    auto = page.get_by_label("Save automatically on Wi-Fi")
    expect(auto).not_to_be_checked()  # off by default
    page.wait_for_timeout(500)
    assert seen == []
    auto.check()
    expect(page.locator("#offline-map-status")).to_contain_text("Saved on this phone: 324 KB")
    assert len(seen) == 1, seen

    # the same version: not downloaded again, by the setting or otherwise
    page.reload()
    expect(page.locator("#offline-map-status")).to_contain_text("Saved on this phone")
    expect(page.get_by_label("Save automatically on Wi-Fi")).to_be_checked()
    expect(page.get_by_role("button", name="Save the map for offline use")).to_be_hidden()
    page.wait_for_timeout(500)
    assert len(seen) == 1, seen

    # a saved copy of another version is replaced, once
    page.evaluate("""async () => {
      const cache = await caches.open('lehoi-basemap');
      const [key] = await cache.keys();
      const old = await cache.match(key);
      const headers = new Headers(old.headers);
      headers.set('X-Lehoi-Basemap-Version', 'older');
      await cache.put(key, new Response(await old.blob(), { headers }));
    }""")
    page.reload()
    expect(page.locator("#offline-map-status")).to_contain_text("Saved on this phone")
    page.wait_for_timeout(500)
    assert len(seen) == 2, seen
