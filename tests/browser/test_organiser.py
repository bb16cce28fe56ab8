"""The organisers' screen (issue "QR check-ins", point 7, and "Push", point 6): sign in, send an alert and watch its
delivery counts, the live check-in dashboard with its chart, and a volunteer enrolment code with its QR code."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.checkin_support import enrolment_code, new_pass
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = LiveServer.ORGANISER


def test_an_organiser_sends_an_alert_follows_check_ins_and_makes_an_enrolment_code(phone, live_server) -> None:
    organiser = live_server.organiser()  # creates the organiser account
    # one check-in today, made at a gate through the API
    code = enrolment_code(live_server.url, organiser, ["nha-hat-lon"])
    gate = httpx.post(f"{live_server.url}/api/volunteers/enrol", json={"code": code}, timeout=10).json()
    attendee = new_pass(live_server.url)
    scanned_at = "2024-11-12T10:00:00+07:00"  # the server's frozen clock
    checked = httpx.post(f"{live_server.url}/api/checkins", headers={"Authorization": f"Bearer {gate['token']}"},
                         json={"id": "01932f3c-0000-7000-8000-000000000001", "pass_token": attendee["token"],
                               "venue_id": "nha-hat-lon", "scanned_at": scanned_at}, timeout=10)
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
    totals = httpx.get(f"{live_server.url}/api/organiser/stats/checkins?by=venue&day=2024-11-12", headers=organiser,
                       timeout=10).json()["totals"]
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
