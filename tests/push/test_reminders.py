"""Reminders before favourited events: on time by the festival clock, never for a cancelled event, moved with it."""

from __future__ import annotations

import uuid

from tests.support.bundles import current_bundle

from .test_delivery import favourites, new_device

EVENT = "ve-gom-men-lam"  # 2024-11-12 14:00–16:00 +07:00 at Bát Tràng


async def settings(client, device, **args):
    body = {"client_id": device["id"], "mutations": [{"id": str(uuid.uuid4()), "name": "settings.set", "args": args}]}
    response = await client.post("/api/sync/push", json=body, headers=device["auth"])
    assert response.json()["results"][0]["status"] == "applied", response.text


def to(push, hhmm: str) -> None:
    """Move the festival clock to HH:MM on 12 November (forward only) and let the worker look."""
    from datetime import datetime

    target = datetime.fromisoformat(f"2024-11-12T{hhmm}:00+07:00")
    assert target >= push.clock.now()
    push.clock.set(target)
    push.tick()


def settle(push) -> None:
    push.settle()


async def test_a_reminder_comes_before_each_favourite_in_the_device_language(client, push, in_app, as_organiser):
    default, early, off, other = [await new_device(client, in_app) for _ in range(4)]
    await settings(client, early, reminder_minutes=30, lang="en")
    await settings(client, off, reminder_minutes=0)
    for d in (default, early, off):
        await favourites(client, d, EVENT)
    subs = {
        name: await push.subscribe(d)
        for name, d in (("default", default), ("early", early), ("off", off), ("other", other))
    }

    def got() -> dict[str, int]:
        settle(push)
        return {name: len(push.receiver.messages(s)) for name, s in subs.items()}

    to(push, "13:29")
    assert got() == {"default": 0, "early": 0, "off": 0, "other": 0}
    to(push, "13:30")
    assert got() == {"default": 0, "early": 1, "off": 0, "other": 0}
    to(push, "13:44")
    assert got() == {"default": 0, "early": 1, "off": 0, "other": 0}
    to(push, "13:45")
    assert got() == {"default": 1, "early": 1, "off": 0, "other": 0}
    to(push, "13:50")  # scanning again sends nothing twice
    assert got() == {"default": 1, "early": 1, "off": 0, "other": 0}
    assert push.receiver.errors == []

    (vi,), (en,) = push.receiver.messages(subs["default"]), push.receiver.messages(subs["early"])
    event = (await client.get(f"/api/events/{EVENT}")).json()
    venue = (await client.get(f"/api/venues/{event['venue_id']}")).json()
    assert vi.payload["kind"] == "reminder" and vi.payload["event_id"] == EVENT
    assert vi.payload["title"] == event["title"] and vi.payload["url"] == f"/#/events/{EVENT}"
    assert vi.payload["body"] == {
        "vi": f"Bắt đầu lúc 14:00 tại {venue['name']['vi']}",
        "en": f"Starts at 14:00 at {venue['name']['en']}",
    }
    assert (vi.payload["lang"], en.payload["lang"]) == ("vi", "en")
    assert vi.payload["id"] != en.payload["id"]  # one reminder per (event, start, minutes)
    assert vi.headers["topic"] == en.headers["topic"]  # …replacing each other at the push service
    assert int(vi.headers["ttl"]) == 15 * 60 and int(en.headers["ttl"]) == 30 * 60

    # a favourite made inside the window is still reminded, before the start
    late = await new_device(client, in_app)
    await favourites(client, late, EVENT)
    subs["late"] = await push.subscribe(late)
    to(push, "13:55")
    assert got()["late"] == 1
    # …but not once the event has started
    later = await new_device(client, in_app)
    await favourites(client, later, EVENT)
    subs["later"] = await push.subscribe(later)
    to(push, "14:00")
    assert got()["later"] == 0

    reminders = (await client.get("/api/organiser/alerts", params={"kind": "reminder"}, headers=as_organiser)).json()
    assert sorted(r["counts"]["sent"] for r in reminders) == [1, 2]
    assert all(r["event_id"] == EVENT and r["kind"] == "reminder" for r in reminders)
    # reminders are personal: none of them became an announcement
    bundle = (await current_bundle(client)).json()
    assert not any(a["id"].startswith("reminder-") for a in bundle["announcements"])


