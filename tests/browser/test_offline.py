"""Offline first (issue "Offline first", point 5): after one visit online, the phone works with no signal,
and every favourite made offline reaches the server exactly as left, even across a server restart."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
DEMO = json.loads((ROOT / "fixtures" / "hcdf2024.json").read_text())
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

pytestmark = pytest.mark.browser


def local_day(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(ZONE).date().isoformat()


def events_on(day: str) -> list[dict]:
    found = [e for e in DEMO["events"] if local_day(e["starts_at"]) <= day <= local_day(e["ends_at"])]
    return sorted(found, key=lambda e: (datetime.fromisoformat(e["starts_at"]), e["id"]))


def in_time_order(ids: set[str]) -> list[str]:
    chosen = [e for e in DEMO["events"] if e["id"] in ids]
    return [e["id"] for e in sorted(chosen, key=lambda e: (datetime.fromisoformat(e["starts_at"]), e["id"]))]


READ_DEVICE = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open('lehoi');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const db = open.result;
    const get = db.transaction('meta').objectStore('meta').get('device');
    get.onsuccess = () => { db.close(); resolve(get.result || null); };
    get.onerror = () => reject(get.error);
  };
})"""

SETTLED = """() => {
  const l = window.lehoi;
  return Boolean(l && l.app.writing === 0 && l.app.deviceId && l.sync.status.lastSyncedAt && !l.sync.status.syncing
    && !l.sync.running && l.sync.status.pending === 0);
}"""


def first_visit(page: Page, hash_: str = "#/day/2024-11-12") -> dict:
    """Open the app online, wait until the service worker controls it and the first sync is over."""
    page.goto("/" + hash_)
    expect(page.locator(".event-card").first).to_be_visible()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function(SETTLED)
    device = page.evaluate(READ_DEVICE)
    assert device and device["token"], device
    return device


def settle(page: Page) -> None:
    page.wait_for_function(SETTLED, timeout=20_000)


def card(page: Page, event_id: str):
    return page.locator(f'.event-card[data-event="{event_id}"]')


def toggle(page: Page, event_id: str, on: bool) -> None:
    button = card(page, event_id).locator("button.fav")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true" if on else "false")


def schedule_ids(page: Page, link: str = "My schedule") -> list[str]:
    """Open My schedule and read its cards once the screen has drawn (the heading alone comes first)."""
    page.get_by_role("link", name=link).click()
    expect(page.locator("h1")).to_have_text(link)
    expect(page.locator(".schedule")).to_be_visible()
    return page.locator(".schedule .event-card").evaluate_all("cards => cards.map(c => c.dataset.event)")


def test_offline_programme_event_page_and_schedule(phone, live_server) -> None:
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    device = first_visit(page)
    assert live_server.me(device["token"])["favourites"] == []

    phone.set_offline(True)
    page.reload()
    expect(page.locator("#status")).to_contain_text("Offline")
    expect(page.locator("#offline-banner")).to_be_visible()

    # The programme by day, straight from IndexedDB.
    day12 = events_on("2024-11-12")
    expect(page.locator(".event-card")).to_have_count(len(day12))
    page.get_by_role("link", name=re.compile("Sat 16 Nov")).click()
    expect(page).to_have_url(re.compile(r"#/day/2024-11-16$"))
    day16 = events_on("2024-11-16")
    expect(page.locator(".event-card")).to_have_count(len(day16))
    assert page.locator(".event-card").evaluate_all("cs => cs.map(c => c.dataset.event)") == [e["id"] for e in day16]

    # Search ignores diacritics, offline too.
    page.get_by_label("Search events and venues").fill("bat trang")
    expect(page.locator(".venue-card").first).to_contain_text("Bát Tràng ceramic village")
    page.get_by_label("Search events and venues").fill("")

    # Filters.
    page.get_by_label("Category").select_option("workshop")
    expected = [e["id"] for e in day16 if e["category"] == "workshop"]
    expect(page.locator(".event-card")).to_have_count(len(expected))
    page.get_by_label("Category").select_option("")

    # An event page, and a favourite made there.
    first = day16[0]
    card(page, first["id"]).get_by_role("link").click()
    expect(page.locator("h1")).to_have_text(first["title"]["en"])
    big = page.locator("button.btn-fav")
    expect(big).to_have_attribute("aria-pressed", "false")
    big.click()
    expect(big).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("link", name=re.compile("calendar"))).to_have_attribute(
        "href", f"/api/events/{first['id']}.ics"
    )

    # The event page also opens from a cold start offline.
    page.reload()
    expect(page.locator("h1")).to_have_text(first["title"]["en"])
    expect(page.locator("button.btn-fav")).to_have_attribute("aria-pressed", "true")

    # Favourite and unfavourite from the day list.
    page.goto("/#/day/2024-11-12")
    a, b, c = (e["id"] for e in day12[:3])
    toggle(page, a, True)
    toggle(page, b, True)
    toggle(page, c, True)
    toggle(page, b, False)
    final = {first["id"], a, c}

    assert schedule_ids(page) == in_time_order(final)
    assert page.evaluate("window.lehoi.sync.status.pending") == 5
    assert live_server.me(device["token"])["favourites"] == []  # nothing reached the server yet

    # The favourites survive a reload offline, then reach the server once online.
    page.reload()
    expect(page.locator(".schedule .event-card")).to_have_count(3)
    phone.set_offline(False)
    settle(page)
    expect(page.locator("#status")).not_to_contain_text("Offline")
    assert sorted(live_server.me(device["token"])["favourites"]) == sorted(final)
    assert schedule_ids(page) == in_time_order(final)
    assert errors == []


