"""Live check-ins: the verdict matrix in the order of docs/contract.md, role guards, bad input, occupancy and stats."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from server.checkin.keys import KeyRing
from server.checkin.tokens import issue_pass
from server.codecs import b64url

from .checkin_support import (
    attendee,
    check_in,
    minutes,
    new_pass,
    now,
    scan,
    signed_token,
    volunteer,
)

VENUE = "van-mieu"  # heritage, capacity 1500: 60-minute occupancy window
OTHER = "hoa-lo"


@pytest.fixture
def gate(client, in_app) -> dict:
    """A volunteer enrolled at VENUE."""
    return volunteer(client, in_app, VENUE)


def tamper(token: str) -> str:
    head, _, signature = token.rpartition(".")
    raw = bytearray(b64url.decode(signature))
    raw[0] ^= 1
    return f"{head}.{b64url.encode(bytes(raw))}"


def foreign_token(client, key_id: str = "zz") -> str:
    """A well-formed pass signed by a key the server does not hold."""
    entry = f"{key_id}:{b64url.encode(Ed25519PrivateKey.generate().private_bytes_raw())}"
    ring = KeyRing.from_env(entry)
    return issue_pass(ring, pass_id="Foreign", kind="a", valid_until=now(client) + timedelta(days=1), now=now(client))


async def verdict(client, gate, token, venue=VENUE, **kw) -> tuple[str, str | None]:
    response = await check_in(client, gate, token, venue, **kw)
    assert response.status_code == 200, response.text
    body = response.json()
    return body["status"], body.get("reason")


async def test_accepted_then_already_checked_in_then_duplicate(client, in_app, gate):
    issued = await new_pass(client, in_app)
    scan_id = str(uuid.uuid4())
    first = await check_in(client, gate, issued["token"], VENUE, scan_id=scan_id)
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["status"], body["pass_id"], body["id"]) == ("accepted", issued["pass_id"], scan_id)
    assert body["occupancy"]["venue_id"] == VENUE and body["occupancy"]["count"] >= 1
    assert body["occupancy"]["capacity"] == 1500 and body["occupancy"]["level"] == "low"

    assert await verdict(client, gate, issued["token"]) == ("rejected", "already_checked_in")
    replay = (await check_in(client, gate, issued["token"], VENUE, scan_id=scan_id)).json()
    assert (replay["status"], replay["recorded_status"]) == ("duplicate", "accepted")
    # a scan id is the phone's; upper-case spelling is the same id
    assert (await check_in(client, gate, issued["token"], VENUE, scan_id=scan_id.upper())).json()[
        "status"
    ] == "duplicate"
    # the same pass is welcome at another venue the same day
    elsewhere = volunteer(client, in_app, OTHER)
    assert await verdict(client, elsewhere, issued["token"], OTHER) == ("accepted", None)


async def test_signature_verdicts(client, in_app, gate):
    issued = await new_pass(client, in_app)
    assert await verdict(client, gate, tamper(issued["token"])) == ("rejected", "invalid_signature")
    assert await verdict(client, gate, foreign_token(client)) == ("rejected", "unknown_key")
    # the foreign ring's key id is one the server holds: the signature, not the id, decides
    assert await verdict(client, gate, foreign_token(client, client.app.state.keyring.signing_key_id)) == (
        "rejected",
        "invalid_signature",
    )
    # a rejected scan is recorded: its id answers duplicate with the recorded verdict
    scan_id = str(uuid.uuid4())
    await check_in(client, gate, tamper(issued["token"]), VENUE, scan_id=scan_id)
    replay = (await check_in(client, gate, tamper(issued["token"]), VENUE, scan_id=scan_id)).json()
    assert (replay["status"], replay["recorded_status"], replay["recorded_reason"]) == (
        "duplicate",
        "rejected",
        "invalid_signature",
    )


async def test_revoked_comes_before_expired_and_expired_before_venue_rules(client, in_app, gate, as_organiser):
    issued = await new_pass(client, in_app)
    await client.post(f"/api/organiser/passes/{issued['pass_id']}/revoke", headers=as_organiser)
    assert await verdict(client, gate, issued["token"]) == ("rejected", "revoked")

    t = now(client)
    expired = signed_token(client, issued=t - timedelta(days=3), until=t - timedelta(days=1))
    assert await verdict(client, gate, expired) == ("rejected", "expired")
    not_yet = signed_token(client, issued=t + timedelta(hours=2), until=t + timedelta(days=1))
    assert await verdict(client, gate, not_yet) == ("rejected", "expired")

    # a revoked pass that also expired is refused as revoked (signature, revoked, window, venue, duplicate)
    old = await new_pass(client, in_app)
    old_expired = signed_token(
        client, issued=t - timedelta(days=3), until=t - timedelta(days=1), pass_id=old["pass_id"]
    )
    await client.post(f"/api/organiser/passes/{old['pass_id']}/revoke", headers=as_organiser)
    assert await verdict(client, gate, old_expired) == ("rejected", "revoked")
    # expired at a venue the volunteer is not enrolled for: expired first
    elsewhere = volunteer(client, in_app, OTHER)
    assert await verdict(client, elsewhere, expired, VENUE) == ("rejected", "expired")


async def test_not_enrolled(client, in_app):
    issued = await new_pass(client, in_app)
    elsewhere = volunteer(client, in_app, OTHER)
    assert await verdict(client, elsewhere, issued["token"], VENUE) == ("rejected", "not_enrolled")
    # the refusal did not use up the pass: at its own venue it is accepted
    assert await verdict(client, volunteer(client, in_app, VENUE), issued["token"]) == ("accepted", None)


async def test_capacity_full_counts_only_the_window(client, in_app, as_organiser, fresh_programme, clock):
    venue = "thap-nuoc-hang-dau"  # creative_space: a 90-minute window
    response = await client.patch(f"/api/venues/{venue}", json={"capacity": 2}, headers=as_organiser)
    assert response.status_code == 200
    client.app.state.snapshots.invalidate()
    gate = volunteer(client, in_app, venue)
    start = clock.now()
    try:
        clock.set(start + timedelta(days=1))  # a quiet day of its own
        passes = [await new_pass(client, in_app) for _ in range(4)]
        first = (await check_in(client, gate, passes[0]["token"], venue)).json()
        assert first["status"] == "accepted" and first["occupancy"]["level"] == "medium"
        second = (await check_in(client, gate, passes[1]["token"], venue)).json()
        assert second["status"] == "accepted" and second["occupancy"] | {"updated_at": None} == {
            "venue_id": venue,
            "count": 2,
            "capacity": 2,
            "level": "full",
            "updated_at": None,
            "window_min": 90,
        }
        assert await verdict(client, gate, passes[2]["token"], venue) == ("rejected", "capacity_full")
        # capacity comes before the duplicate rule
        assert await verdict(client, gate, passes[0]["token"], venue) == ("rejected", "capacity_full")

        occupancy = (await client.get(f"/api/venues/{venue}/occupancy")).json()
        assert (occupancy["count"], occupancy["level"]) == (2, "full")
        clock.advance(minutes=91)  # the first two have moved on
        occupancy = (await client.get(f"/api/venues/{venue}/occupancy")).json()
        assert (occupancy["count"], occupancy["level"]) == (0, "low")
        assert await verdict(client, gate, passes[3]["token"], venue) == ("accepted", None)
    finally:
        clock.set(start)


async def test_scanning_needs_a_volunteer(client, in_app, as_organiser):
    issued = await new_pass(client, in_app)
    body = scan(issued["token"], VENUE, now(client))
    assert (await client.post("/api/checkins", json=body)).status_code == 401
    assert (await client.post("/api/checkins", json=body, headers=issued["device"]["auth"])).status_code == 403
    assert (await client.post("/api/checkins", json=body, headers=as_organiser)).status_code == 403


@pytest.mark.parametrize(
    "text",
    [
        "hello world",
        "https://hcdf.vn/",
        "S1.abc.def",  # not a pass; a stamp is not a pass
        "P1.a.b.c",
        "P1." + "A" * 300 + ".x",
    ],
)
async def test_a_qr_code_that_is_not_a_pass_is_a_scan_rejected_as_such(client, in_app, gate, text):
    """Whatever the camera read is a fact of the door, online as offline: recorded, and refused."""
    response = await client.post("/api/checkins", json=scan(text, VENUE, now(client)), headers=gate["auth"])
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["reason"]) == ("rejected", "invalid_signature")


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"pass_token": "x" * 2954}, 422),  # more than a QR code holds
        ({"pass_token": ""}, 422),
        ({"id": "not-a-uuid"}, 422),
        ({"venue_id": "No Such Venue"}, 422),
        ({"venue_id": "no-such-venue"}, 404),
        ({"scanned_at": "2024-11-12T10:00:00"}, 422),  # no offset
        ({"scanned_at": "tomorrow"}, 422),
        ({"scanned_at": "+future"}, 422),  # far in the future: the phone's clock is wrong
        ({"scanned_at": "+past"}, 422),  # long ago: belongs in the outbox
        ({"extra": 1}, 422),
        ({"pass_token": None}, 422),
    ],
)
async def test_bad_input_is_refused_and_recorded_nowhere(client, in_app, gate, change, status):
    issued = await new_pass(client, in_app)
    body = scan(issued["token"], VENUE, now(client))
    for key, value in change.items():
        if value == "+future":
            value = (now(client) + timedelta(hours=1)).isoformat()
        elif value == "+past":
            value = (now(client) - timedelta(hours=1)).isoformat()
        body[key] = value
    response = await client.post("/api/checkins", json=body, headers=gate["auth"])
    assert response.status_code == status, response.text
    assert response.json()["detail"]
    # nothing was recorded: the pass is still welcome
    assert await verdict(client, gate, issued["token"]) == ("accepted", None)


async def test_a_scan_id_reused_for_another_scan_is_a_conflict(client, in_app, gate):
    one, two = await new_pass(client, in_app), await new_pass(client, in_app)
    scan_id = str(uuid.uuid4())
    assert (await check_in(client, gate, one["token"], VENUE, scan_id=scan_id)).status_code == 200
    response = await check_in(client, gate, two["token"], VENUE, scan_id=scan_id)
    assert response.status_code == 409 and "scan id" in response.json()["detail"]


async def test_small_clock_differences_are_fine(client, in_app, gate):
    issued = await new_pass(client, in_app)
    ahead = now(client) + minutes(2)
    assert (await check_in(client, gate, issued["token"], VENUE, at=ahead)).json()["status"] == "accepted"
    other = await new_pass(client, in_app)
    behind = now(client) - minutes(10)
    assert (await check_in(client, gate, other["token"], VENUE, at=behind)).json()["status"] == "accepted"


async def test_occupancy_endpoint(client, in_app):
    venue = "bao-tang-phu-nu"
    gate = volunteer(client, in_app, venue)
    before = (await client.get(f"/api/venues/{venue}/occupancy")).json()
    assert before["capacity"] == 600 and before["window_min"] == 60
    for _ in range(3):
        await check_in(client, gate, (await new_pass(client, in_app))["token"], venue)
    after = (await client.get(f"/api/venues/{venue}/occupancy")).json()
    assert after["count"] == before["count"] + 3
    assert datetime.fromisoformat(after["updated_at"]) == now(client)
    garden = (await client.get("/api/venues/vuon-hoa-ly-thai-to/occupancy")).json()
    assert garden["capacity"] is None and garden["level"] == "low" and garden["window_min"] == 45
    assert (await client.get("/api/venues/no-such-venue/occupancy")).status_code == 404
    assert (await client.get("/api/venues/Bad_Venue/occupancy")).status_code == 422


async def test_stats_by_venue_and_by_hour(client, in_app, as_organiser):
    venue = "bao-tang-dan-toc-hoc"
    gate = volunteer(client, in_app, venue)
    issued = await new_pass(client, in_app)
    await check_in(client, gate, issued["token"], venue)
    await check_in(client, gate, issued["token"], venue)
    await check_in(client, gate, tamper(issued["token"]), venue)
    day = now(client).date().isoformat()

    by_venue = await client.get(
        "/api/organiser/stats/checkins", params={"by": "venue", "venue": venue}, headers=as_organiser
    )
    assert by_venue.status_code == 200, by_venue.text
    body = by_venue.json()
    [row] = body["rows"]
    assert row["key"] == venue
    assert row["counts"] == {
        "accepted": 1,
        "rejected": 2,
        "offline": 0,
        "flagged": 0,
        "device_revoked": 0,
        "reasons": {"already_checked_in": 1, "invalid_signature": 1},
    }
    assert row["occupancy"]["venue_id"] == venue and body["totals"] == row["counts"]

    by_hour = (
        await client.get(
            "/api/organiser/stats/checkins", params={"by": "hour", "venue": venue, "day": day}, headers=as_organiser
        )
    ).json()
    assert [r["key"] for r in by_hour["rows"]] == ["2024-11-12T10:00:00+07:00"]
    assert by_hour["rows"][0]["counts"]["accepted"] == 1 and by_hour["day"] == day
    everything = (await client.get("/api/organiser/stats/checkins", headers=as_organiser)).json()
    assert everything["by"] == "venue" and everything["totals"]["accepted"] >= 1

    assert (await client.get("/api/organiser/stats/checkins")).status_code == 401
    assert (await client.get("/api/organiser/stats/checkins", headers=gate["auth"])).status_code == 403
    bad = {"by": "week"}
    assert (await client.get("/api/organiser/stats/checkins", params=bad, headers=as_organiser)).status_code == 422
    unknown = {"venue": "no-such-venue"}
    assert (await client.get("/api/organiser/stats/checkins", params=unknown, headers=as_organiser)).status_code == 404
    assert (
        await client.get("/api/organiser/stats/checkins", params={"day": "12/11"}, headers=as_organiser)
    ).status_code == 422


async def test_an_attendee_cannot_review_scans(client, in_app):
    device = attendee(client, in_app)
    assert (await client.get("/api/organiser/checkins", headers=device["auth"])).status_code == 403


async def test_concurrent_scans_of_one_pass_accept_it_once(client, in_app):
    """Six gates judge one pass at the same moment, each in its own transaction (on PostgreSQL on its own
    connection): the per-venue lock lets exactly one accept it."""
    import asyncio

    from server.auth import Principal
    from server.checkin.schemas import ScanRequest

    venue = "bac-bo-phu"
    issued = await new_pass(client, in_app)
    service = client.app.state.checkins
    snapshot = await client.app.state.snapshots.get()
    t = now(client)

    async def all_at_once():
        return await asyncio.gather(
            *(
                service.scan(
                    Principal(role="volunteer", subject=f"gate-{n}", venues=(venue,)),
                    snapshot,
                    ScanRequest(id=str(uuid.uuid4()), pass_token=issued["token"], venue_id=venue, scanned_at=t),
                    t,
                )
                for n in range(6)
            )
        )

    verdicts = sorted((v.status, v.reason) for v in in_app(all_at_once))
    assert verdicts == [("accepted", None)] + [("rejected", "already_checked_in")] * 5


async def test_scans_committed_together_stay_separate(client, in_app):
    """Scans queued behind one commit go into the next one together; one that fails is refused alone."""
    import asyncio

    from server.auth import Principal
    from server.checkin.schemas import ScanRequest
    from server.errors import Conflict

    venue = "ngan-hang-nha-nuoc"
    passes = [await new_pass(client, in_app) for _ in range(4)]
    service = client.app.state.checkins
    snapshot = await client.app.state.snapshots.get()
    t = now(client)
    gate = Principal(role="volunteer", subject="gate-x", venues=(venue,))
    reused = str(uuid.uuid4())

    def request(token, scan_id=None):
        return ScanRequest(id=scan_id or str(uuid.uuid4()), pass_token=token, venue_id=venue, scanned_at=t)

    async def together():
        await service.scan(gate, snapshot, request(passes[0]["token"], reused), t)
        return await asyncio.gather(
            service.scan(gate, snapshot, request(passes[1]["token"]), t),
            service.scan(gate, snapshot, request(passes[2]["token"], reused), t),  # the id of another scan
            service.scan(gate, snapshot, request(passes[3]["token"]), t),
            service.scan(gate, snapshot, request(passes[1]["token"]), t),  # the same pass twice in one group
            return_exceptions=True,
        )

    first, clash, third, again = in_app(together)
    assert isinstance(clash, Conflict)
    assert third.status == "accepted"
    # the same pass twice: whichever is decided first is accepted (on PostgreSQL they race for the venue's lock)
    assert sorted([(first.status, first.reason), (again.status, again.reason)]) == [
        ("accepted", None),
        ("rejected", "already_checked_in"),
    ]
    assert max(v.occupancy.count for v in (first, third, again)) >= 3
