"""Two doors, one pass (issue "Field fixes", point 1). An online volunteer's phone asks the server for the verdict,
so a pass let in at one entrance is refused at the next; only when the server gives no answer in time does the
phone judge offline, saying so on the verdict, and queue the scan; an offline verdict the server overrules at upload
(another entrance had let the pass in) raises an alert that stays until the volunteer dismisses it. A refusal of
the server's own (a revoked phone) is shown as such, never replaced by an offline verdict."""

from __future__ import annotations

import uuid
from datetime import datetime

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.checkin_support import ZONE, enrolment_code, new_pass, scans, scans_arrived, volunteer

pytestmark = pytest.mark.browser

VENUE = "bat-trang"


def uploaded_scans(page: Page) -> list[str]:
    """The ids of the `checkin.scan` mutations the page uploads from now on (the list fills as it does)."""
    ids: list[str] = []

    def seen(request) -> None:
        if request.method == "POST" and request.url.endswith("/api/sync/push"):
            ids.extend(m["id"] for m in request.post_data_json["mutations"] if m["name"] == "checkin.scan")

    page.on("request", seen)
    return ids


def scan_with_camera(page: Page) -> None:
    """Start the camera, wait for the verdict on the pass it shows, and stop it (a code that stayed in view could
    count again on a machine too busy to decode it for a moment)."""
    page.get_by_role("button", name="Start scanning").click()
    expect(page.locator("#verdict")).to_have_attribute("data-checked", "server")
    page.get_by_role("button", name="Stop camera").click()


def type_code(page: Page, token: str) -> None:
    page.locator("details.disclosure").evaluate("(details) => { details.open = true; }")
    page.get_by_label("Pass code (starts with P1.)").fill(token)
    page.get_by_role("button", name="Check").click()


