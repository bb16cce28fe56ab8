"""Volunteer scanning (issue "QR check-ins", points 2 and 8): Chromium's camera plays a video of a real pass QR
code (made by the server), the volunteer's phone reads it with the jsQR fallback (Linux Chromium has no
BarcodeDetector), judges it offline and shows the verdict at once; back online, the scan reaches the server as a
`checkin.scan` mutation. Two volunteers scanning the same pass offline are both recorded, the later one flagged."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.checkin_support import enrolment_code, scans, volunteer

pytestmark = pytest.mark.browser


def scan_offline(context: BrowserContext, page: Page) -> None:
    """Offline, start the camera and wait for the verdict on the pass it shows."""
    context.set_offline(True)
    expect(page.locator("#occupancy")).to_contain_text("when online")
    page.get_by_role("button", name="Start scanning").click()
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "accepted")


def test_a_pass_scanned_offline_is_accepted_at_once_and_uploaded_when_back_online(
    camera_browser, live_server, attendee
) -> None:
    organiser = live_server.organiser()
    context, page, device_id = volunteer(
        camera_browser, live_server, enrolment_code(live_server.url, organiser, ["van-mieu"])
    )
    try:
        expect(page.locator("#outbox-badge")).to_have_text("All sent")
        scan_offline(context, page)
        verdict = page.locator("#verdict")
        expect(verdict).to_contain_text("Accepted")
        expect(verdict).to_contain_text(attendee["pass_id"])
        # the phone times each verdict from the camera frame that held the code (the speed is the benches' to
        # judge: a test on a loaded machine cannot)
        assert int(verdict.get_attribute("data-ms")) >= 0
        overlay = page.locator(".camera-overlay")
        expect(overlay).to_have_class("camera-overlay overlay-accepted")
        expect(overlay).to_contain_text("ACCEPTED", ignore_case=True)
        # the code stays in view: it is not scanned again
        page.wait_for_timeout(1500)
        expect(page.locator("#scan-log li")).to_have_count(1)
        expect(page.locator("#outbox-badge")).to_have_text("1 to send")
        assert scans(live_server.url, organiser, device=device_id) == []

        context.set_offline(False)
        expect(page.locator("#outbox-badge")).to_have_text("All sent")
        expect(page.locator("#scan-log li").first).to_contain_text("Sent")
        recorded = scans(live_server.url, organiser, device=device_id)
        assert [(r["pass_id"], r["venue_id"], r["status"], r["offline"], r["verdict_shown"]) for r in recorded] == [
            (attendee["pass_id"], "van-mieu", "accepted", True, "accepted")
        ]
        scan_id = page.locator("#verdict").get_attribute("data-scan")
        assert recorded[0]["id"] == scan_id  # the mutation id is the scan id
        # the venue's occupancy shows online, counting the person let in
        expect(page.locator("#occupancy")).to_contain_text("Inside now: 1 of 1500")
    finally:
        context.close()


def test_b_two_volunteers_scanning_one_pass_offline_are_both_recorded_and_one_is_flagged(
    camera_browser, live_server, attendee
) -> None:
    organiser = live_server.organiser()
    code = enrolment_code(live_server.url, organiser, ["hoa-lo"])
    first, first_page, first_id = volunteer(camera_browser, live_server, code)
    second, second_page, second_id = volunteer(camera_browser, live_server, code)
    try:
        # each gate, offline, knows only its own scans: both let the person in
        scan_offline(first, first_page)
        scan_offline(second, second_page)
        first.set_offline(False)
        expect(first_page.locator("#outbox-badge")).to_have_text("All sent")
        second.set_offline(False)
        expect(second_page.locator("#outbox-badge")).to_have_text("All sent")
        expect(second_page.locator("#scan-log li").first).to_contain_text("Also scanned at another entrance")

        recorded = scans(live_server.url, organiser, venue="hoa-lo")
        assert sorted(r["device_id"] for r in recorded) == sorted([first_id, second_id])
        assert {r["pass_id"] for r in recorded} == {attendee["pass_id"]}
        assert all(r["offline"] and r["verdict_shown"] == "accepted" for r in recorded)
        by_device = {r["device_id"]: r for r in recorded}
        assert (by_device[first_id]["status"], by_device[first_id]["conflicts"]) == ("accepted", [])
        assert (by_device[second_id]["status"], by_device[second_id]["reason"], by_device[second_id]["conflicts"]) == (
            "rejected",
            "already_checked_in",
            ["double_scan"],
        )
        flagged = scans(live_server.url, organiser, venue="hoa-lo", flagged="true")
        assert [r["device_id"] for r in flagged] == [second_id]
    finally:
        first.close()
        second.close()


def test_a_second_scan_at_the_same_gate_is_refused_offline_and_a_typed_code_works(
    camera_browser, live_server, attendee
) -> None:
    """The manual fallback: a typed (pasted) pass code gets the same verdicts; a repeat the same day is refused."""
    organiser = live_server.organiser()
    context, page, device_id = volunteer(
        camera_browser, live_server, enrolment_code(live_server.url, organiser, ["bao-tang-my-thuat"])
    )
    try:
        context.set_offline(True)
        page.get_by_text("Type a pass code").click()
        field = page.get_by_label("Pass code (starts with P1.)")
        field.fill(attendee["token"])
        page.get_by_role("button", name="Check").click()
        expect(page.locator("#verdict")).to_have_attribute("data-verdict", "accepted")
        field.fill(attendee["token"])
        page.get_by_role("button", name="Check").click()
        expect(page.locator("#verdict")).to_have_attribute("data-reason", "already_checked_in")
        expect(page.locator("#verdict")).to_contain_text("Already in")
        field.fill(attendee["token"][:-4] + "AAAA")
        page.get_by_role("button", name="Check").click()
        expect(page.locator("#verdict")).to_have_attribute("data-reason", "invalid_signature")
        expect(page.locator("#outbox-badge")).to_have_text("3 to send")
        context.set_offline(False)
        expect(page.locator("#outbox-badge")).to_have_text("All sent")
        recorded = sorted(scans(live_server.url, organiser, device=device_id), key=lambda r: r["scanned_at"])
        assert sorted((r["status"], r["reason"]) for r in recorded) == [
            ("accepted", None),
            ("rejected", "already_checked_in"),
            ("rejected", "invalid_signature"),
        ]
    finally:
        context.close()
