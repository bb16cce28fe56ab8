"""Push in the service worker (issue "Push", points 5 and 6): a message delivered to the PWA's service worker through
the DevTools protocol (`ServiceWorker.deliverPushMessage`, as a push service would) is shown once, in the
device's language, and the same alert id delivered again is not shown again, even after the first was dismissed.
And the app never asks for notification permission on its own: only after a meaningful action, when the person
says yes."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NOTIFICATIONS = """async () => (await (await navigator.serviceWorker.ready).getNotifications())
  .map((n) => ({title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url}))"""
CLOSE_ALL = (
    """async () => { for (const n of await (await navigator.serviceWorker.ready).getNotifications()) n.close(); }"""
)


def message(alert_id: str, lang: str = "en") -> str:
    return json.dumps(
        {
            "id": alert_id,
            "kind": "alert",
            "lang": lang,
            "url": "/#/venues/van-mieu",
            "title": {"vi": "Đổi giờ hoà nhạc", "en": "Concert moved"},
            "body": {"vi": "Buổi hoà nhạc bắt đầu lúc 20:00", "en": "The concert starts at 20:00"},
        }
    )


@pytest.fixture
def pushed(browser, live_server):
    """A phone with the app open and its service worker in control, notifications allowed, and a way to deliver
    push messages to that worker: `deliver(payload)`."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB", base_url=live_server.url)
    context.set_default_timeout(10_000)
    context.grant_permissions(["notifications"], origin=live_server.url)
    page = context.new_page()
    page.goto("/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    cdp = context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    page.wait_for_timeout(50)
    deadline = 100
    while not any(r["scopeURL"] == live_server.url + "/" and not r["isDeleted"] for r in registrations) and deadline:
        page.wait_for_timeout(50)
        deadline -= 1
    registration = next(r for r in registrations if r["scopeURL"] == live_server.url + "/" and not r["isDeleted"])

    def deliver(payload: str) -> None:
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": live_server.url, "registrationId": registration["registrationId"], "data": payload},
        )

    try:
        yield page, deliver
    finally:
        context.close()


def wait_for_count(page, n: int) -> list[dict]:
    page.wait_for_function(
        f"async () => (await (await navigator.serviceWorker.ready).getNotifications()).length === {n}"
    )
    page.wait_for_timeout(300)  # and no other one comes
    shown = page.evaluate(NOTIFICATIONS)
    assert len(shown) == n, shown
    return shown


def test_a_pushed_alert_is_shown_once_in_the_devices_language(pushed) -> None:
    page, deliver = pushed
    deliver(message("alert-browser-1", lang="en"))
    assert wait_for_count(page, 1) == [
        {
            "title": "Concert moved",
            "body": "The concert starts at 20:00",
            "tag": "alert-browser-1",
            "url": "/#/venues/van-mieu",
        }
    ]
    # delivered again (a push service may): still one notification
    deliver(message("alert-browser-1", lang="en"))
    wait_for_count(page, 1)
    # dismissed, then delivered a third time: the id was seen, nothing comes back
    page.evaluate(CLOSE_ALL)
    wait_for_count(page, 0)
    deliver(message("alert-browser-1", lang="en"))
    page.wait_for_timeout(500)
    assert page.evaluate(NOTIFICATIONS) == []
    # another alert, for a phone set to Vietnamese: shown, in Vietnamese
    deliver(message("alert-browser-2", lang="vi"))
    [shown] = wait_for_count(page, 1)
    assert (shown["title"], shown["body"]) == ("Đổi giờ hoà nhạc", "Buổi hoà nhạc bắt đầu lúc 20:00")


def test_a_message_that_is_not_an_alert_shows_nothing(pushed) -> None:
    page, deliver = pushed
    deliver("not json")
    deliver(json.dumps({"kind": "alert"}))
    page.wait_for_timeout(500)
    assert page.evaluate(NOTIFICATIONS) == []


def test_permission_is_asked_only_after_starring_an_event_and_a_yes(browser, live_server) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.add_init_script("""(() => {
      window.__asked = 0;
      const ask = Notification.requestPermission.bind(Notification);
      Notification.requestPermission = (...args) => { window.__asked += 1; return ask(...args); };
    })()""")
    try:
        page.goto("/#/day/2024-11-12")
        expect(page.locator(".event-card").first).to_be_visible()
        page.wait_for_timeout(500)
        assert page.evaluate("window.__asked") == 0
        expect(page.locator(".nudge")).to_have_count(0)
        page.locator(".event-card [data-fav]").first.click()
        nudge = page.get_by_text("Remind you before events?")
        expect(nudge).to_be_visible()
        assert page.evaluate("window.__asked") == 0
        page.get_by_role("button", name="Not now").click()
        expect(nudge).to_have_count(0)
        assert page.evaluate("window.__asked") == 0
        # said no: starring another event does not ask again
        page.locator(".event-card [data-fav]").nth(1).click()
        page.wait_for_timeout(500)
        expect(page.locator(".nudge")).to_have_count(0)
        # Settings shows the switch, off
        page.goto("/#/settings")
        expect(page.locator("#notify-state")).to_have_text(
            "Off: your reminders 15 minutes before events will not arrive until notifications are on."
        )
        expect(page.get_by_role("button", name="Turn on notifications")).to_be_visible()
    finally:
        context.close()


def test_turning_on_says_so_and_gives_up_on_a_silent_push_service(browser, live_server) -> None:
    """The browser's push service may never answer (no route to it): the person sees it working, then an error,
    not a greyed-out button for ever."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB", base_url=live_server.url)
    context.set_default_timeout(10_000)
    context.grant_permissions(["notifications"], origin=live_server.url)
    page = context.new_page()
    page.add_init_script(
        "PushManager.prototype.subscribe = () => { window.__asked = true; return new Promise(() => {}); };"
    )
    try:
        page.clock.install()
        page.goto("/#/settings")
        page.get_by_role("button", name="Turn on notifications").click()
        expect(page.locator("#notify-message")).to_have_text("Turning notifications on…")
        page.wait_for_function("() => window.__asked === true")  # the wait has begun
        page.clock.run_for(21_000)
        expect(page.locator("#notify-message")).to_contain_text("did not answer")
        expect(page.get_by_role("button", name="Turn on notifications")).to_be_enabled()
        expect(page.locator("#notify-state")).to_contain_text("Off")
    finally:
        context.close()


def test_reminders_set_while_notifications_are_off_say_they_will_not_come(browser, live_server) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/#/settings")
        page.select_option("#reminder", "0")
        expect(page.locator("#notify-state")).to_have_text("Off.")
        page.select_option("#reminder", "30")
        expect(page.locator("#notify-state")).to_have_text(
            "Off: your reminders 30 minutes before events will not arrive until notifications are on."
        )
    finally:
        context.close()
