"""The stamp passport: venue posters with stamp tokens, `stamp.collect` mutations, and GET /api/me/stamps."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from datetime import timedelta

from server.checkin.tokens import issue_stamp
from server.codecs import qr

from .checkin_support import now, push, volunteer

SVG = "{http://www.w3.org/2000/svg}"


def collect(token: str, at) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "name": "stamp.collect",
        "args": {"stamp_token": token, "collected_at": at.isoformat()},
    }


async def test_a_poster_shows_the_venue_and_a_stamp_code(client, as_organiser):
    venue = (await client.get("/api/venues/hoa-lo")).json()
    response = await client.get("/api/venues/hoa-lo/poster.svg", headers=as_organiser)
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)
    assert root.get("viewBox") == "0 0 210 297" and root.get("width") == "210mm"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert " ".join(texts).count(venue["name"]["vi"].split()[0]) >= 1
    assert any(venue["name"]["en"].split()[0] in t for t in texts)
    # the code is the stamp token the server signs for this venue now (Ed25519 signatures are deterministic)
    token = issue_stamp(client.app.state.keyring, venue_id="hoa-lo", now=now(client))
    paths = [p.get("d") for p in root.iter(f"{SVG}path")]
    assert qr.svg_path(qr.matrix(token)) in paths


async def test_posters_are_for_organisers(client, in_app):
    gate = volunteer(client, in_app, "hoa-lo")
    assert (await client.get("/api/venues/hoa-lo/poster.svg")).status_code == 401
    assert (await client.get("/api/venues/hoa-lo/poster.svg", headers=gate["auth"])).status_code == 403


async def test_unknown_venue_poster(client, as_organiser):
    assert (await client.get("/api/venues/no-such-venue/poster.svg", headers=as_organiser)).status_code == 404


async def test_collecting_stamps(client, device):
    ring = client.app.state.keyring
    t = now(client)
    temple = issue_stamp(ring, venue_id="den-ngoc-son", now=t - timedelta(days=1))
    prison = issue_stamp(ring, venue_id="hoa-lo", now=t - timedelta(days=1))
    first = collect(temple, t - timedelta(hours=2))
    results = await push(client, device, [first, collect(temple, t), collect(prison, t - timedelta(hours=1))])
    assert [r["status"] for r in results] == ["applied"] * 3
    assert [r["data"]["new"] for r in results] == [True, False, True]
    assert results[1]["data"]["collected_at"] == results[0]["data"]["collected_at"]
    assert (await push(client, device, [first]))[0]["status"] == "duplicate"

    passport = (await client.get("/api/me/stamps", headers=device["auth"])).json()
    assert [s["venue_id"] for s in passport["stamps"]] == ["den-ngoc-son", "hoa-lo"]
    assert passport["collected"] == 2 and passport["total"] == len((await client.get("/api/venues")).json())


async def test_bad_stamps_are_rejected(client, device):
    ring = client.app.state.keyring
    t = now(client)
    good = issue_stamp(ring, venue_id="van-mieu", now=t)
    forged = good[:-2] + ("AA" if not good.endswith("AA") else "BA")
    nowhere = issue_stamp(ring, venue_id="no-such-venue", now=t)
    later = issue_stamp(ring, venue_id="van-mieu", now=t + timedelta(days=1))  # collected before it existed
    pass_token = "P1.abc.def"
    results = await push(
        client, device, [collect(forged, t), collect(nowhere, t), collect(later, t), collect(pass_token, t)]
    )
    assert [(r["status"], r["reason"]) for r in results] == [
        ("rejected", "invalid_signature"),
        ("rejected", "unknown_venue"),
        ("rejected", "expired"),
        ("rejected", "invalid_signature"),
    ]
    assert (await client.get("/api/me/stamps", headers=device["auth"])).json()["collected"] == 0
    assert (await client.get("/api/me/stamps")).status_code == 401


async def test_two_devices_with_the_same_mutation_id_each_get_their_stamp(client, in_app):
    from .checkin_support import attendee

    ring, t = client.app.state.keyring, now(client)
    token = issue_stamp(ring, venue_id="van-mieu", now=t - timedelta(days=1))
    first, second = attendee(client, in_app), attendee(client, in_app)
    mutation = collect(token, t - timedelta(minutes=5))
    for phone in (first, second):
        [result] = await push(client, phone, [mutation])
        assert result["status"] == "applied" and result["data"]["new"] is True
        passport = (await client.get("/api/me/stamps", headers=phone["auth"])).json()
        assert [s["venue_id"] for s in passport["stamps"]] == ["van-mieu"]
