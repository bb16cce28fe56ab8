"""The organisers' screen (issue "QR check-ins", point 7, and "Push", point 6): sign in, send an alert and watch its
delivery counts, the live check-in dashboard with its chart, and a volunteer enrolment code with its QR code."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.checkin_support import enrolment_code, new_pass
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = LiveServer.ORGANISER
DEMO = json.loads((Path(__file__).resolve().parents[2] / "fixtures" / "hcdf2024.json").read_text())


def test_an_organiser_sends_an_alert_follows_check_ins_and_makes_an_enrolment_code(phone, live_server) -> None:
    organiser = live_server.organiser()  # creates the organiser account
    # one check-in today, made at a gate through the API
    code = enrolment_code(live_server.url, organiser, ["nha-hat-lon"])
    gate = httpx.post(f"{live_server.url}/api/volunteers/enrol", json={"code": code}, timeout=10).json()
    attendee = new_pass(live_server.url)
    scanned_at = "2024-11-12T10:00:00+07:00"  # the server's frozen clock
    checked = httpx.post(
        f"{live_server.url}/api/checkins",
        headers={"Authorization": f"Bearer {gate['token']}"},
        json={
            "id": "01932f3c-0000-7000-8000-000000000001",
            "pass_token": attendee["token"],
            "venue_id": "nha-hat-lon",
            "scanned_at": scanned_at,
        },
        timeout=10,
    )
    assert checked.status_code == 200 and checked.json()["status"] == "accepted", checked.text

    page = phone.new_page()
    page.clock.set_fixed_time(datetime.fromisoformat("2024-11-12T10:05:00+07:00"))
    page.goto("/#/organiser")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert").filter(has_text="Wrong email or password.")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {EMAIL}")).to_be_visible()

    # an alert to the followers of a topic, sent now: its delivery counts show
    page.get_by_label("Title (Vietnamese)").fill("Đổi giờ hoà nhạc")
    page.get_by_label("Title (English)").fill("Concert moved")
    page.get_by_label("Message (English)").fill("The concert starts at 20:00")
    page.get_by_label("Link opened on tap (optional)").fill("/#/venues/nha-hat-lon")
    page.locator("label.segment", has_text="Topics").click()
    page.get_by_role("list", name="Topics").get_by_label("Music").check()
    page.get_by_role("button", name="Send alert").click()
    card = page.locator(".delivery-card")
    expect(card).to_have_attribute("data-status", "done")
    expect(card).to_contain_text("Concert moved")
    alert_id = card.get_attribute("data-alert")
    shown = httpx.get(f"{live_server.url}/api/organiser/alerts/{alert_id}", headers=organiser, timeout=10).json()
    assert shown["target"] == {"topics": ["music"]} and shown["url"] == "/#/venues/nha-hat-lon"
    assert shown["body"] == {"vi": "", "en": "The concert starts at 20:00"}
    expect(card.locator("[data-count=sent]")).to_have_text(str(shown["counts"]["sent"]))
    expect(page.locator("#recent")).to_contain_text("Concert moved")

    # the dashboard: today's totals as the API counts them, the chart, the venue's row
    page.get_by_role("link", name="Check-ins").click()
    totals = httpx.get(
        f"{live_server.url}/api/organiser/stats/checkins?by=venue&day=2024-11-12", headers=organiser, timeout=10
    ).json()["totals"]
    expect(page.locator("[data-total=accepted]")).to_have_text(str(totals["accepted"]))
    expect(page.locator("#dash-chart .uplot")).to_be_visible()
    expect(page.locator("#dash-chart")).to_contain_text("Hanoi Opera House")
    expect(page.locator("tr[data-venue=nha-hat-lon] td").first).to_have_text("1")

    # an enrolment code: shown with its QR code, and it enrols a phone
    page.get_by_role("link", name="Volunteers").click()
    page.get_by_role("group", name="Venues").get_by_label("Temple of Literature").check()
    page.get_by_role("button", name="Create code").click()
    expect(page.get_by_role("img", name="QR code for volunteer enrolment")).to_be_visible()
    made = page.locator(".code-text").get_attribute("data-code")
    enrolled = httpx.post(f"{live_server.url}/api/volunteers/enrol", json={"code": made}, timeout=10)
    assert enrolled.status_code == 201 and enrolled.json()["venues"] == ["van-mieu"]


def signed_in(phone, live_server):
    """A page of the organisers' screen, signed in, at the festival's frozen 10:05 on Tuesday 12 November."""
    live_server.organiser()  # creates the organiser account
    page = phone.new_page()
    page.clock.set_fixed_time(datetime.fromisoformat("2024-11-12T10:05:00+07:00"))
    page.goto("/#/organiser")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {EMAIL}")).to_be_visible()
    return page


def test_ticks_survive_the_pickers_filter_and_the_events_start_today(phone, live_server) -> None:
    page = signed_in(phone, live_server)
    page.get_by_label("Title (Vietnamese)").fill("Xe buýt đưa đón")
    page.get_by_label("Title (English)").fill("Shuttle bus")

    # a venue ticked, then hidden by the filter while another is ticked: both stay chosen, and both get the alert
    page.locator("label.segment", has_text="Venues").click()
    venues = page.get_by_role("list", name="Venues")
    venues.get_by_label("Bát Tràng ceramic village").check()
    page.get_by_label("Filter venues").fill("van")
    expect(venues.get_by_label("Bát Tràng ceramic village")).to_have_count(0)
    venues.get_by_label("Vạn Phúc silk village").check()
    page.get_by_label("Filter venues").fill("")
    expect(venues.get_by_label("Bát Tràng ceramic village")).to_be_checked()
    expect(venues.get_by_label("Vạn Phúc silk village")).to_be_checked()
    venues.get_by_label("Bát Tràng ceramic village").uncheck()
    venues.get_by_label("Bát Tràng ceramic village").check()
    page.get_by_label("Filter venues").fill("van")

    # the events: from today on, in time order, and the list says it is cut
    page.locator("label.segment", has_text="Events").click()
    events = page.get_by_role("list", name="Events")
    expect(page.locator("#pick-note")).to_have_text("Showing 60 of 204 — type to filter")
    shown = events.locator("input").evaluate_all("inputs => inputs.map((i) => i.value)")
    assert len(shown) == 60
    starts = {e["id"]: e["starts_at"] for e in DEMO["events"]}
    ends = {e["id"]: e["ends_at"] for e in DEMO["events"]}
    assert all(ends[i] >= "2024-11-12" for i in shown), "an event of an earlier day comes before today's"
    assert starts[shown[0]].startswith("2024-11-12")
    assert [starts[i] for i in shown] == sorted(starts[i] for i in shown)
    first_day = min(DEMO["events"], key=lambda e: e["starts_at"])  # Saturday 9 November, not in the list
    assert first_day["id"] not in shown
    page.get_by_label("Filter events").fill(first_day["title"]["en"])
    expect(page.locator("#pick-note")).to_have_text("")
    events.get_by_label(first_day["title"]["en"]).first.check()
    page.get_by_label("Filter events").fill("")
    expect(page.locator("#pick-note")).to_have_text("Showing 60 of 204 — type to filter")

    # back to the venues: the ticks made there are still there, and they are what is sent
    page.locator("label.segment", has_text="Venues").click()
    expect(venues.get_by_label("Bát Tràng ceramic village")).to_be_checked()
    page.get_by_role("button", name="Send alert").click()
    card = page.locator(".delivery-card")
    expect(card).to_contain_text("Shuttle bus")
    sent = httpx.get(
        f"{live_server.url}/api/organiser/alerts/{card.get_attribute('data-alert')}",
        headers=live_server.organiser(),
        timeout=10,
    ).json()
    assert sorted(sent["target"]["venues"]) == ["bat-trang", "van-phuc"]


def test_a_cancelled_alert_does_not_say_it_was_sent(phone, live_server) -> None:
    page = signed_in(phone, live_server)
    page.get_by_label("Title (Vietnamese)").fill("Hẹn giờ")
    page.get_by_label("Title (English)").fill("Scheduled")
    page.locator("label.segment", has_text="Later").click()
    page.get_by_label("Send at (Hanoi time)").fill("2024-11-12T11:05")
    page.get_by_role("button", name="Send alert").click()
    card = page.locator(".delivery-card")
    expect(card).to_have_attribute("data-status", "scheduled")
    expect(card).to_contain_text("Scheduled for Tue 12 Nov 11:05")
    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="Cancel sending").click()
    expect(card).to_have_attribute("data-status", "cancelled")
    expect(card).to_contain_text("Cancelled; was to be sent Tue 12 Nov 11:05")
    expect(card).not_to_contain_text("Sent Tue")


def test_an_enrolment_code_breaks_only_between_its_groups(phone, live_server) -> None:
    page = signed_in(phone, live_server)  # 360 px wide
    page.get_by_role("link", name="Volunteers").click()
    page.get_by_role("group", name="Venues").get_by_label("Bát Tràng ceramic village").check()
    page.get_by_role("button", name="Create code").click()
    text = page.locator(".code-text")
    expect(text).to_be_visible()
    code = text.get_attribute("data-code")
    assert text.text_content() == "-".join(code[i : i + 4] for i in range(0, len(code), 4))
    # at 360 px, on one line: the text's boxes all share one top
    tops = text.evaluate("""p => { const range = document.createRange(); range.selectNodeContents(p);
      return [...new Set([...range.getClientRects()].map((r) => Math.round(r.top)))]; }""")
    assert len(tops) == 1, tops
    # a phone narrower still: the line breaks between groups, never inside one
    page.set_viewport_size({"width": 240, "height": 740})
    groups = text.locator(".code-group")
    expect(groups).to_have_count(4)
    assert groups.evaluate_all("gs => gs.map((g) => g.getClientRects().length)") == [1, 1, 1, 1]
