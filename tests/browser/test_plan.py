"""Wayfinding in the PWA (issue "Wayfinding", point 7): with no signal, a day of three favourites, one of them
in a craft village, is planned on the phone, listed and drawn on the map, and it is the plan the server makes;
My schedule shows the travel between favourites and warns when it does not fit."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

pytestmark = pytest.mark.browser

DAY = "2024-11-13"
#: Bát Tràng 09:00-11:00 (a craft village 8 km out), 22 Hàng Buồm 14:00-16:00, the State Bank 18:30-20:00
FAVOURITES = ["nan-gom-ban-xoay-2024-11-13", "den-long-giay", "toa-dam-art-deco-ha-noi"]

SETTLED = """() => {
  const l = window.lehoi;
  return Boolean(l && l.app.writing === 0 && l.app.deviceId && l.sync.status.lastSyncedAt && !l.sync.status.syncing
    && !l.sync.running && l.sync.status.pending === 0);
}"""


def first_visit(page: Page, day: str) -> None:
    page.goto(f"/#/day/{day}")
    expect(page.locator(".event-card").first).to_be_visible()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function(SETTLED)


def favourite(page: Page, event_id: str) -> None:
    button = page.locator(f'.event-card[data-event="{event_id}"] button.fav')
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")


def decline_offers(page: Page) -> None:
    """Starring may bring an offer of reminders; say "Not now", as a person planning their day would."""
    offer = page.get_by_role("button", name="Not now")
    try:
        offer.click(timeout=1500)
    except PlaywrightTimeout:
        pass


def test_offline_plan_of_a_day_with_a_craft_village_is_listed_and_drawn(phone, live_server) -> None:
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    first_visit(page, DAY)
    for event_id in FAVOURITES:
        favourite(page, event_id)
    decline_offers(page)
    page.wait_for_function(SETTLED, timeout=20_000)

    phone.set_offline(True)
    page.get_by_role("link", name="My schedule").click()
    expect(page.locator("h1")).to_have_text("My schedule")
    legs = page.locator(".schedule .travel-leg")
    expect(legs).to_have_count(2)
    expect(legs.first).to_contain_text("by taxi")  # "auto": the village is too far to walk
    expect(legs.nth(1)).to_contain_text("on foot")
    expect(page.locator(".travel-leg.is-tight")).to_have_count(0)

    page.get_by_role("link", name="Plan my day: Wednesday 13 November").click()
    expect(page.locator("h1")).to_have_text("Plan my day")
    # the first plan starts at the first favourite's venue; plan again from the old quarter in the rush hour
    expect(page.locator(".plan-stop")).to_have_count(3)
    page.get_by_label("Start from").select_option("hang-buom-22")
    page.get_by_label("At", exact=True).fill("07:30")
    page.get_by_label("Travel by").select_option("car")
    page.get_by_role("button", name="Make the plan").click()
    expect(page.locator("#plan-source")).to_have_class("plan-source is-device")
    expect(page.locator("#plan-source")).to_contain_text("Estimate made on this phone (offline)")
    stops = page.locator(".plan-stop")
    expect(stops).to_have_count(3)
    assert stops.evaluate_all("ss => ss.map(s => s.dataset.stop)") == FAVOURITES
    expect(stops.first).to_contain_text("09:00–11:00")
    expect(page.locator(".plan-leg")).to_have_count(3)
    expect(page.locator(".plan-leg").first).to_contain_text("by taxi")
    expect(page.locator(".plan-summary")).to_contain_text("3 of 3 events")

    # drawn on the map: a line per leg, a numbered marker per stop, the start, on a plain background
    expect(page.locator("#plan-map path.plan-line")).to_have_count(3)
    expect(page.locator("#plan-map .stop-marker")).to_have_count(3)
    expect(page.locator("#plan-map .start-marker")).to_have_count(1)
    expect(page.locator("#plan-map")).to_have_class(re.compile(r"\bno-tiles\b"))

    # the phone's plan is the server's, to the second
    shown = page.evaluate(f"() => JSON.parse(sessionStorage.getItem('lehoi.plan.{DAY}'))")
    assert shown["computed"] == "device" and shown["engine"] == "estimate"
    request = {"start": "hang-buom-22", "start_at": f"{DAY}T07:30:00+07:00", "mode": "car", "events": FAVOURITES}
    server = httpx.post(live_server.url + "/api/itineraries", json=request, timeout=10).json()

    def essence(plan: dict) -> dict:
        from datetime import datetime

        at = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()  # noqa: E731
        return {
            "stops": [(s["id"], at(s["arrive_at"]), at(s["starts_at"]), at(s["leave_at"])) for s in plan["stops"]],
            "legs": [(leg["to_id"], leg["duration_s"], leg["distance_m"]) for leg in plan["legs"]],
            "unplaced": plan["unplaced"],
            "travel_s": plan["totals"]["travel_s"],
        }

    assert essence(shown) == essence(server)
    assert server["legs"][0]["duration_s"] > 40 * 60, "a taxi in the morning rush takes longer than off-peak"

    # and on the big map
    page.get_by_role("link", name="Show on the big map").click()
    expect(page.locator("h1")).to_have_text("Festival map")
    expect(page.locator("#map path.plan-line")).to_have_count(3)
    expect(page.locator("#map .stop-marker")).to_have_count(3)
    expect(page.locator("#map .venue-marker").first).to_be_visible()
    expect(page.locator("#map-note")).to_contain_text("Offline")
    assert not errors, errors


def test_a_plan_online_comes_from_the_server_and_lists_what_does_not_fit(phone, live_server) -> None:
    page = phone.new_page()
    first_visit(page, DAY)
    for event_id in FAVOURITES + ["det-lua-khung-cui-2024-11-13"]:  # Vạn Phúc 09:00-11:00: clashes with Bát Tràng
        favourite(page, event_id)
    decline_offers(page)
    page.goto(f"/#/plan/{DAY}")
    expect(page.locator("#plan-source")).to_contain_text("Planned by the server.")
    expect(page.locator(".plan-stop")).to_have_count(3)
    left_out = page.locator(".unplaced-list li")
    expect(left_out).to_have_count(1)
    expect(left_out).to_contain_text("clashes with another event of the plan")
    expect(page.locator("#plan-map path.plan-line")).to_have_count(3)

    # in Vietnamese too
    page.goto("/#/settings")
    page.locator("label.segment", has_text="Tiếng Việt").click()
    page.goto(f"/#/plan/{DAY}")
    expect(page.locator("h1")).to_have_text("Kế hoạch trong ngày")
    expect(page.locator(".unplaced-list li")).to_contain_text("trùng giờ với một sự kiện khác")


def test_my_schedule_warns_when_the_travel_does_not_fit(phone) -> None:
    page = phone.new_page()
    day = "2024-11-12"
    first_visit(page, day)
    # the State Bank until 18:00, then the citadel (Ba Đình) at 18:00: 27 minutes on foot, no time between
    favourite(page, "ngan-hang-dong-duong-2024-11-12")
    favourite(page, "giai-ma-hoang-thanh-dem-2024-11-12")
    decline_offers(page)
    page.get_by_role("link", name="My schedule").click()
    leg = page.locator(".travel-leg")
    expect(leg).to_have_count(1)
    expect(leg).to_have_class("travel-leg is-tight")
    expect(leg).to_contain_text("Not enough time")
    expect(page.locator(".banner-warn", has_text="too short for the travel")).to_be_visible()
    page.get_by_label("Travel between events").focus()  # as a tap on it would
    page.get_by_label("Travel between events").select_option("motorbike")
    expect(page.locator(".travel-leg")).to_contain_text("by motorbike taxi")
    expect(page.get_by_label("Travel between events")).to_be_focused()


#: Wednesday in the old quarter and around the Opera: walks the server draws along the streets
CENTRAL = ["kien-truc-hebrard", "den-long-giay", "toa-dam-art-deco-ha-noi"]


def test_a_plan_made_online_keeps_its_street_legs_offline(phone, live_server) -> None:
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    first_visit(page, DAY)
    for event_id in CENTRAL:
        favourite(page, event_id)
    decline_offers(page)
    page.goto(f"/#/plan/{DAY}")
    source = page.locator("#plan-source")
    expect(source).to_contain_text("Planned by the server.")
    expect(source).to_contain_text("Along streets (© OpenStreetMap contributors)")
    expect(page.locator(".plan-stop")).to_have_count(3)
    expect(page.locator(".plan-leg").nth(1)).to_contain_text("on foot")
    lines = page.locator("#plan-map path.plan-line:not(.is-straight)")
    expect(lines).to_have_count(3)
    online = lines.evaluate_all("ls => ls.map(l => l.getAttribute('d'))")
    assert max(d.count("L") for d in online) >= 5, "the walks follow the streets"

    # with no signal, and a new session (the tab's storage gone), the same plan and its lines
    phone.set_offline(True)
    page.evaluate("() => sessionStorage.clear()")
    page.reload()
    expect(page.locator("h1")).to_have_text("Plan my day")
    expect(source).to_contain_text("Kept on this phone since it was made online.")
    expect(source).not_to_have_class(re.compile(r"\bis-device\b"))
    expect(page.locator(".plan-stop")).to_have_count(3)
    expect(lines).to_have_count(3)
    assert lines.evaluate_all("ls => ls.map(l => l.getAttribute('d'))") == online

    # another start: the phone plans it, straight lines and the estimate's label
    page.get_by_label("At", exact=True).fill("09:30")
    page.get_by_role("button", name="Make the plan").click()
    expect(source).to_contain_text("Estimate made on this phone (offline)")
    page.get_by_role("link", name="Show on the big map").click()
    expect(page.locator("#map path.plan-line")).to_have_count(3)
    assert not errors, errors


#: Tuesday at 10:00 (the suite's festival clock): the Hỏa Lò talk (09:30-11:00) is under way, the Bát Tràng
#: workshop (8 km out) starts at 14:00
TODAY = "2024-11-12"
TALK, WORKSHOP = "ky-uc-do-thi-bao-tang", "ve-gom-men-lam"
HOA_LO = {"latitude": 21.02532, "longitude": 105.84647}


def star_today(page: Page) -> None:
    first_visit(page, TODAY)
    for event_id in (TALK, WORKSHOP):
        page.evaluate("id => window.lehoi.app.toggleFavourite(id)", event_id)
    page.wait_for_function(SETTLED, timeout=20_000)


def expect_the_day_from_the_talk(page: Page) -> None:
    """The talk is attended until 11:00, the time until leaving for Bát Tràng is free, and nothing is missed."""
    expect(page.locator(".plan-summary")).to_contain_text("2 of 2 events")
    attended = page.locator(".plan-attended")
    expect(attended).to_have_attribute("data-attended", TALK)
    expect(attended).to_contain_text("Attending until 11:00")
    expect(page.locator(".unplaced-list li")).to_have_count(0)
    free = page.locator(".plan-free")
    expect(free).to_have_count(1)
    expect(free).to_contain_text("Free time 11:00–")
    # something to do near Hỏa Lò (the State Bank's exhibition, 600 m away), or a suggestion when nothing is open
    expect(free.locator(".plan-nearby li").first).to_be_visible()
    stop = page.locator(".plan-stop")
    expect(stop).to_have_count(1)
    expect(stop).to_have_attribute("data-stop", WORKSHOP)
    expect(stop).to_contain_text("Arrive 13:50, wait 10 min")
    items = page.locator(".plan-list > li").evaluate_all("ls => ls.map(l => l.className)")
    assert items == ["plan-attended", "plan-free", "plan-leg", "plan-stop"], items


def phone_context(browser, live_server, **more):
    """A phone as the `phone` fixture makes it, with geolocation settings of its own."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="en-GB", base_url=live_server.url, **more
    )
    context.set_default_timeout(10_000)
    return context


