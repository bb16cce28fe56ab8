"""/admin (piccolo-admin) works under its Content-Security-Policy: an organiser signs in, and the
`csp_violations` watcher of conftest.py fails the test on anything the policy refused."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.support.live_server import LiveServer

EMAIL, PASSWORD = LiveServer.ORGANISER


def test_an_organiser_uses_admin_under_its_policy(phone, live_server) -> None:
    live_server.organiser()  # creates the organiser account
    page = phone.new_page()
    response = page.goto("/admin/")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    page.locator("input[name=username]").fill(EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Login").click()
    expect(page.get_by_text("Welcome to lehoi admin")).to_be_visible()
