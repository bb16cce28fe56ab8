"""Passes: one per device, their QR codes for the owner only, revocation reaching phones, keys in the bundle."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

from server.checkin.keys import KeyRing
from server.checkin.tokens import verify_pass
from tests.support.bundles import current_bundle

from .checkin_support import attendee, auth, new_pass, volunteer


async def test_a_device_gets_one_active_pass(client, in_app):
    device = attendee(client, in_app)
    first = await client.post("/api/passes", headers=device["auth"])
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["token"].startswith("P1.") and body["kind"] == "a"
    # valid until the end of the day after the festival's last day (17 November), festival time
    assert datetime.fromisoformat(body["valid_until"]) == datetime.fromisoformat("2024-11-18T23:59:59+07:00")
    claims = verify_pass(body["token"], client.app.state.keyring, client.app.state.clock.now())
    assert claims.pass_id == body["pass_id"] and claims.kind == "a"
    assert body["qr_svg"].endswith(f"/api/passes/{body['pass_id']}/qr.svg")

    again = await client.post("/api/passes", headers=device["auth"])
    assert again.status_code == 200
    assert (again.json()["pass_id"], again.json()["token"]) == (body["pass_id"], body["token"])
    status = await client.get(f"/api/passes/{body['pass_id']}", headers=device["auth"])
    assert status.status_code == 200 and status.json()["revoked_at"] is None


async def test_only_attendee_devices_get_passes(client, in_app, as_organiser):
    assert (await client.post("/api/passes")).status_code == 401
    assert (await client.post("/api/passes", headers=auth("dev_not-a-token"))).status_code == 401
    assert (await client.post("/api/passes", headers=as_organiser)).status_code == 403
    scanner = volunteer(client, in_app, "van-mieu")
    assert (await client.post("/api/passes", headers=scanner["auth"])).status_code == 403


async def test_pass_requests_are_rate_limited_per_device(client, in_app):
    from server.checkin.controllers import PASS_RATE_PER_MINUTE

    device = attendee(client, in_app)
    statuses = [
        (await client.post("/api/passes", headers=device["auth"])).status_code for _ in range(PASS_RATE_PER_MINUTE + 2)
    ]
    assert statuses[0] == 201 and statuses.count(429) == 2, statuses
    other = attendee(client, in_app)  # another device behind the same address is not affected
    assert (await client.post("/api/passes", headers=other["auth"])).status_code == 201


async def test_qr_codes_are_for_the_owner_and_organisers(client, in_app, as_organiser):
    issued = await new_pass(client, in_app)
    base = f"/api/passes/{issued['pass_id']}"
    owner = issued["device"]["auth"]
    svg = await client.get(f"{base}/qr.svg", headers=owner)
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert ET.fromstring(svg.content).tag.endswith("svg")
    png = await client.get(f"{base}/qr.png", headers=owner, params={"scale": 4})
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert (await client.get(f"{base}/qr.svg", headers=as_organiser)).status_code == 200

    stranger = attendee(client, in_app)
    assert (await client.get(f"{base}/qr.svg", headers=stranger["auth"])).status_code == 403
    assert (await client.get(f"{base}/qr.png", headers=stranger["auth"])).status_code == 403
    assert (await client.get(f"{base}", headers=stranger["auth"])).status_code == 403
    assert (await client.get(f"{base}/qr.svg")).status_code == 401
    assert (await client.get("/api/passes/NoSuch1/qr.svg", headers=owner)).status_code == 404
    assert (await client.get("/api/passes/bad-id!/qr.svg", headers=owner)).status_code == 422
    assert (await client.get(f"{base}/qr.png", headers=owner, params={"scale": 99})).status_code == 422


async def test_revocation_reaches_the_bundle_and_the_feed(client, in_app, as_organiser):
    issued = await new_pass(client, in_app)
    pass_id = issued["pass_id"]
    version = (await client.get("/api/festival")).json()["version"]

    revoked = await client.post(
        f"/api/organiser/passes/{pass_id}/revoke", json={"reason": "shared online"}, headers=as_organiser
    )
    assert revoked.status_code == 200, revoked.text
    at = revoked.json()["revoked_at"]
    again = await client.post(f"/api/organiser/passes/{pass_id}/revoke", headers=as_organiser)
    assert again.status_code == 200 and again.json()["revoked_at"] == at

    bundle = (await current_bundle(client)).json()
    assert pass_id in bundle["revoked_passes"]
    feed = (await client.get("/api/sync/changes", params={"since": version})).json()
    assert feed["to"] == version + 1
    assert feed["upserts"] == {"revoked_pass": [{"id": pass_id, "revoked_at": at}]}
    status = (await client.get(f"/api/passes/{pass_id}", headers=issued["device"]["auth"])).json()
    assert status["revoked_at"] == at

    # the device is given a new pass: its revoked one is no longer active
    fresh = await client.post("/api/passes", headers=issued["device"]["auth"])
    assert fresh.status_code == 201 and fresh.json()["pass_id"] != pass_id


async def test_revoking_needs_an_organiser_and_a_pass(client, in_app, as_organiser):
    issued = await new_pass(client, in_app)
    path = f"/api/organiser/passes/{issued['pass_id']}/revoke"
    assert (await client.post(path)).status_code == 401
    assert (await client.post(path, headers=issued["device"]["auth"])).status_code == 403
    assert (await client.post("/api/organiser/passes/NoSuch1/revoke", headers=as_organiser)).status_code == 404
    too_long = {"reason": "x" * 201}
    assert (await client.post(path, json=too_long, headers=as_organiser)).status_code == 422
    assert (await client.post(path, json={"why": "x"}, headers=as_organiser)).status_code == 422


async def test_the_bundle_carries_the_public_keys(client):
    bundle = (await current_bundle(client)).json()
    ring: KeyRing = client.app.state.keyring
    expected = {k.id: k.public_key for k in ring.public_keys()}
    assert {k["id"]: k["public_key"] for k in bundle["pass_keys"]} == expected
    assert all(k["alg"] == "Ed25519" for k in bundle["pass_keys"])
    assert isinstance(bundle["revoked_passes"], list)


async def test_a_key_rotation_reaches_phones(client, in_app):
    from server.checkin.signing import mirror_public_keys

    ring: KeyRing = client.app.state.keyring
    version = (await client.get("/api/festival")).json()["version"]
    before = ring.signing_key_id
    new_id = ring.rotate(now=client.app.state.clock.now())
    try:
        assert in_app(mirror_public_keys, client.app.state.engine, ring, client.app.state.clock.now())
        client.app.state.snapshots.invalidate()
        feed = (await client.get("/api/sync/changes", params={"since": version})).json()
        assert [k["id"] for k in feed["upserts"]["pass_key"]] == [new_id]
        bundle = (await current_bundle(client)).json()
        assert {k["id"] for k in bundle["pass_keys"]} >= {before, new_id}
        # a pass issued now is signed with the new key and verifies as before
        issued = await new_pass(client, in_app)
        assert verify_pass(issued["token"], ring, client.app.state.clock.now()).key_id == new_id
    finally:
        # nothing is undone: the old key keeps verifying the passes it signed, as after a real rotation
        assert not in_app(mirror_public_keys, client.app.state.engine, ring, client.app.state.clock.now())
