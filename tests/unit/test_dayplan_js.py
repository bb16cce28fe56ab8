"""Plan my day's start and free time (pwa/js/lib/dayplan.js) over the server's own plan of the issue's day: at
10:00 in the Hỏa Lò talk (09:30-11:00) with the Bát Tràng workshop (14:00) starred. The server's Wayfinder plans
from Hỏa Lò at 11:00; tests/js/dayplan.test.mjs turns that answer into the day as the phone shows it."""

from __future__ import annotations

import asyncio

import msgspec

from server.wayfinding import schemas as wschemas
from server.wayfinding.wayfinder import Wayfinder
from tests.unit.test_travel_parity import demo_snapshot


def test_the_issue_day_from_the_server_plan(node_test) -> None:
    snapshot = demo_snapshot()
    request = {"start": "hoa-lo", "start_at": "2024-11-12T11:00:00+07:00", "mode": "car", "events": ["ve-gom-men-lam"]}
    body = msgspec.convert(request, wschemas.ItineraryRequest)
    plan = asyncio.run(Wayfinder().itinerary(snapshot, body))
    vectors = {
        "venues": msgspec.to_builtins(list(snapshot.venues.values())),
        "events": msgspec.to_builtins(snapshot.events),
        "plan": msgspec.json.decode(msgspec.json.encode(plan)),
    }
    node_test("dayplan.test.mjs", "LEHOI_DAYPLAN_VECTORS", vectors)