async def test_a_cancelled_event_gets_no_reminder(client, push, device, as_organiser, fresh_programme):
    await favourites(client, device, EVENT)
    subscription = await push.subscribe(device)
    response = await client.patch(f"/api/events/{EVENT}", json={"status": "cancelled"}, headers=as_organiser)
    assert response.status_code == 200
    to(push, "13:46")
    settle(push)
    to(push, "13:59")
    settle(push)
    assert push.receiver.attempts(subscription) == []


async def test_a_reminder_waiting_to_be_retried_is_withdrawn_when_its_event_is_cancelled(
    client, push, device, as_organiser, fresh_programme
):
    await favourites(client, device, EVENT)
    subscription = await push.subscribe(device)
    push.receiver.respond(subscription, 503, {"Retry-After": "120"})
    to(push, "13:45")
    settle(push)
    assert [s for s, _ in push.receiver.attempts(subscription)] == [503]
    await client.patch(f"/api/events/{EVENT}", json={"status": "cancelled"}, headers=as_organiser)
    to(push, "13:46")  # before the retry is due at 13:47
    settle(push)
    to(push, "13:50")
    settle(push)
    assert [s for s, _ in push.receiver.attempts(subscription)] == [503]
    (reminder,) = (await client.get("/api/organiser/alerts", params={"kind": "reminder"}, headers=as_organiser)).json()
    assert reminder["counts"]["failed"] == 1
    detail = (await client.get(f"/api/organiser/alerts/{reminder['id']}", headers=as_organiser)).json()
    assert detail["failures"] == {"event cancelled": 1}


async def test_a_moved_event_is_reminded_at_its_new_time(client, push, device, as_organiser, fresh_programme):
    await favourites(client, device, EVENT)
    subscription = await push.subscribe(device)
    to(push, "13:45")
    settle(push)
    (first,) = push.receiver.messages(subscription)
    assert first.payload["body"]["en"].startswith("Starts at 14:00")

    response = await client.patch(
        f"/api/events/{EVENT}",
        headers=as_organiser,
        json={"starts_at": "2024-11-12T16:00:00+07:00", "ends_at": "2024-11-12T18:00:00+07:00"},
    )
    assert response.status_code == 200, response.text
    to(push, "14:00")
    settle(push)
    to(push, "15:44")
    settle(push)
    assert len(push.receiver.messages(subscription)) == 1
    to(push, "15:45")
    settle(push)
    assert len(push.receiver.messages(subscription)) == 2, push.deliveries()
    first, second = push.receiver.messages(subscription)
    assert second.payload["body"]["en"].startswith("Starts at 16:00")
    assert second.payload["id"] != first.payload["id"] and second.headers["topic"] == first.headers["topic"]


async def test_a_reminder_moved_before_it_was_sent_goes_only_at_the_new_time(
    client, push, device, as_organiser, fresh_programme
):
    await favourites(client, device, EVENT)
    subscription = await push.subscribe(device)
    await client.patch(
        f"/api/events/{EVENT}",
        headers=as_organiser,
        json={"starts_at": "2024-11-12T13:00:00+07:00", "ends_at": "2024-11-12T15:00:00+07:00"},
    )
    to(push, "12:45")
    settle(push)
    (message,) = push.receiver.messages(subscription)
    assert message.payload["body"]["vi"].startswith("Bắt đầu lúc 13:00")
    to(push, "13:50")
    settle(push)
    assert len(push.receiver.messages(subscription)) == 1