def test_offline_changes_survive_a_server_restart(phone, live_server) -> None:
    page = phone.new_page()
    device = first_visit(page, "#/day/2024-11-10")
    day10 = [e["id"] for e in events_on("2024-11-10")]
    a, b, c, d = day10[2:6]

    # Online first: two favourites reach the server.
    toggle(page, a, True)
    toggle(page, b, True)
    settle(page)
    assert sorted(live_server.me(device["token"])["favourites"]) == sorted([a, b])

    # Offline: unfavourite one, add one, add and drop another, switch the language.
    phone.set_offline(True)
    page.reload()
    expect(page.locator("#status")).to_contain_text("Offline")
    toggle(page, a, False)
    toggle(page, c, True)
    toggle(page, d, True)
    toggle(page, d, False)
    page.get_by_role("link", name="Settings").click()
    page.get_by_label("Tiếng Việt").check()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("link", name="Lịch của tôi")).to_be_visible()
    page.get_by_label("Nhắc trước khi sự kiện bắt đầu").select_option("30")
    expect(page.get_by_label("Tiếng Việt")).to_be_checked()

    # The server restarts while the phone is offline.
    live_server.restart()
    assert sorted(live_server.me(device["token"])["favourites"]) == sorted([a, b])

    phone.set_offline(False)
    settle(page)
    me = live_server.me(device["token"])
    assert sorted(me["favourites"]) == sorted([b, c])
    assert me["settings"]["lang"] == "vi"
    assert me["settings"]["reminder_minutes"] == 30
    assert schedule_ids(page, "Lịch của tôi") == in_time_order({b, c})


def test_two_tabs_show_the_same_favourites_and_the_calendar_file_works_offline(phone, live_server) -> None:
    first = phone.new_page()
    device = first_visit(first, "#/day/2024-11-15")
    second = phone.new_page()
    second.goto("/#/day/2024-11-15")
    expect(second.locator(".event-card").first).to_be_visible()
    event = events_on("2024-11-15")[0]

    phone.set_offline(True)
    toggle(first, event["id"], True)
    expect(card(second, event["id"]).locator("button.fav")).to_have_attribute("aria-pressed", "true")

    # The .ics file, made on the phone while offline.
    card(second, event["id"]).get_by_role("link").click()
    with second.expect_download() as download:
        second.get_by_role("link", name=re.compile("calendar")).click()
    text = Path(download.value.path()).read_bytes().decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.rstrip().endswith("END:VCALENDAR")
    start = datetime.fromisoformat(event["starts_at"]).astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start}" in text and "SUMMARY:" in text
    # the UID of the server's file of the event: a calendar given both keeps one entry
    served = httpx.get(f"{live_server.url}/api/events/{event['id']}.ics", timeout=10)
    assert served.status_code == 200, served.text
    uid = re.search(r"^UID:(\S+)\r?$", served.text, re.M).group(1)
    assert re.findall(r"^UID:(\S+)\r$", text, re.M) == [uid] == [f"{event['id']}@lehoi"]

    phone.set_offline(False)
    settle(first)
    assert live_server.me(device["token"])["favourites"] == [event["id"]]


def test_sync_now_without_a_connection_says_so(phone) -> None:
    page = phone.new_page()
    first_visit(page)
    page.goto("/#/settings")
    phone.set_offline(True)
    try:
        page.get_by_role("button", name="Sync now").click()
        expect(page.locator("#sync-message")).to_have_text("No connection: the app syncs by itself when it is back.")
    finally:
        phone.set_offline(False)
