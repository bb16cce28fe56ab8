"""Alerts end to end against the real receiver: what arrives, and the policy for every answer a push service gives."""

from __future__ import annotations

import email.utils
import time
import uuid

import pytest

from server.push.sender import retry_after
from server.push.worker import BACKOFF_BASE_S, BACKOFF_MAX_S
from tests.support.bundles import current_bundle


def favourite(event_id: str) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "name": "favourite.set",
        "args": {"event_id": event_id},
        "at": "2024-11-12T10:00:00+07:00",
    }


async def favourites(client, device, *event_ids):
    body = {"client_id": device["id"], "mutations": [favourite(e) for e in event_ids]}
    response = await client.post("/api/sync/push", json=body, headers=device["auth"])
    assert response.status_code == 200 and all(r["status"] == "applied" for r in response.json()["results"])


async def new_device(client, in_app):
    from server.accounts.devices import register_device

    device_id, token = in_app(register_device, client.app.state.clock.now())
    return {"id": device_id, "token": token, "auth": {"Authorization": f"Bearer {token}"}}


# --- what arrives -----------------------------------------------------------------------------------------


async def test_an_alert_reaches_every_subscriber_encrypted_signed_and_in_their_language(
    client, push, in_app, as_organiser
):
    vi_device, en_device = await new_device(client, in_app), await new_device(client, in_app)
    vi_sub = await push.subscribe(vi_device, lang="vi")
    en_sub = await push.subscribe(en_device, lang="en")
    created = await push.send(
        as_organiser,
        title={"vi": "Đổi địa điểm", "en": "Venue change"},
        body={"vi": "Buổi hoà nhạc chuyển sang Văn Miếu", "en": "The concert moves to the Temple of Literature"},
        url="/#/events/concert",
        urgency="high",
        ttl=3600,
    )
    assert created["status"] == "sending" and created["recipients"] == 2
    view = await push.wait(as_organiser, created["id"])
    assert view["counts"] == {"queued": 0, "sent": 2, "failed": 0, "gone": 0, "total": 2}
    assert push.receiver.errors == []  # VAPID JWT, headers and decryption all checked by the receiver

    for subscription, lang in ((vi_sub, "vi"), (en_sub, "en")):
        (message,) = push.receiver.messages(subscription)
        assert message.payload == {
            "id": created["id"],
            "kind": "alert",
            "title": {"vi": "Đổi địa điểm", "en": "Venue change"},
            "body": {"vi": "Buổi hoà nhạc chuyển sang Văn Miếu", "en": "The concert moves to the Temple of Literature"},
            "url": "/#/events/concert",
            "lang": lang,
        }
        assert message.headers["ttl"] == "3600" and message.headers["urgency"] == "high"
        assert message.headers["topic"] == created["id"]
        assert int(message.headers["content-length"]) < 4096

    # both messages went to one origin: one VAPID header, signed once
    (first,), (second,) = push.receiver.messages(vi_sub), push.receiver.messages(en_sub)
    assert first.headers["authorization"] == second.headers["authorization"]


async def test_an_alert_is_also_an_announcement_for_phones_without_push(client, push, as_organiser):
    version = (await client.get("/api/festival")).json()["version"]
    created = await push.send(
        as_organiser, title={"vi": "Mưa", "en": "Rain"}, body={"vi": "Mang ô", "en": "Bring an umbrella"}
    )
    changes = (await client.get("/api/sync/changes", params={"since": version})).json()
    (announcement,) = changes["upserts"]["announcement"]
    assert announcement["id"] == created["id"]
    assert announcement["title"] == {"vi": "Mưa", "en": "Rain"}
    assert announcement["body"] == {"vi": "Mang ô", "en": "Bring an umbrella"}


async def test_the_bundle_and_the_api_carry_the_vapid_public_key(client):
    key = (await client.get("/api/push/vapid-public-key")).json()["public_key"]
    bundle = (await current_bundle(client)).json()
    assert bundle["vapid_public_key"] == key
    assert len(key) == 87  # base64url of a 65-byte uncompressed P-256 point


# --- the policy, one status at a time ---------------------------------------------------------------------


async def one_subscriber_alert(client, push, device, as_organiser, **fields):
    subscription = await push.subscribe(device)
    return subscription, await push.send(as_organiser, **fields)


async def test_201_is_sent(client, push, device, as_organiser):
    subscription, alert = await one_subscriber_alert(client, push, device, as_organiser)
    view = await push.wait(as_organiser, alert["id"])
    assert view["status"] == "done" and view["counts"]["sent"] == 1
    assert [s for s, _ in push.receiver.attempts(subscription)] == [201]


@pytest.mark.parametrize("status", [404, 410])
async def test_404_and_410_remove_the_subscription(client, push, device, as_organiser, status):
    subscription = await push.subscribe(device)
    push.receiver.respond(subscription, status)
    alert = await push.send(as_organiser)
    view = await push.wait(as_organiser, alert["id"])
    assert view["counts"] == {"queued": 0, "sent": 0, "failed": 0, "gone": 1, "total": 1}
    assert (await client.get("/api/push/subscriptions", headers=device["auth"])).status_code == 404
    # the next alert does not even try
    again = await push.send(as_organiser)
    assert again["recipients"] == 0 and again["status"] == "done"
    assert len(push.receiver.attempts(subscription)) == 1


