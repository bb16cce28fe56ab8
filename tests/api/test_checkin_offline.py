"""Offline scans (`checkin.scan` mutations): recorded as facts, conflicts flagged, exactly once across online and
offline, and a revoked device's uploads kept for review but refused."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from .checkin_support import check_in, minutes, new_pass, now, push, scan_mutation, signed_token, volunteer

VENUE = "bao-tang-my-thuat"  # heritage, capacity 800
#: passes are issued this long before the (fixed) festival clock, so scans can be made "earlier today"
EARLIER = timedelta(hours=3)


async def review(client, as_organiser, **params) -> dict[str, dict]:
    response = await client.get("/api/organiser/checkins", params={"limit": 1000, **params}, headers=as_organiser)
    assert response.status_code == 200, response.text
    return {r["id"]: r for r in response.json()}


async def test_an_offline_scan_is_recorded_as_a_fact(client, in_app, as_organiser):
    gate = volunteer(client, in_app, VENUE)
    issued = await new_pass(client, in_app, EARLIER)
    m = scan_mutation(issued["token"], VENUE, now(client) - minutes(40), verdict_shown="accepted")
    [result] = await push(client, gate, [m])
    assert result["status"] == "applied"
    assert result["data"] == {"verdict": "accepted", "reason": None, "conflicts": [], "pass_id": issued["pass_id"]}
    record = (await review(client, as_organiser, venue=VENUE))[m["id"]]
    assert record["offline"] is True and record["conflicts"] == [] and record["verdict_shown"] == "accepted"
    assert record["device_id"] == gate["id"] and record["status"] == "accepted"
    # a replay of the mutation is a duplicate, and the pass counts once
    assert (await push(client, gate, [m]))[0]["status"] == "duplicate"
    later = await check_in(client, gate, issued["token"], VENUE)
    assert later.json()["reason"] == "already_checked_in"


async def test_two_volunteers_scanning_one_pass_offline_are_both_recorded_one_flagged(client, in_app, as_organiser):
    east, west = volunteer(client, in_app, VENUE), volunteer(client, in_app, VENUE)
    issued = await new_pass(client, in_app, EARLIER)
    t = now(client) - minutes(30)
    a = scan_mutation(issued["token"], VENUE, t, verdict_shown="accepted")
    b = scan_mutation(issued["token"], VENUE, t + minutes(3), verdict_shown="accepted")
    [first] = await push(client, east, [a])
    [second] = await push(client, west, [b])
    assert first["data"]["verdict"] == "accepted" and first["data"]["conflicts"] == []
    assert second["status"] == "applied"
    assert second["data"] == {
        "verdict": "rejected",
        "reason": "already_checked_in",
        "conflicts": ["double_scan"],
        "pass_id": issued["pass_id"],
    }
    flagged = await review(client, as_organiser, venue=VENUE, flagged="true")
    assert b["id"] in flagged and a["id"] not in flagged
    assert flagged[b["id"]]["conflicts"] == ["double_scan"] and flagged[b["id"]]["offline"] is True


async def test_the_same_phone_scanning_twice_is_no_conflict(client, in_app):
    gate = volunteer(client, in_app, VENUE)
    issued = await new_pass(client, in_app, EARLIER)
    t = now(client) - minutes(20)
    results = await push(
        client,
        gate,
        [
            scan_mutation(issued["token"], VENUE, t, verdict_shown="accepted"),
            scan_mutation(issued["token"], VENUE, t + minutes(1), verdict_shown="already_checked_in"),
        ],
    )
    assert [(r["data"]["verdict"], r["data"]["reason"], r["data"]["conflicts"]) for r in results] == [
        ("accepted", None, []),
        ("rejected", "already_checked_in", []),
    ]


async def test_an_offline_scan_of_a_pass_accepted_online_elsewhere_is_flagged(client, in_app):
    online, offline = volunteer(client, in_app, VENUE), volunteer(client, in_app, VENUE)
    issued = await new_pass(client, in_app, EARLIER)
    assert (await check_in(client, online, issued["token"], VENUE)).json()["status"] == "accepted"
    [result] = await push(client, offline, [scan_mutation(issued["token"], VENUE, now(client) - minutes(1))])
    assert result["data"]["conflicts"] == ["double_scan"]


async def test_a_pass_revoked_before_the_scan_is_flagged_after_it_is_not(client, in_app, as_organiser, clock):
    gate = volunteer(client, in_app, VENUE)
    revoked_first, revoked_later = await new_pass(client, in_app, EARLIER), await new_pass(client, in_app, EARLIER)
    t = now(client)
    scan_before = scan_mutation(revoked_later["token"], VENUE, t - minutes(10))
    # revoked_later is scanned before its revocation; revoked_first after
    [result] = await push(client, gate, [scan_before])
    assert result["data"]["verdict"] == "accepted"
    for issued in (revoked_first, revoked_later):
        await client.post(f"/api/organiser/passes/{issued['pass_id']}/revoke", headers=as_organiser)
    clock.advance(minutes=5)
    try:
        after = scan_mutation(revoked_first["token"], VENUE, now(client) - minutes(1), verdict_shown="accepted")
        knew = scan_mutation(revoked_first["token"], VENUE, now(client) - minutes(1), verdict_shown="revoked")
        results = await push(client, gate, [after, knew])
    finally:
        clock.set(t)
    assert [(r["data"]["reason"], r["data"]["conflicts"]) for r in results] == [
        ("revoked", ["revoked"]),  # the phone's bundle predated the revocation
        ("revoked", []),  # the phone knew and refused it: no conflict
    ]


async def test_offline_scans_are_judged_at_their_own_time(client, in_app):
    gate = volunteer(client, in_app, VENUE)
    t = now(client)
    # valid when scanned yesterday, expired now: still a good scan
    token = signed_token(client, issued=t - timedelta(days=2), until=t - timedelta(hours=1))
    [result] = await push(client, gate, [scan_mutation(token, VENUE, t - timedelta(hours=2))])
    assert result["data"]["verdict"] == "accepted"
    # the capacity is not judged after the fact, the enrolment is
    other = volunteer(client, in_app, "hoang-thanh")
    [result] = await push(client, other, [scan_mutation((await new_pass(client, in_app, EARLIER))["token"], VENUE, t)])
    assert result["data"]["reason"] == "not_enrolled"


async def test_a_phone_clock_running_ahead_is_recorded_at_arrival_and_flagged(client, in_app, as_organiser):
    gate = volunteer(client, in_app, VENUE)
    issued = await new_pass(client, in_app, EARLIER)
    m = scan_mutation(issued["token"], VENUE, now(client) + timedelta(days=1))
    [result] = await push(client, gate, [m])
    assert result["data"]["verdict"] == "accepted" and result["data"]["conflicts"] == ["clock_skew"]
    record = (await review(client, as_organiser, device=gate["id"]))[m["id"]]
    assert datetime.fromisoformat(record["scanned_at"]) == now(client)


async def test_unusable_scan_mutations_are_rejected_without_blocking_the_queue(client, in_app, device):
    gate = volunteer(client, in_app, VENUE)
    issued = await new_pass(client, in_app, EARLIER)
    t = now(client)
    bad_token = scan_mutation("P1.garbage", VENUE, t)
    unknown_venue = scan_mutation(issued["token"], "no-such-venue", t)
    no_offset = scan_mutation(issued["token"], VENUE, t)
    no_offset["args"]["scanned_at"] = "2024-11-12T10:00:00"
    extra = scan_mutation(issued["token"], VENUE, t, colour="red")
    good = scan_mutation(issued["token"], VENUE, t)
    results = await push(client, gate, [bad_token, unknown_venue, no_offset, extra, good])
    assert [(r["status"], r.get("reason") or r["data"]["reason"]) for r in results] == [
        ("applied", "invalid_signature"),  # a scan of a bad code is still a fact at the gate
        ("rejected", "unknown_venue"),
        ("rejected", "invalid_args"),
        ("rejected", "invalid_args"),
        ("applied", None),
    ]
    # an attendee's phone does not scan
    [result] = await push(client, device, [scan_mutation(issued["token"], VENUE, t)])
    assert (result["status"], result["reason"]) == ("rejected", "not_volunteer")


async def test_a_scanners_own_wording_or_a_long_code_never_costs_the_scan(client, in_app, as_organiser):
    """A third-party scanner may name its refusal in its own words, and a camera may read a long QR code: the
    scan is still a fact of the door, recorded."""
    gate = volunteer(client, in_app, VENUE)
    issued = await new_pass(client, in_app, EARLIER)
    t = now(client) - minutes(5)
    refused = scan_mutation(issued["token"], VENUE, t, verdict_shown="rejected")
    long_code = scan_mutation("https://hcdf.vn/?" + "x" * 400, VENUE, t, verdict_shown="invalid_signature")
    results = await push(client, gate, [refused, long_code])
    assert [(r["status"], r["data"]["verdict"], r["data"]["reason"]) for r in results] == [
        ("applied", "accepted", None),
        ("applied", "rejected", "invalid_signature"),
    ]
    records = await review(client, as_organiser, venue=VENUE)
    assert records[refused["id"]]["verdict_shown"] == "rejected" and records[refused["id"]]["conflicts"] == []
    assert records[long_code["id"]]["status"] == "rejected"


async def test_exactly_once_across_online_and_offline(client, in_app):
    gate = volunteer(client, in_app, VENUE)
    one, two = await new_pass(client, in_app, EARLIER), await new_pass(client, in_app, EARLIER)
    # online first, then the phone's outbox replays the same scan id
    online_id = str(uuid.uuid4())
    assert (await check_in(client, gate, one["token"], VENUE, scan_id=online_id)).json()["status"] == "accepted"
    [replayed] = await push(client, gate, [scan_mutation(one["token"], VENUE, now(client), scan_id=online_id)])
    assert replayed["status"] == "duplicate"
    assert replayed["data"] == {"verdict": "accepted", "reason": None, "conflicts": [], "pass_id": one["pass_id"]}
    # offline first, then the same scan posted online
    offline_id = str(uuid.uuid4())
    [uploaded] = await push(client, gate, [scan_mutation(two["token"], VENUE, now(client), scan_id=offline_id)])
    assert uploaded["status"] == "applied"
    again = (await check_in(client, gate, two["token"], VENUE, scan_id=offline_id)).json()
    assert (again["status"], again["recorded_status"]) == ("duplicate", "accepted")
    # and a batch holding the same scan twice applies it once
    three = await new_pass(client, in_app, EARLIER)
    m = scan_mutation(three["token"], VENUE, now(client))
    applied, repeated = await push(client, gate, [m, m])
    assert (applied["status"], repeated["status"]) == ("applied", "duplicate")
    assert repeated["data"] == applied["data"]


async def test_a_duplicate_scan_says_again_the_verdict_recorded(client, in_app):
    """The phone that queued a scan may never have heard its verdict: its online check timed out after the server
    had recorded the scan, or the answer to its upload was lost. The duplicate answer tells it again."""
    east, west = volunteer(client, in_app, VENUE), volunteer(client, in_app, VENUE)
    issued = await new_pass(client, in_app, EARLIER)
    assert (await check_in(client, east, issued["token"], VENUE)).json()["status"] == "accepted"
    # west's online check reached the server, which refused it, but west gave up waiting and queued the scan
    timed_out = str(uuid.uuid4())
    assert (await check_in(client, west, issued["token"], VENUE, scan_id=timed_out)).json()["reason"] == (
        "already_checked_in"
    )
    queued = scan_mutation(
        issued["token"], VENUE, now(client), scan_id=timed_out, verdict_shown="accepted", offline=True
    )
    [answer] = await push(client, west, [queued])
    assert answer["status"] == "duplicate"
    assert answer["data"] == {
        "verdict": "rejected",
        "reason": "already_checked_in",
        "conflicts": [],
        "pass_id": issued["pass_id"],
    }
    # an upload whose answer was lost is sent again: the retry hears the first answer, conflicts and all
    lost = scan_mutation(issued["token"], VENUE, now(client), verdict_shown="accepted", offline=True)
    [first] = await push(client, west, [lost])
    [retry] = await push(client, west, [lost])
    assert (first["status"], retry["status"]) == ("applied", "duplicate")
    assert (
        retry["data"]
        == first["data"]
        == {
            "verdict": "rejected",
            "reason": "already_checked_in",
            "conflicts": ["double_scan"],
            "pass_id": issued["pass_id"],
        }
    )


async def test_a_revoked_device_is_refused_and_its_uploads_kept(client, in_app, as_organiser):
    gate = volunteer(client, in_app, VENUE)
    issued = await new_pass(client, in_app, EARLIER)
    before = scan_mutation(issued["token"], VENUE, now(client) - minutes(30))
    assert (await push(client, gate, [before]))[0]["status"] == "applied"

    revoked = await client.post(f"/api/organiser/volunteers/{gate['id']}/revoke", headers=as_organiser)
    assert revoked.status_code == 200, revoked.text
    other = await new_pass(client, in_app, EARLIER)
    kept = [
        scan_mutation(other["token"], VENUE, now(client) - minutes(5)),
        scan_mutation("P1.garbage", VENUE, now(client) - minutes(4)),
        {"id": str(uuid.uuid4()), "name": "settings.set", "args": {"lang": "en"}},
    ]
    results = await push(client, gate, [before, *kept])
    assert [(r["status"], r.get("reason")) for r in results] == [
        ("duplicate", None),
        ("rejected", "device_revoked"),
        ("rejected", "device_revoked"),
        ("rejected", "device_revoked"),
    ]
    assert [r["status"] for r in await push(client, gate, kept)] == ["duplicate"] * 3

    records = await review(client, as_organiser, device_revoked="true")
    for m in kept[:2]:
        assert records[m["id"]]["reason"] == "device_revoked" and records[m["id"]]["device_revoked"] is True
    assert records[kept[0]["id"]]["pass_id"] == other["pass_id"]
    assert before["id"] not in records
    # its scans did not count: the pass is still welcome
    fresh_gate = volunteer(client, in_app, VENUE)
    assert (await check_in(client, fresh_gate, other["token"], VENUE)).json()["status"] == "accepted"

    # everywhere else the device is refused
    me = await client.get("/api/me", headers=gate["auth"])
    assert me.status_code == 403 and "device_revoked" in me.json()["detail"]
    live = await check_in(client, gate, issued["token"], VENUE)
    assert live.status_code == 403
    stats = (await client.get("/api/organiser/stats/checkins", params={"venue": VENUE}, headers=as_organiser)).json()
    assert stats["totals"]["device_revoked"] >= 2


async def test_only_a_scan_uploaded_late_counts_as_made_offline(client, in_app, as_organiser):
    """A scan was made offline when it arrives over a minute late, or when the phone says it judged it without the
    server (the app says so of every scan it queues; another client may queue scans while online)."""

    async def offline_count() -> int:
        response = await client.get("/api/organiser/stats/checkins", params={"venue": VENUE}, headers=as_organiser)
        return response.json()["totals"]["offline"]

    gate = volunteer(client, in_app, VENUE)
    before = await offline_count()
    at_once = scan_mutation(
        (await new_pass(client, in_app, EARLIER))["token"], VENUE, now(client) - timedelta(seconds=5)
    )
    late = scan_mutation((await new_pass(client, in_app, EARLIER))["token"], VENUE, now(client) - minutes(30))
    said = scan_mutation(
        (await new_pass(client, in_app, EARLIER))["token"], VENUE, now(client) - timedelta(seconds=5), offline=True
    )  # the phone knew it had no signal, and the signal came back at once
    assert [r["status"] for r in await push(client, gate, [at_once, late, said])] == ["applied"] * 3
    records = await review(client, as_organiser, venue=VENUE)
    assert [records[m["id"]]["offline"] for m in (at_once, late, said)] == [False, True, True]
    assert await offline_count() == before + 2


async def test_scan_ids_are_per_device_two_volunteers_never_collide(client, in_app, as_organiser):
    """Phones make their scan ids: two devices that make the same one record two scans, each its own verdict,
    online and offline, and each device's replay is still its own duplicate."""
    east, west = volunteer(client, in_app, VENUE), volunteer(client, in_app, VENUE)
    one, other = await new_pass(client, in_app, EARLIER), await new_pass(client, in_app, EARLIER)
    shared = str(uuid.uuid4())
    t = now(client) - minutes(10)
    [a] = await push(client, east, [scan_mutation(one["token"], VENUE, t, scan_id=shared)])
    [b] = await push(client, west, [scan_mutation(other["token"], VENUE, t, scan_id=shared)])
    assert a["status"] == b["status"] == "applied"
    assert a["data"]["pass_id"] == one["pass_id"] and b["data"]["pass_id"] == other["pass_id"]
    assert b["data"]["verdict"] == "accepted"
    for gate, issued in ((east, one), (west, other)):
        [record] = (await review(client, as_organiser, device=gate["id"])).values()
        assert record["id"] == shared and record["pass_id"] == issued["pass_id"] and record["status"] == "accepted"
        [again] = await push(client, gate, [scan_mutation(issued["token"], VENUE, t, scan_id=shared)])
        assert again["status"] == "duplicate" and again["data"]["pass_id"] == issued["pass_id"]

    # online: a third device's live scan with the same id is judged, not taken for the others'
    third, pass_three = volunteer(client, in_app, VENUE), await new_pass(client, in_app, EARLIER)
    live = await check_in(client, third, pass_three["token"], VENUE, scan_id=shared)
    assert live.status_code == 200, live.text
    assert live.json()["status"] == "accepted" and live.json()["pass_id"] == pass_three["pass_id"]