def local_time(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(ZONE).strftime("%H:%M")


def test_a_pass_let_in_at_one_door_is_refused_at_the_next_and_an_offline_double_is_an_alert(
    camera_browser, live_server, attendee
) -> None:
    url = live_server.url
    organiser = live_server.organiser()
    code = enrolment_code(url, organiser, [VENUE])
    first, door_a, a_id = volunteer(camera_browser, live_server, code)
    second, door_b, b_id = volunteer(camera_browser, live_server, code)
    try:
        uploads_a, uploads_b = uploaded_scans(door_a), uploaded_scans(door_b)
        verdict_a, verdict_b = door_a.locator("#verdict"), door_b.locator("#verdict")

        # A lets the pass in, on the server's word
        scan_with_camera(door_a)
        expect(verdict_a).to_have_attribute("data-verdict", "accepted")
        expect(verdict_a).not_to_contain_text("Offline check")
        expect(door_a.locator("#scan-log li").first).to_contain_text("Checked by the server")

        # B, online too, asks the server, which knows A let the pass in: the big panel refuses it, not green
        scan_with_camera(door_b)
        expect(verdict_b).to_have_attribute("data-verdict", "rejected")
        expect(verdict_b).to_have_attribute("data-reason", "already_checked_in")
        expect(verdict_b).to_have_class("verdict verdict-warn")
        expect(verdict_b).to_contain_text("Already in")
        expect(verdict_b).not_to_contain_text("Offline check")
        expect(door_b.locator(".camera-overlay")).to_have_class("camera-overlay overlay-warn")

        # both were judged by the server and recorded there, once each: nothing was queued to upload
        recorded = {
            r["device_id"]: r for r in scans(url, organiser, venue=VENUE) if r["pass_id"] == attendee["pass_id"]
        }
        assert (recorded[a_id]["id"], recorded[a_id]["status"], recorded[a_id]["offline"]) == (
            verdict_a.get_attribute("data-scan"),
            "accepted",
            False,
        )
        assert (
            recorded[b_id]["status"],
            recorded[b_id]["reason"],
            recorded[b_id]["offline"],
            recorded[b_id]["conflicts"],
        ) == ("rejected", "already_checked_in", False, [])
        expect(door_b.locator("#outbox-badge")).to_have_text("All sent")

        # B loses its signal: its own check says so, and remembers what the server said of this pass
        second.set_offline(True)
        expect(door_b.locator("#occupancy")).to_contain_text("when online")
        type_code(door_b, attendee["token"])
        expect(verdict_b).to_have_attribute("data-checked", "phone")
        expect(verdict_b).to_have_attribute("data-reason", "already_checked_in")
        expect(verdict_b).to_contain_text("Offline check")

        # A lets another pass in, online; B, offline, cannot know it and lets it in too, labelled an offline check
        other = new_pass(url)
        type_code(door_a, other["token"])
        expect(verdict_a).to_contain_text(other["pass_id"])
        expect(verdict_a).to_have_attribute("data-verdict", "accepted")
        type_code(door_b, other["token"])
        expect(verdict_b).to_contain_text(other["pass_id"])
        expect(verdict_b).to_have_attribute("data-verdict", "accepted")
        expect(verdict_b).to_have_attribute("data-checked", "phone")
        expect(verdict_b).to_contain_text("Offline check")
        expect(door_b.locator(".camera-overlay")).to_contain_text("Offline check")
        expect(door_b.locator("#outbox-badge")).to_have_text("2 to send")
        alerts = door_b.locator("#scan-alerts [role=alert]")
        expect(alerts).to_have_count(0)

        # back online, the upload finds the pass let in twice: an alert that names the pass and the time
        second.set_offline(False)
        expect(door_b.locator("#outbox-badge")).to_have_text("All sent")
        expect(alerts).to_have_count(1)
        expect(alerts).to_contain_text(other["pass_id"])
        expect(alerts).to_contain_text("another entrance")
        [double] = [r for r in scans(url, organiser, device=b_id) if r["pass_id"] == other["pass_id"]]
        assert (
            double["status"],
            double["reason"],
            double["conflicts"],
            double["offline"],
            double["verdict_shown"],
        ) == ("rejected", "already_checked_in", ["double_scan"], True, "accepted")
        expect(alerts).to_contain_text(local_time(double["scanned_at"]))
        assert set(uploads_b) == {r["id"] for r in scans(url, organiser, device=b_id) if r["offline"]}
        assert uploads_a == []

        # it stays until dismissed, whatever the phone does meanwhile
        door_b.reload()
        expect(door_b.get_by_role("heading", name="Scan passes")).to_be_visible()
        expect(alerts).to_have_count(1)
        door_b.get_by_role("button", name=f"Dismiss the alert about pass {other['pass_id']}").click()
        expect(alerts).to_have_count(0)
        door_b.reload()
        expect(door_b.locator("#scan-log li")).to_have_count(3)
        expect(alerts).to_have_count(0)
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("trouble", ["no answer", "no connection", "503", "429"])
def test_without_the_servers_answer_in_time_the_phone_judges_offline_and_queues_the_scan(
    camera_browser, live_server, trouble
) -> None:
    url = live_server.url
    organiser = live_server.organiser()
    context, page, device_id = volunteer(camera_browser, live_server, enrolment_code(url, organiser, [VENUE]))

    def answer(route: Route) -> None:
        if trouble == "no answer":
            return  # never answered: the phone stops waiting
        if trouble == "no connection":
            route.abort("internetdisconnected")
        else:
            route.fulfill(status=int(trouble), json={"status_code": int(trouble), "detail": "busy"})

    try:
        page.route("**/api/checkins", answer)
        issued = new_pass(url)
        type_code(page, issued["token"])
        verdict = page.locator("#verdict")
        expect(verdict).to_have_attribute("data-checked", "phone")
        expect(verdict).to_have_attribute("data-verdict", "accepted")
        expect(verdict).to_contain_text("Offline check")
        # the scan goes up through the outbox, under the same scan id, flagged as judged offline
        expect(page.locator("#outbox-badge")).to_have_text("All sent")
        assert [
            (r["id"], r["status"], r["offline"], r["verdict_shown"])
            for r in scans_arrived(url, organiser, 1, device=device_id)
        ] == [(verdict.get_attribute("data-scan"), "accepted", True, "accepted")]
    finally:
        context.close()


def test_a_verdict_the_phone_stopped_waiting_for_still_reaches_it(camera_browser, live_server) -> None:
    """The server recorded the scan, refusing it, but its answer came too late: the phone let the person in on its
    own check and queued the scan under the same id; the upload answers `duplicate` with the verdict recorded, and
    the alert is raised all the same."""
    url = live_server.url
    organiser = live_server.organiser()
    code = enrolment_code(url, organiser, [VENUE])
    issued = new_pass(url)
    # another entrance, a phone of the API's, lets the pass in first
    other_door = httpx.post(f"{url}/api/volunteers/enrol", json={"code": code}, timeout=10).json()
    admitted = httpx.post(
        f"{url}/api/checkins",
        headers={"Authorization": f"Bearer {other_door['token']}"},
        timeout=10,
        json={
            "id": str(uuid.uuid4()),
            "pass_token": issued["token"],
            "venue_id": VENUE,
            "scanned_at": "2024-11-12T10:00:00+07:00",
        },
    )
    assert admitted.json()["status"] == "accepted", admitted.text
    context, page, device_id = volunteer(camera_browser, live_server, code)
    reached: list[int] = []
    held: list[Route] = []

    def too_late(route: Route) -> None:
        reached.append(route.fetch().status)  # the server judges and records it; the phone never hears
        for upload in held:
            upload.continue_()

    def after_the_server_judged(route: Route) -> None:
        # on a busy machine the phone could give up and upload before the server even saw the online check
        if reached:
            route.continue_()
        else:
            held.append(route)

    try:
        page.route("**/api/checkins", too_late)
        page.route("**/api/sync/push", after_the_server_judged)
        type_code(page, issued["token"])
        verdict = page.locator("#verdict")
        expect(verdict).to_have_attribute("data-checked", "phone")
        expect(verdict).to_have_attribute("data-verdict", "accepted")
        expect(page.locator("#outbox-badge")).to_have_text("All sent")
        alert = page.locator("#scan-alerts [role=alert]")
        expect(alert).to_contain_text(issued["pass_id"])
        expect(alert).to_contain_text("already been let in here today")
        assert reached == [200]
        # recorded once, as the server judged it when it arrived online
        assert [(r["id"], r["status"], r["reason"], r["offline"]) for r in scans(url, organiser, device=device_id)] == [
            (verdict.get_attribute("data-scan"), "rejected", "already_checked_in", False)
        ]
    finally:
        context.close()


def test_a_phone_the_server_refuses_shows_the_refusal_and_judges_nothing(camera_browser, live_server) -> None:
    url = live_server.url
    organiser = live_server.organiser()
    context, page, device_id = volunteer(camera_browser, live_server, enrolment_code(url, organiser, [VENUE]))
    try:
        revoked = httpx.post(f"{url}/api/organiser/volunteers/{device_id}/revoke", headers=organiser, timeout=10)
        assert revoked.status_code == 200, revoked.text
        issued = new_pass(url)
        type_code(page, issued["token"])
        verdict = page.locator("#verdict")
        expect(verdict).to_have_attribute("data-verdict", "refused")
        expect(verdict).to_have_attribute("data-reason", "phone_revoked")
        expect(verdict).to_have_class("verdict verdict-rejected")
        expect(verdict).to_contain_text("Server refused")
        expect(verdict).to_contain_text("This phone may no longer check passes")
        expect(verdict).not_to_contain_text("Offline check")
        # no verdict of the phone's instead, nothing queued, nothing recorded; the code stays to try again
        expect(page.get_by_label("Pass code (starts with P1.)")).to_have_value(issued["token"])
        expect(page.locator("#outbox-badge")).to_have_text("All sent")
        expect(page.locator("#scan-log li")).to_have_text(["No scans yet."])
        assert scans(url, organiser, device=device_id) == []
    finally:
        context.close()
