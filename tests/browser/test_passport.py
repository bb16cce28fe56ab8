"""The stamp passport (issue "QR check-ins", point 6): a venue poster's stamp token, collected offline, is checked
on the phone, kept, and reaches the server as a `stamp.collect` mutation once online."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.test_pass import READ_META

pytestmark = pytest.mark.browser


def stamp_token(live_server, venue_id: str) -> str:
    """A poster's S1 token, signed with the server's own key (as `lehoi posters` prints it)."""
    from server.checkin.keys import KeyRing
    from server.checkin.tokens import issue_stamp

    ring = KeyRing.load(
        live_server.data_dir / "keys", live_server.env.get("LEHOI_SIGNING_KEYS", ""), now=datetime.now(UTC)
    )
    return issue_stamp(ring, venue_id=venue_id, now=datetime(2024, 11, 10, tzinfo=UTC))


def test_a_stamp_collected_offline_reaches_the_servers_passport(phone, live_server) -> None:
    token = stamp_token(live_server, "van-mieu")
    page = phone.new_page()
    page.goto("/#/passport")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null && window.lehoi.app.deviceId")
    expect(page.get_by_role("progressbar", name="Stamps collected")).to_have_attribute("aria-valuenow", "0")

    phone.set_offline(True)
    page.get_by_text("Cannot scan? Type the poster’s code").click()
    field = page.get_by_label("The poster’s code (starts with S1.)")
    collect = page.get_by_role("button", name="Collect the stamp")
    field.fill(token[:-3] + "AAA")
    collect.click()
    expect(page.locator("#stamp-result")).to_have_text("This is not a festival poster code")
    field.fill(token)
    collect.click()
    expect(page.locator("#stamp-result")).to_have_text("Stamp collected: Temple of Literature")
    expect(page.get_by_role("progressbar", name="Stamps collected")).to_have_attribute("aria-valuenow", "1")
    expect(page.locator(".stamp")).to_contain_text(["Temple of Literature"])
    expect(page.locator(".stamp")).to_contain_text(["not sent yet"])
    field.fill(token)
    collect.click()
    expect(page.locator("#stamp-result")).to_have_text("You already have the Temple of Literature stamp")

    phone.set_offline(False)
    page.evaluate("() => window.lehoi.sync.run()")
    page.wait_for_function("() => window.lehoi.sync.status.pending === 0 && !window.lehoi.sync.running")
    device = page.evaluate(READ_META, "device")
    passport = httpx.get(
        f"{live_server.url}/api/me/stamps", headers={"Authorization": f"Bearer {device['token']}"}, timeout=10
    ).json()
    assert [s["venue_id"] for s in passport["stamps"]] == ["van-mieu"]
    expect(page.locator(".stamp")).not_to_contain_text(["not sent yet"])
