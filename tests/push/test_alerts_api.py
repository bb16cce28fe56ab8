"""The organiser's alert API and the device's subscription API: shapes, targets, scheduling, refusals."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from .test_delivery import favourites, new_device

NOW = datetime.fromisoformat("2024-11-12T10:00:00+07:00")
TITLE = {"vi": "Thông báo", "en": "Notice"}


async def some_events(client, n=3):
    return (await client.get("/api/events", params={"day": "2024-11-12"})).json()[:n]


# --- subscriptions ----------------------------------------------------------------------------------------


async def test_a_device_subscribes_replaces_and_unsubscribes(client, push, device):
    # /api/me is kept per process: read it first, so the language the subscription sets must replace a kept copy
    assert (await client.get("/api/me", headers=device["auth"])).json()["settings"]["lang"] == "vi"
    first = push.receiver.new_subscription()
    response = await client.post(
        "/api/push/subscriptions",
        headers=device["auth"],
        json={**first, "topics": ["general", "crafts", "general"], "lang": "en", "expirationTime": None},
    )
    assert response.status_code == 201, response.text
    assert response.json()["topics"] == ["crafts", "general"] and response.json()["lang"] == "en"
    assert (await client.get("/api/me", headers=device["auth"])).json()["settings"]["lang"] == "en"

    second = push.receiver.new_subscription()
    response = await client.post("/api/push/subscriptions", headers=device["auth"], json={**second, "topics": []})
    assert response.status_code == 200
    current = (await client.get("/api/push/subscriptions", headers=device["auth"])).json()
    assert current["endpoint"] == second["endpoint"] and current["topics"] == [] and current["lang"] == "en"

    assert (await client.delete("/api/push/subscriptions", headers=device["auth"])).status_code == 204
    assert (await client.delete("/api/push/subscriptions", headers=device["auth"])).status_code == 204
    assert (await client.get("/api/push/subscriptions", headers=device["auth"])).status_code == 404


async def test_an_endpoint_moves_to_the_device_that_saves_it_last(client, push, in_app, as_organiser):
    old, new = await new_device(client, in_app), await new_device(client, in_app)
    subscription = push.receiver.new_subscription()
    for d in (old, new):
        assert (await client.post("/api/push/subscriptions", json=subscription, headers=d["auth"])).status_code == 201
    assert (await client.get("/api/push/subscriptions", headers=old["auth"])).status_code == 404
    stats = (await client.get("/api/organiser/push/stats", headers=as_organiser)).json()
    assert stats["subscriptions"] == 1


@pytest.mark.parametrize(
    "change",
    [
        {"keys": {"p256dh": "A" * 87, "auth": "B" * 22}},  # not a point on the curve
        {"keys": {"p256dh": "not base64!" * 8, "auth": "B" * 22}},
        {"keys": {"auth": "B" * 22}},
        {"topics": ["Not A Topic"]},
        {"topics": [f"t{i}" for i in range(21)]},
        {"lang": "fr"},
        {"unknown": 1},
    ],
)
async def test_bad_subscriptions_are_refused(client, push, device, change):
    body = {**push.receiver.new_subscription(), **change}
    response = await client.post("/api/push/subscriptions", json=body, headers=device["auth"])
    assert response.status_code in (400, 422), response.text


async def test_subscriptions_need_a_device_token(client, push, as_organiser):
    body = push.receiver.new_subscription()
    assert (await client.post("/api/push/subscriptions", json=body)).status_code == 401
    assert (await client.post("/api/push/subscriptions", json=body, headers=as_organiser)).status_code == 403


# --- alerts: refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change,status",
    [
        ({"target": {"venues": ["no-such-venue"]}}, 422),
        ({"target": {"events": ["no-such-event"]}}, 422),
        ({"target": {}}, 422),
        ({"target": {"all": True, "topics": ["general"]}}, 422),
        ({"target": {"all": False}}, 422),
        ({"target": {"venues": []}}, 422),
        ({"target": {"topics": ["Bad Topic"]}}, 422),
        ({"target": {"everyone": True}}, 422),
        ({"ttl": -1}, 422),
        ({"ttl": 29 * 24 * 3600}, 422),
        ({"urgency": "urgent"}, 422),
        ({"send_at": "2024-11-12T12:00:00"}, 422),  # no offset
        ({"send_at": "2024-11-12T09:00:00+07:00"}, 422),  # in the past
        ({"send_at": "2025-03-01T09:00:00+07:00"}, 422),  # too far ahead
        ({"url": "javascript:alert(1)"}, 422),
        ({"url": "//evil.example/"}, 422),
        ({"url": "http://example.com/"}, 422),
        ({"title": {"vi": "", "en": "x"}}, 422),
        ({"title": {"vi": "x" * 121, "en": "x"}}, 422),
        ({"title": {"vi": "x"}}, 422),
        ({"body": {"vi": "ệ" * 1000, "en": "ệ" * 1000}}, 422),  # over the 3 KB a push message may carry
        ({"colour": "red"}, 422),
    ],
)
async def test_bad_alerts_are_refused_and_send_nothing(client, push, device, as_organiser, change, status):
    await push.subscribe(device)
    body = {"title": TITLE, "target": {"all": True}, **change}
    response = await client.post("/api/organiser/alerts", json=body, headers=as_organiser)
    assert response.status_code == status, response.text
    assert response.json()["detail"]
    assert (await client.get("/api/organiser/alerts", headers=as_organiser)).json() == []


async def test_alerts_are_for_organisers_only(client, push, device):
    body = {"title": TITLE, "target": {"all": True}}
    assert (await client.post("/api/organiser/alerts", json=body)).status_code == 401
    assert (await client.post("/api/organiser/alerts", json=body, headers=device["auth"])).status_code == 403
    assert (await client.get("/api/organiser/alerts", headers=device["auth"])).status_code == 403
    assert (await client.get("/api/organiser/alerts/alert-0123456789abcdef", headers=device["auth"])).status_code == 403


async def test_an_unknown_alert_is_404(client, push, as_organiser):
    assert (await client.get("/api/organiser/alerts/alert-0123456789abcdef", headers=as_organiser)).status_code == 404
    assert (
        await client.delete("/api/organiser/alerts/alert-0123456789abcdef", headers=as_organiser)
    ).status_code == 404


# --- alerts: targets --------------------------------------------------------------------------------------


async def test_targets_choose_their_devices(client, push, in_app, as_organiser):
    events = await some_events(client, 3)
    at_venue = next(e for e in events if e["venue_id"] != events[0]["venue_id"])
    fan_a, fan_b, crafty, nobody = [await new_device(client, in_app) for _ in range(4)]
    await favourites(client, fan_a, events[0]["id"])
    await favourites(client, fan_b, at_venue["id"])
    subs = {
        "fan_a": await push.subscribe(fan_a, topics=["general"]),
        "fan_b": await push.subscribe(fan_b),
        "crafty": await push.subscribe(crafty, topics=["crafts", "general"]),
        "nobody": await push.subscribe(nobody),
    }

    async def reached(target) -> set[str]:
        push.receiver.reset()
        alert = await push.send(as_organiser, target=target)
        view = await push.wait(as_organiser, alert["id"])
        assert view["target"] == target and push.receiver.errors == []
        got = {name for name, s in subs.items() if push.receiver.messages(s)}
        assert view["counts"]["sent"] == len(got)
        return got

    assert await reached({"all": True}) == set(subs)
    assert await reached({"events": [events[0]["id"]]}) == {"fan_a"}
    assert await reached({"events": [events[0]["id"], at_venue["id"]]}) == {"fan_a", "fan_b"}
    assert await reached({"venues": [at_venue["venue_id"]]}) == {"fan_b"} | (
        {"fan_a"} if events[0]["venue_id"] == at_venue["venue_id"] else set()
    )
    assert await reached({"topics": ["crafts"]}) == {"crafty"}
    assert await reached({"topics": ["general", "crafts"]}) == {"crafty", "fan_a"}
    assert await reached({"topics": ["nothing-here"]}) == set()
    stats = (await client.get("/api/organiser/push/stats", headers=as_organiser)).json()
    assert stats == {"subscriptions": 4, "topics": {"crafts": 1, "general": 2}}


# --- alerts: scheduling -----------------------------------------------------------------------------------


async def test_a_scheduled_alert_goes_out_when_due(client, push, device, as_organiser):
    subscription = await push.subscribe(device)
    version = (await client.get("/api/festival")).json()["version"]
    created = await push.send(as_organiser, send_at="2024-11-12T11:30:00+07:00")
    assert created == {"id": created["id"], "status": "scheduled", "send_at": "2024-11-12T04:30:00Z", "recipients": 0}
    push.tick()
    push.advance(minutes=89)
    push.tick()
    view = await push.alert(as_organiser, created["id"])
    assert view["status"] == "scheduled" and view["counts"]["total"] == 0
    assert push.receiver.messages(subscription) == []
    # not announced before it is sent
    changes = (await client.get("/api/sync/changes", params={"since": version})).json()
    assert "announcement" not in changes["upserts"]

    push.advance(minutes=1)
    view = await push.wait(as_organiser, created["id"])
    assert view["counts"]["sent"] == 1 and view["fanned_out_at"] == "2024-11-12T04:30:00Z"
    assert len(push.receiver.messages(subscription)) == 1
    # a worker's write reaches the programme snapshot within its version check (half a second)
    for _ in range(100):
        changes = (await client.get("/api/sync/changes", params={"since": version})).json()
        if "announcement" in changes["upserts"]:
            break
        await asyncio.sleep(0.02)
    assert [a["id"] for a in changes["upserts"]["announcement"]] == [created["id"]]


async def test_a_scheduled_alert_can_be_cancelled_until_it_is_sent(client, push, device, as_organiser):
    subscription = await push.subscribe(device)
    created = await push.send(as_organiser, send_at="2024-11-12T10:30:00+07:00")
    assert (await client.delete(f"/api/organiser/alerts/{created['id']}", headers=as_organiser)).status_code == 204
    push.advance(hours=1)
    push.tick()
    view = await push.alert(as_organiser, created["id"])
    assert view["status"] == "cancelled" and view["counts"]["total"] == 0
    assert push.receiver.messages(subscription) == []

    sent = await push.send(as_organiser)
    await push.wait(as_organiser, sent["id"])
    response = await client.delete(f"/api/organiser/alerts/{sent['id']}", headers=as_organiser)
    assert response.status_code == 409


async def test_alerts_are_listed_newest_first_with_counts(client, push, device, as_organiser):
    await push.subscribe(device)
    first = await push.send(as_organiser)
    await push.wait(as_organiser, first["id"])
    push.advance(minutes=1)
    second = await push.send(as_organiser, send_at="2024-11-12T12:00:00+07:00")
    listed = (await client.get("/api/organiser/alerts", headers=as_organiser)).json()
    assert [(a["id"], a["status"]) for a in listed] == [(second["id"], "scheduled"), (first["id"], "done")]
    assert listed[1]["counts"]["sent"] == 1
    older = (
        await client.get("/api/organiser/alerts", params={"before": listed[0]["created_at"]}, headers=as_organiser)
    ).json()
    assert [a["id"] for a in older] == [first["id"]]
    assert (await client.get("/api/organiser/alerts", params={"limit": 0}, headers=as_organiser)).status_code == 422
    assert (await client.get("/api/organiser/alerts", params={"kind": "reminder"}, headers=as_organiser)).json() == []
