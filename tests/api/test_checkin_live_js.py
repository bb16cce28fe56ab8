"""The phone's online check (pwa/js/lib/live-scan.js) reads the server's real answers to POST /api/checkins as the
volunteer must see them: a verdict to show, a refusal to show instead of any verdict, or no answer, where the phone
judges offline. The answers are made here by the app; tests/js/live_scan.test.mjs checks the JavaScript on them."""

from __future__ import annotations

import uuid
from datetime import timedelta

from server.checkin.schemas import ScanRequest

from .checkin_support import check_in, new_pass, now, volunteer

VENUE = "bat-trang"
EARLIER = timedelta(hours=3)


async def test_the_phone_reads_the_servers_answers(client, in_app, as_organiser, node_test):
    here, there = volunteer(client, in_app, VENUE), volunteer(client, in_app, VENUE)
    issued = await new_pass(client, in_app, EARLIER)
    cases = []

    def case(label: str, response, expected: dict) -> None:
        cases.append({"label": label, "status": response.status_code, "body": response.json(), "expected": expected})

    def shown(response, verdict: str, reason: str | None, pass_id: str | None) -> dict:
        return {
            "kind": "verdict",
            "verdict": verdict,
            "reason": reason,
            "pass_id": pass_id,
            "occupancy": response.json()["occupancy"],
        }

    first = str(uuid.uuid4())
    answer = await check_in(client, here, issued["token"], VENUE, scan_id=first)
    case("accepted", answer, shown(answer, "accepted", None, issued["pass_id"]))
    answer = await check_in(client, there, issued["token"], VENUE)
    case("let in at another entrance", answer, shown(answer, "rejected", "already_checked_in", issued["pass_id"]))
    answer = await check_in(client, here, issued["token"], VENUE, scan_id=first)
    assert answer.json()["status"] == "duplicate"
    case("a scan id recorded before: the verdict recorded", answer, shown(answer, "accepted", None, issued["pass_id"]))
    answer = await check_in(client, here, "P1.not.a-pass", VENUE)
    case("a forged pass", answer, shown(answer, "rejected", "invalid_signature", None))

    answer = await check_in(client, here, issued["token"], "no-such-venue")
    case("a venue gone from the programme", answer, {"kind": "refused", "reason": "unknown_venue", "status": 404})
    answer = await check_in(client, here, issued["token"], VENUE, at=now(client) + timedelta(hours=1))
    case("the phone's clock far off", answer, {"kind": "refused", "reason": "scan_refused", "status": 422})
    answer = await check_in(client, {"auth": {"Authorization": "Bearer not-a-token"}}, issued["token"], VENUE)
    case("a token the server does not know", answer, {"kind": "refused", "reason": "phone_unknown", "status": 401})
    revoked = await client.post(f"/api/organiser/volunteers/{there['id']}/revoke", headers=as_organiser)
    assert revoked.status_code == 200, revoked.text
    answer = await check_in(client, there, issued["token"], VENUE)
    case("a phone an organiser revoked", answer, {"kind": "refused", "reason": "phone_revoked", "status": 403})

    node_test(
        "live_scan.test.mjs",
        "LEHOI_LIVE_SCAN_VECTORS",
        {"cases": cases, "request_fields": sorted(ScanRequest.__struct_fields__)},
    )
