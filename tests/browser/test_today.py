"""The programme opens on today's tab while the festival is on, else on its first day. "Today" is the festival
clock: the server's (X-Lehoi-Now, so a demo of 2024 looks live) when it says, else the phone's."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.test_offline import settle

pytestmark = pytest.mark.browser
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def server_day(live_server) -> str | None:
    now = httpx.get(live_server.url + "/api/festival", timeout=10).headers.get("x-lehoi-now")
    return datetime.fromisoformat(now).astimezone(ZONE).date().isoformat() if now else None


@pytest.mark.parametrize(
    "phone_time",
    [
        datetime(2024, 11, 14, 9, 0, tzinfo=ZONE),
        datetime(2025, 3, 1, 9, 0, tzinfo=ZONE),  # after the festival
    ],
)
def test_the_programme_opens_on_the_festival_day(phone, live_server, phone_time) -> None:
    page = phone.new_page()
    page.clock.set_fixed_time(phone_time)
    page.goto("/")
    expect(page.locator(".event-card").first).to_be_visible()
    settle(page)
    today = server_day(live_server) or phone_time.date().isoformat()
    during = "2024-11-09" <= today <= "2024-11-17"
    expected = today if during else "2024-11-09"
    expect(page.locator(".day[aria-current=page]")).to_have_attribute("href", f"#/day/{expected}")
    if during:
        expect(page.locator(".day.is-today")).to_have_attribute("href", f"#/day/{today}")
    else:
        expect(page.locator(".day.is-today")).to_have_count(0)
    expect(page.locator(".results h2")).to_have_text(datetime.fromisoformat(expected).strftime("%A %-d %B"))


def test_the_servers_clock_wins_over_the_phones(browser, live_server) -> None:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="en-GB", base_url=live_server.url, service_workers="block"
    )
    try:
        page = context.new_page()
        page.clock.set_fixed_time(datetime(2025, 3, 1, 9, 0, tzinfo=ZONE))

        def with_server_clock(route) -> None:
            response = route.fetch()
            headers = {k: v for k, v in response.headers.items() if k not in ("content-encoding", "content-length")}
            route.fulfill(response=response, headers={**headers, "x-lehoi-now": "2024-11-15T20:30:00+07:00"})

        page.route("**/api/**", with_server_clock)
        page.goto("/")
        expect(page.locator(".event-card").first).to_be_visible()
        settle(page)
        expect(page.locator(".day[aria-current=page]")).to_have_attribute("href", "#/day/2024-11-15")
        expect(page.locator(".day.is-today")).to_have_attribute("href", "#/day/2024-11-15")
    finally:
        context.close()


def test_another_day_keeps_the_filters(phone) -> None:
    page = phone.new_page()
    page.goto("/#/day/2024-11-12")
    expect(page.locator(".event-card").first).to_be_visible()
    page.select_option("#category", "workshop")
    page.locator('a.day[data-day="2024-11-16"]').click()
    expect(page).to_have_url(re.compile(r"#/day/2024-11-16\?category=workshop$"))
    expect(page.locator("#category")).to_have_value("workshop")
    expect(page.locator(".event-card").first).to_be_visible()


def test_the_chosen_day_is_in_view_in_the_strip_of_days(phone) -> None:
    """The days strip scrolls sideways to the day shown (its last day is past the edge of a 360 px screen), and
    only the strip: the page stays where it was."""
    page = phone.new_page()
    page.goto("/#/day/2024-11-17")
    expect(page.locator(".event-card").first).to_be_visible()
    settle(page)
    tab = page.locator(".day[aria-current=page]")
    expect(tab).to_have_attribute("href", "#/day/2024-11-17")
    expect(tab).to_be_in_viewport(ratio=1)
    assert page.locator(".days ul").evaluate("(strip) => strip.scrollLeft") > 0
    assert page.evaluate("window.scrollY") == 0
