"""The volunteer screen's paths the scanning tests do not take: a code typed wrong, then unknown, then right; a
volunteer at two venues switching between them (the choice kept, the occupancy the chosen venue's); leaving
volunteer mode, back to the enrolment form."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.checkin_support import enrolment_code

pytestmark = pytest.mark.browser


def test_enrol_by_typing_switch_venues_and_leave(phone, live_server) -> None:
    code = enrolment_code(live_server.url, live_server.organiser(), ["van-mieu", "nha-hat-lon"])
    page = phone.new_page()
    page.goto("/#/volunteer")
    field = page.locator("#enrol-code")
    enrol = page.get_by_role("button", name="Enrol this phone")

    field.fill("ABC")
    enrol.click()
    expect(page.locator("#enrol-error")).to_have_text("An enrolment code has 16 letters and digits.")
    expect(field).to_be_focused()

    field.fill("ABCD-EFGH-JKMN-PQRS")
    enrol.click()
    expect(page.locator("#enrol-error")).to_contain_text("There is no such enrolment code.")
    expect(field).to_be_focused()

    field.fill(code.lower())
    enrol.click()
    expect(page.get_by_role("heading", name="Scan passes")).to_be_visible()
    expect(page.locator("#enrol-error")).to_have_count(0)
    venue = page.get_by_label("Venue")
    first = venue.input_value()
    expect(page.locator("#occupancy")).to_contain_text("Inside now")
    other = "nha-hat-lon" if first == "van-mieu" else "van-mieu"
    venue.select_option(other)
    expect(page.locator("#occupancy")).to_contain_text("Inside now")
    page.reload()
    expect(page.get_by_label("Venue")).to_have_value(other)

    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Leave volunteer mode").click()
    expect(page.get_by_role("heading", name="Volunteers", exact=True)).to_be_visible()
    expect(page.locator("#enrol-code")).to_have_value("")
    expect(page.locator("#scan-log")).to_have_count(0)
