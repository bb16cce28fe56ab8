"""Alerts and reminders fanned out by the workers of two hosts at once, one host killed (SIGKILL) in the middle:
every subscription gets each message exactly once. The surviving host's worker takes over the dead one's claims
when their lease ends; what the dead one had recorded as sent is never sent again.

The hosts run on the machine's clock, as a deployment's hosts do: leases are in the workers' clock, and a shifted
festival clock (`--now`) starts at each process's own start, so two hosts started seconds apart would disagree by
the first one's start-up time; once that passed a lease, one live host took over the other's claims mid-send and
both sent them."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.push.receiver import Receiver

from .conftest import query

PHONES = 30
#: once everything is queued, the receiver accepts this many more messages, then holds every request until the
#: host is dead
ACCEPTED_BEFORE_THE_KILL = 10
#: the claims' lease: short enough for the survivor to take the dead host's claims over soon, long enough that a
#: loaded machine does not stall a live worker past it between two renewals (every third of a lease)
LEASE_S = 30


def wait_for(condition, timeout: float, what: str, state=lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {state()}"
        time.sleep(0.05)


@pytest.fixture
def receiver():
    r = Receiver().start_in_thread()
    yield r
    r.stop_thread()


@pytest.mark.slow
def test_a_host_killed_mid_fan_out_and_every_phone_gets_each_message_once(hosts, receiver):
    env = {
        "LEHOI_PUSH_HOSTS": receiver.origin,
        "LEHOI_PUSH_BATCH": "5",  # small claims, so both hosts' workers hold some
        "LEHOI_PUSH_CONCURRENCY": "4",
        "LEHOI_PUSH_POLL_S": "0.05",
        "LEHOI_PUSH_LEASE_S": str(LEASE_S),
        "LEHOI_PUSH_TIMEOUT_S": "120",  # held requests wait for the kill, not for a timeout
        "LEHOI_DEVICE_RATE_PER_MINUTE": "1000",
    }
    a, b = hosts(2, now="", env=env)
    keys = {httpx.get(s.url + "/api/push/vapid-public-key").json()["public_key"] for s in (a, b)}
    assert len(keys) == 1, "the hosts sign with different VAPID keys"
    receiver.server_public_key = keys.pop()

    # an event starting in ten minutes: every phone that stars it is due a reminder at once
    venue = httpx.get(a.url + "/api/venues").json()[0]["id"]
    starts = datetime.now(UTC) + timedelta(minutes=10)
    soon = {
        "id": "soon-on-two-hosts",
        "title": {"vi": "Sắp bắt đầu", "en": "Starting soon"},
        "category": "workshop",
        "venue_id": venue,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(minutes=50)).isoformat(),
    }
    assert httpx.post(a.url + "/api/events", json=soon, headers=a.organiser()).status_code == 201
    # half the phones star it through b, which must have seen the edit first
    wait_for(lambda: httpx.get(f"{b.url}/api/events/{soon['id']}").status_code == 200, 10, "the event on host b")
    subscriptions = []
    for n in range(PHONES):
        host = (a, b)[n % 2]
        device = httpx.post(host.url + "/api/devices", json={}).json()
        auth = {"Authorization": f"Bearer {device['token']}"}
        subscription = receiver.new_subscription()
        response = httpx.post(host.url + "/api/push/subscriptions", json=subscription, headers=auth)
        assert response.status_code == 201, response.text
        star = {"id": f"00000000-0000-4000-8000-{n:012d}", "name": "favourite.set", "args": {"event_id": soon["id"]}}
        pushed = httpx.post(
            host.url + "/api/sync/push", json={"client_id": device["device_id"], "mutations": [star]}, headers=auth
        )
        assert pushed.json()["results"][0]["status"] == "applied", pushed.text
        subscriptions.append(subscription)
    alert = {"title": {"vi": "Thông báo", "en": "Notice"}, "body": {"vi": "Nội dung", "en": "Details"}}
    sent = httpx.post(b.url + "/api/organiser/alerts", json={**alert, "target": {"all": True}}, headers=b.organiser())
    assert sent.status_code == 201 and sent.json()["recipients"] == PHONES, sent.text
    receiver.hold_after(ACCEPTED_BEFORE_THE_KILL)

    def status_counts() -> dict[str, int]:
        rows = query(a, "SELECT status, count(*) AS n FROM push_delivery GROUP BY status")
        return {r["status"]: r["n"] for r in rows}

    def claimants() -> set[str]:
        """The pids of the processes holding claims on deliveries not yet sent."""
        owners = query(
            a, "SELECT DISTINCT lease_owner FROM push_delivery WHERE status = 'queued' AND lease_owner IS NOT NULL"
        )
        return {o["lease_owner"].split(":")[1] for o in owners}

    def claimed_by_both() -> bool:
        return {str(a.process.pid), str(b.process.pid)} <= claimants()

    # both hosts' workers are sending, what was accepted is recorded, the rest is held at the push service
    wait_for(
        lambda: receiver.held and status_counts().get("sent") == receiver.accepted and claimed_by_both(),
        120,
        "both hosts sending, the first messages recorded",
        lambda: (
            f"accepted {receiver.accepted}, held {receiver.held}, rows {status_counts()}, claimants {claimants()}, "
            f"hosts {a.process.pid} and {b.process.pid}"
        ),
    )
    a.kill()
    receiver.release()

    wait_for(
        lambda: status_counts() == {"sent": 2 * PHONES},
        120,
        "every alert and reminder sent by the survivor",
        status_counts,
    )
    assert receiver.errors == []
    for subscription in subscriptions:
        kinds = sorted(m.payload["kind"] for m in receiver.messages(subscription))
        assert kinds == ["alert", "reminder"], (subscription["endpoint"], kinds)
    cut = [at for s in subscriptions for at in receiver.attempts(s) if at[0] == 0]
    assert cut, "the killed host had no request in flight: the test proved nothing about its claims"
    view = httpx.get(f"{b.url}/api/organiser/alerts/{sent.json()['id']}", headers=b.organiser()).json()
    assert view["counts"]["sent"] == PHONES and view["status"] == "done", view
