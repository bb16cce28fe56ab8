"""A light first visit (issue 26, point 1): the first visit precaches the attendee's screens only, through the HTTP
cache, and the app works offline after it; the volunteer screen, never precached, works offline once it has been
opened online."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.checkin_support import enrolment_code
from tests.browser.test_offline import first_visit

pytestmark = pytest.mark.browser

CACHED = """async (prefix) => {
  const urls = [];
  for (const name of await caches.keys()) {
    if (!name.startsWith(prefix)) continue;
    const cache = await caches.open(name);
    urls.push(...(await cache.keys()).map((request) => new URL(request.url).pathname));
  }
  return urls;
}"""


def cached(page: Page, prefix: str) -> list[str]:
    return page.evaluate(CACHED, prefix)


def test_offline_after_one_visit_with_no_staff_code_precached(phone) -> None:
    wire: list[str] = []
    phone.on("requestfinished", lambda request: wire.append(request.url))
    page = phone.new_page()
    first_visit(page)
    shell = cached(page, "lehoi-static-")
    assert any(url.startswith("/js/page/map/map.") for url in shell), shell
    assert not [url for url in shell if "/checkin/volunteer." in url or "/organiser/" in url or "jsQR" in url]
    # the basemap's renderer comes with a saved archive (test_basemap.py), without which it draws nothing offline
    assert not [url for url in shell if "/vendor/pmtiles/" in url or "/vendor/protomaps-leaflet/" in url], shell
    assert all(url == "/" or url == "/manifest.webmanifest" or url.count(".") >= 2 for url in shell), "hashed names"
    assert not cached(page, "lehoi-lazy"), "nothing outside the shell was fetched"

    phone.set_offline(True)
    page.reload()
    expect(page.locator(".event-card").first).to_be_visible()
    page.goto("/#/map")
    expect(page.locator(".leaflet-container")).to_be_visible()
    page.goto("/#/pass")
    expect(page.get_by_role("heading", name="My pass")).to_be_visible()


def test_the_volunteer_screen_works_offline_once_opened_online(phone, live_server) -> None:
    code = enrolment_code(live_server.url, live_server.organiser(), ["van-mieu"])
    page = phone.new_page()
    first_visit(page)
    page.goto("/#/volunteer")
    page.locator("#enrol-code").fill(code)
    page.get_by_role("button", name="Enrol this phone").click()
    expect(page.get_by_role("heading", name="Scan passes")).to_be_visible()
    page.wait_for_function("async () => (await caches.has('lehoi-lazy'))")
    lazy = cached(page, "lehoi-lazy")
    assert any("/checkin/volunteer." in url for url in lazy), lazy

    phone.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="Scan passes")).to_be_visible()
    expect(page.get_by_text("Volunteer for: Temple of Literature")).to_be_visible()


def test_lehoi_serve_names_no_server_software(live_server) -> None:
    """uvicorn's `server: uvicorn` is turned off (server/cli.py): it tells an attacker what to try and costs every
    answer of the first visit its bytes."""
    for path in ("/", "/api/festival", "/sw.js"):
        assert "server" not in httpx.get(live_server.url + path).headers, path
