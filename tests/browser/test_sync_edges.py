"""The phone's side of the sync protocol when things go wrong: a 5xx is retried, a 410 brings the bundle
back, a rejected mutation leaves the outbox, and a device the server forgot re-registers and re-sends its
state (docs/protocol.md). Faults are injected with Playwright's routing; the server is the real one."""

from __future__ import annotations

import pytest
from playwright.sync_api import Route, expect

from tests.browser.test_offline import READ_DEVICE, card, events_on, settle, toggle

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser, live_server):
    # Without the service worker, so that routing sees every request the page makes.
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="en-GB", base_url=live_server.url, service_workers="block"
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def open_app(page) -> dict:
    page.goto("/#/day/2024-11-13")
    expect(page.locator(".event-card").first).to_be_visible()
    settle(page)
    return page.evaluate(READ_DEVICE)


def test_a_server_error_is_retried_until_the_write_lands(page, live_server) -> None:
    device = open_app(page)
    event_id = events_on("2024-11-13")[0]["id"]
    calls = []

    def flaky(route: Route) -> None:
        calls.append(route.request.url)
        if len(calls) <= 2:
            route.fulfill(status=503, json={"status_code": 503, "detail": "try again"})
        else:
            route.continue_()

    page.route("**/api/sync/push", flaky)
    toggle(page, event_id, True)
    settle(page)
    assert len(calls) == 3
    assert live_server.me(device["token"])["favourites"] == [event_id]


def test_a_cursor_the_server_no_longer_keeps_brings_the_bundle_back(page) -> None:
    open_app(page)
    seen = []
    page.on("request", lambda r: seen.append(r.url.split("/api/")[-1]) if "/api/sync/" in r.url else None)
    page.route(
        "**/api/sync/changes*", lambda route: route.fulfill(status=410, json={"status_code": 410, "detail": "gone"})
    )
    page.evaluate("window.lehoi.sync.run()")
    settle(page)
    assert any(s.startswith("sync/changes") for s in seen) and "sync/bundle" in seen
    assert seen.index("sync/bundle") > next(i for i, s in enumerate(seen) if s.startswith("sync/changes"))
    expect(page.locator(".event-card")).to_have_count(len(events_on("2024-11-13")))


def test_a_rejected_mutation_leaves_the_outbox_and_blocks_nothing(page, live_server) -> None:
    device = open_app(page)
    event_id = events_on("2024-11-13")[1]["id"]
    page.evaluate("window.lehoi.sync.write('favourite.set', {event_id: 'no-such-event'})")
    toggle(page, event_id, True)
    settle(page)
    assert live_server.me(device["token"])["favourites"] == [event_id]
    assert page.evaluate("[...window.lehoi.app.view.favourites]") == [event_id]


def test_a_device_the_server_forgot_registers_again_and_resends_its_state(page, live_server) -> None:
    old = open_app(page)
    a, b = (e["id"] for e in events_on("2024-11-13")[2:4])
    toggle(page, a, True)
    settle(page)

    forgotten = {"done": False}

    def unknown_once(route: Route) -> None:
        if forgotten["done"]:
            route.continue_()
        else:
            forgotten["done"] = True
            route.fulfill(status=401, json={"status_code": 401, "detail": "unknown token"})

    page.route("**/api/sync/push", unknown_once)
    toggle(page, b, True)
    settle(page)
    new = page.evaluate(READ_DEVICE)
    assert new["device_id"] != old["device_id"]
    assert sorted(live_server.me(new["token"])["favourites"]) == sorted([a, b])
    expect(card(page, a).locator("button.fav")).to_have_attribute("aria-pressed", "true")


def test_programme_changes_reach_the_phone_through_the_change_feed(page, live_server) -> None:
    import httpx

    open_app(page)
    version = page.evaluate("window.lehoi.app.programme.version")
    organiser = live_server.organiser()
    event = {
        "id": "browser-test-pop-up",
        "title": {"vi": "Chợ đêm thử nghiệm", "en": "Test night market"},
        "category": "market",
        "venue_id": "bat-trang",
        "starts_at": "2024-11-13T18:00:00+07:00",
        "ends_at": "2024-11-13T21:00:00+07:00",
    }
    seen = []
    page.on("request", lambda r: seen.append(r.url.split("/api/")[-1]) if "/api/sync/" in r.url else None)
    try:
        created = httpx.post(live_server.url + "/api/events", json=event, headers=organiser, timeout=10)
        assert created.status_code == 201, created.text
        page.evaluate("window.lehoi.sync.run()")
        settle(page)
        expect(card(page, event["id"])).to_contain_text("Test night market")
        assert f"sync/changes?since={version}" in seen and "sync/bundle" not in seen

        # Found by search too (ignoring diacritics), and renamed, then removed.
        page.get_by_label("Search events and venues").fill("cho dem thu")
        expect(card(page, event["id"])).to_be_visible()
        page.get_by_label("Search events and venues").fill("")
        renamed = httpx.patch(
            live_server.url + f"/api/events/{event['id']}",
            headers=organiser,
            timeout=10,
            json={"title": {"vi": "Chợ đêm", "en": "Night market, renamed"}, "status": "cancelled"},
        )
        assert renamed.status_code == 200, renamed.text
        page.evaluate("window.lehoi.sync.run()")
        settle(page)
        expect(card(page, event["id"])).to_contain_text("Night market, renamed")
        expect(card(page, event["id"])).to_contain_text("Cancelled")
    finally:
        httpx.delete(live_server.url + f"/api/events/{event['id']}", headers=organiser, timeout=10)
    page.evaluate("window.lehoi.sync.run()")
    settle(page)
    expect(card(page, event["id"])).to_have_count(0)
    expect(page.locator(".event-card")).to_have_count(len(events_on("2024-11-13")))


def test_a_malformed_mutation_is_found_and_dropped_without_losing_the_others(page, live_server) -> None:
    device = open_app(page)
    a, b = (e["id"] for e in events_on("2024-11-13")[4:6])
    page.evaluate(
        """async ([a, b]) => {
      const { store, sync } = window.lehoi;
      const at = new Date().toISOString();
      const star = (id, event_id) => store.enqueue({ id, name: 'favourite.set', args: { event_id }, at });
      await star('0190a000-0000-7000-8000-000000000001', a);
      await star('not-a-uuid', a);
      await star('0190a000-0000-7000-8000-000000000002', b);
      await sync.init();
      await sync.run();
    }""",
        [a, b],
    )
    settle(page)
    assert sorted(live_server.me(device["token"])["favourites"]) == sorted([a, b])
    assert page.evaluate("window.lehoi.store.countOutbox()") == 0
