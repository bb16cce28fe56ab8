"""Who holds a bearer token is read once per process: a phone's later requests cost no database work, while a
revocation made anywhere and an organiser token's expiry still count."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta

from server.accounts import principal as principal_module


async def test_a_known_token_is_not_read_again(client, device, monkeypatch):
    reads = []
    real = principal_module.TokenLookup._read

    async def counted(self, token, digest):
        reads.append(digest)
        return await real(self, token, digest)

    monkeypatch.setattr(principal_module.TokenLookup, "_read", counted)
    for _ in range(5):
        assert (await client.get("/api/me", headers=device["auth"])).status_code == 200
    assert len(reads) == 1
    assert (await client.get("/api/me", headers={"Authorization": "Bearer dev_nobody"})).status_code == 401


async def test_a_revocation_made_by_another_process_counts_within_a_poll(client, in_app):
    from server.accounts.devices import register_device
    from server.accounts.tables import Device

    device_id, token = in_app(register_device, client.app.state.clock.now(), "volunteer", ["cung-thieu-nhi"])
    auth = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/me", headers=auth)).status_code == 200

    async def revoke_elsewhere():  # as another host would: straight in the database, this process not told
        await Device.update({Device.revoked_at: client.app.state.clock.now()}).where(Device.id == device_id)

    in_app(revoke_elsewhere)
    deadline = time.monotonic() + 10 * principal_module.REVOCATIONS_POLL_S + 10
    while (await client.get("/api/me", headers=auth)).status_code == 200:
        assert time.monotonic() < deadline, "the revocation never reached this process"
        await asyncio.sleep(0.05)
    refused = await client.get("/api/me", headers=auth)
    assert refused.status_code == 403 and "device_revoked" in refused.json()["detail"]


async def test_an_organiser_token_expires_though_it_is_kept(client, clock, as_organiser):
    from server.accounts.service import ORGANISER_TOKEN_LIFETIME

    assert (await client.get("/api/organiser/volunteers", headers=as_organiser)).status_code == 200
    clock.advance(seconds=(ORGANISER_TOKEN_LIFETIME + timedelta(days=1)).total_seconds())
    try:
        assert (await client.get("/api/organiser/volunteers", headers=as_organiser)).status_code == 401
    finally:
        clock.advance(seconds=-(ORGANISER_TOKEN_LIFETIME + timedelta(days=1)).total_seconds())


async def test_a_devices_state_is_read_once_until_it_changes(client, device, monkeypatch):
    import uuid

    from server.accounts import states

    reads = []
    real = states.device_state

    async def counted(device_id, kept=None):
        reads.append(device_id)
        return await real(device_id, kept)

    monkeypatch.setattr(states, "device_state", counted)
    for _ in range(3):
        assert (await client.get("/api/me", headers=device["auth"])).json()["favourites"] == []
    assert reads == [device["id"]]
    event_id = (await client.get("/api/events")).json()[0]["id"]
    body = {
        "client_id": device["id"],
        "mutations": [{"id": str(uuid.uuid4()), "name": "favourite.set", "args": {"event_id": event_id}}],
    }
    assert (await client.post("/api/sync/push", json=body, headers=device["auth"])).status_code == 200
    assert (await client.get("/api/me", headers=device["auth"])).json()["favourites"] == [event_id]
    assert len(reads) == 2


async def test_another_processs_upload_reaches_the_kept_state(client, device, in_app):
    """On PostgreSQL a notice at the upload's commit reaches every process; SQLite has one process."""
    from server.accounts.states import CHANNEL
    from server.accounts.tables import Favourite

    engine = client.app.state.engine
    kept = client.app.state.device_states
    assert (await client.get("/api/me", headers=device["auth"])).json()["favourites"] == []
    event_id = (await client.get("/api/events")).json()[0]["id"]

    async def upload_elsewhere():  # as another host would: the write and its notice, in one transaction
        async with engine.transaction():
            await Favourite.insert(
                Favourite(device=device["id"], event_id=event_id, created_at=client.app.state.clock.now())
            )
            await kept.announce(device["id"])

    in_app(upload_elsewhere)
    if not client.app.state.settings.uses_postgres:
        assert device["id"] in kept._kept  # nobody else can write the file: what this process keeps stands
        kept.forget(device["id"])
        assert (await client.get("/api/me", headers=device["auth"])).json()["favourites"] == [event_id]
        return
    deadline = time.monotonic() + 10
    while (await client.get("/api/me", headers=device["auth"])).json()["favourites"] != [event_id]:
        assert time.monotonic() < deadline, f"no {CHANNEL} notice reached this process"
        await asyncio.sleep(0.02)


async def test_an_aged_state_is_answered_at_once_and_read_again_behind_it(client, device, in_app, monkeypatch):
    """A missed notice is bounded by the entry's age; when it runs out no request waits for the reading again."""
    from server.accounts import states
    from server.accounts.tables import Favourite

    kept = client.app.state.device_states
    assert (await client.get("/api/me", headers=device["auth"])).json()["favourites"] == []
    event_id = (await client.get("/api/events")).json()[0]["id"]

    async def upload_unannounced():  # a write whose notice this process never heard
        await Favourite.insert(
            Favourite(device=device["id"], event_id=event_id, created_at=client.app.state.clock.now())
        )

    in_app(upload_unannounced)
    gate = threading.Event()  # until the test opens it, reading the state again cannot finish
    real = states.device_state

    async def held(device_id: str, kept=None) -> dict:
        await asyncio.get_running_loop().run_in_executor(None, gate.wait, 30)
        return await real(device_id, kept)

    monkeypatch.setattr(states, "device_state", held)
    _, body = kept._kept[device["id"]]
    kept._kept[device["id"]] = (time.monotonic() - 1, body)  # aged out
    for _ in range(3):  # answered from what was kept, though the reading again is held up
        assert (await client.get("/api/me", headers=device["auth"])).json()["favourites"] == []
    gate.set()
    deadline = time.monotonic() + 10
    while (await client.get("/api/me", headers=device["auth"])).json()["favourites"] != [event_id]:
        assert time.monotonic() < deadline, "the aged state was never read again"
        await asyncio.sleep(0.02)