def test_a_plan_refused_the_location_starts_at_the_event_under_way(browser, live_server) -> None:
    context = phone_context(browser, live_server)  # no permission: the browser refuses the position
    try:
        page = context.new_page()
        star_today(page)
        page.goto(f"/#/plan/{TODAY}")
        expect(page.locator("#plan-status")).to_contain_text("Choose a venue to start from instead.")
        expect(page.get_by_label("Start from")).to_have_value("hoa-lo")
        picked = page.get_by_label("Start from").locator("option:checked")
        expect(picked).to_contain_text("(you are at: Talk: urban memory")
        expect_the_day_from_the_talk(page)
    finally:
        context.close()


def test_a_plan_starts_where_the_phone_is(browser, live_server) -> None:
    context = phone_context(browser, live_server, geolocation=HOA_LO, permissions=["geolocation"])
    try:
        page = context.new_page()
        star_today(page)
        page.goto(f"/#/plan/{TODAY}")
        expect(page.get_by_label("Start from")).to_have_value("@me")
        expect_the_day_from_the_talk(page)
        expect(page.locator("#plan-status")).to_have_text("")

        # from the cathedral's square instead (700 m off): the talk is under way without you, and the plan starts now
        context.set_geolocation({"latitude": 21.02878, "longitude": 105.84905})
        page.evaluate("() => sessionStorage.clear()")
        page.reload()
        expect(page.locator(".plan-start")).to_contain_text("Start: your location, 10:00")
        expect(page.locator(".unplaced-list li")).to_contain_text("already under way, and you are not there")
        expect(page.locator(".plan-stop")).to_have_attribute("data-stop", WORKSHOP)
    finally:
        context.close()