async def test_429_is_retried_after_the_retry_after_delay(client, push, device, as_organiser):
    subscription = await push.subscribe(device)
    push.receiver.respond(subscription, 429, {"Retry-After": "120"})
    alert = await push.send(as_organiser)
    view = await push.wait(as_organiser, alert["id"], until=lambda a: push.receiver.attempts(subscription))
    await push.wait(as_organiser, alert["id"], until=lambda a: a["counts"]["queued"] == 1 and not push.worker.busy)
    push.advance(seconds=100)  # not yet: the service asked for two minutes
    push.settle()
    assert [s for s, _ in push.receiver.attempts(subscription)] == [429]
    push.advance(seconds=21)
    view = await push.wait(as_organiser, alert["id"])
    assert view["counts"]["sent"] == 1
    assert [s for s, _ in push.receiver.attempts(subscription)] == [429, 201]
    assert len(push.receiver.messages(subscription)) == 1


@pytest.mark.parametrize("status", [500, 503])
async def test_5xx_is_retried_with_backoff(client, push, device, as_organiser, status):
    subscription = await push.subscribe(device)
    push.receiver.respond(subscription, status, times=2)
    alert = await push.send(as_organiser)
    for attempt in (1, 2):
        await push.wait(
            as_organiser,
            alert["id"],
            until=lambda a, attempt=attempt: (
                len(push.receiver.attempts(subscription)) == attempt and not push.worker.busy
            ),
        )
        push.advance(seconds=BACKOFF_BASE_S * 2 ** (attempt - 1) * 1.25)
    view = await push.wait(as_organiser, alert["id"])
    assert view["counts"]["sent"] == 1
    assert [s for s, _ in push.receiver.attempts(subscription)] == [status, status, 201]


async def test_503_with_an_http_date_retry_after(client, push, device, as_organiser):
    subscription = await push.subscribe(device)
    when = email.utils.formatdate(time.time() + 300, usegmt=True)
    push.receiver.respond(subscription, 503, {"Retry-After": when})
    alert = await push.send(as_organiser)
    await push.wait(
        as_organiser, alert["id"], until=lambda a: push.receiver.attempts(subscription) and not push.worker.busy
    )
    push.advance(seconds=200)
    push.settle()
    assert len(push.receiver.attempts(subscription)) == 1
    push.advance(seconds=120)
    assert (await push.wait(as_organiser, alert["id"]))["counts"]["sent"] == 1


async def test_retries_end_after_the_last_attempt(client, push, device, as_organiser):
    subscription = await push.subscribe(device)
    attempts = push.worker.max_attempts
    push.receiver.respond(subscription, 500, times=attempts)
    alert = await push.send(as_organiser)
    for n in range(1, attempts + 1):
        await push.wait(
            as_organiser,
            alert["id"],
            until=lambda a, n=n: len(push.receiver.attempts(subscription)) >= n and not push.worker.busy,
        )
        push.advance(seconds=BACKOFF_MAX_S * 1.25)
    view = await push.wait(as_organiser, alert["id"])
    assert view["counts"]["failed"] == 1
    assert view["failures"] == {f"gave up after {attempts} attempts: 500 Internal Server Error": 1}
    assert len(push.receiver.attempts(subscription)) == attempts


async def test_a_retry_stops_when_the_ttl_runs_out(client, push, device, as_organiser):
    subscription = await push.subscribe(device)
    push.receiver.respond(subscription, 429, {"Retry-After": "600"})
    alert = await push.send(as_organiser, ttl=300)
    view = await push.wait(as_organiser, alert["id"])
    assert view["failures"] == {"expired while retrying: 429 Too Many Requests": 1}


@pytest.mark.parametrize("status", [400, 401, 403, 413])
async def test_other_4xx_fail_with_the_reason(client, push, device, as_organiser, status):
    subscription = await push.subscribe(device)
    push.receiver.respond(subscription, status)
    alert = await push.send(as_organiser)
    view = await push.wait(as_organiser, alert["id"])
    assert view["counts"]["failed"] == 1
    (reason,) = view["failures"]
    assert reason.startswith(str(status)) and f"scripted {status}" in reason
    assert len(push.receiver.attempts(subscription)) == 1  # never retried


def test_retry_after_reads_seconds_and_dates():
    now = time.time()
    assert retry_after("30") == 30
    assert retry_after(email.utils.formatdate(now + 90, usegmt=True), now) == pytest.approx(90, abs=1)
    assert retry_after(email.utils.formatdate(now - 90, usegmt=True), now) == 0
    assert retry_after("soon") is None and retry_after(None) is None and retry_after("") is None


# --- counts while sending ---------------------------------------------------------------------------------


async def test_counts_are_live_while_sending(client, push, in_app, as_organiser):
    subscriptions = [await push.subscribe(await new_device(client, in_app)) for _ in range(6)]
    push.receiver.hold_after(2)
    alert = await push.send(as_organiser)
    view = await push.wait(as_organiser, alert["id"], until=lambda a: a["counts"]["sent"] == 2)
    assert view["status"] == "sending" and view["counts"]["queued"] == 4 and view["counts"]["total"] == 6
    push.receiver.release()
    view = await push.wait(as_organiser, alert["id"])
    assert view["counts"]["sent"] == 6
    assert sorted(len(push.receiver.messages(s)) for s in subscriptions) == [1] * 6
