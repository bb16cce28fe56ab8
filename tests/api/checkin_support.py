"""Helpers shared by the check-in API tests: devices of each role, passes, scans and pushes."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from server.checkin.tokens import issue_pass, new_pass_id

#: venues the tests scan at; each test file keeps to its own so occupancy figures stay predictable
CAPACITY_VENUE = "hang-buom-22"  # creative_space, capacity 150


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def volunteer(client, in_app, *venues: str) -> dict:
    from server.accounts.devices import register_device

    device_id, token = in_app(register_device, client.app.state.clock.now(), "volunteer", list(venues))
    return {"id": device_id, "token": token, "auth": auth(token), "venues": list(venues)}


def attendee(client, in_app) -> dict:
    from server.accounts.devices import register_device

    device_id, token = in_app(register_device, client.app.state.clock.now())
    return {"id": device_id, "token": token, "auth": auth(token)}


async def new_pass(client, in_app, issued_ago: timedelta | None = None) -> dict:
    """A fresh attendee device and its pass: {"device", "pass_id", "token"}, issued now or `issued_ago`."""
    device = attendee(client, in_app)
    clock = client.app.state.clock
    t = clock.now()
    if issued_ago is not None:
        clock.set(t - issued_ago)
    try:
        response = await client.post("/api/passes", headers=device["auth"])
    finally:
        clock.set(t)
    assert response.status_code == 201, response.text
    body = response.json()
    return {"device": device, "pass_id": body["pass_id"], "token": body["token"]}


def signed_token(client, *, issued: datetime, until: datetime, pass_id: str | None = None) -> str:
    """A pass token from the app's own key ring with chosen times (no stored pass)."""
    return issue_pass(
        client.app.state.keyring, pass_id=pass_id or new_pass_id(), kind="a", valid_until=until, now=issued
    )


def now(client) -> datetime:
    return client.app.state.clock.now()


def scan(token: str, venue: str, at: datetime, scan_id: str | None = None) -> dict:
    return {"id": scan_id or str(uuid.uuid4()), "pass_token": token, "venue_id": venue, "scanned_at": at.isoformat()}


async def check_in(
    client, device: dict, token: str, venue: str, at: datetime | None = None, scan_id: str | None = None
):
    body = scan(token, venue, at or now(client), scan_id)
    return await client.post("/api/checkins", json=body, headers=device["auth"])


def scan_mutation(token: str, venue: str, at: datetime, scan_id: str | None = None, **extra) -> dict:
    args = {"pass_token": token, "venue_id": venue, "scanned_at": at.isoformat(), **extra}
    return {"id": scan_id or str(uuid.uuid4()), "name": "checkin.scan", "args": args, "at": at.isoformat()}


async def push(client, device: dict, mutations: list[dict]):
    response = await client.post(
        "/api/sync/push", json={"client_id": device["id"], "mutations": mutations}, headers=device["auth"]
    )
    assert response.status_code == 200, response.text
    return response.json()["results"]


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)
