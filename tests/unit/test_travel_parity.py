"""The phone's travel times and day plans (pwa/js/lib/travel.js, planner.js, dayplan.js) are the server's.

The server's own code answers, over the demo festival: `VenueDistances.lookup` for every venue pair and mode
(and over 150 venues scattered from the Old Quarter to the craft villages, as a city-sized programme holds), the
venue distance through `leg_for_distance` at departures in and around the rush hours, the `Estimator`
(trail paths where drawn), `travel.estimate` and `Wayfinder.nearby` from free points, and `Wayfinder.itinerary`
for random days of favourites (exact and heuristic). Node's test runner then checks the JavaScript against
those answers (tests/js/travel_parity.test.mjs), to the metre and the second.
"""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta
from pathlib import Path

import msgspec

from server.programme import schemas
from server.programme.fixtures import parse_file
from server.programme.snapshot import Snapshot
from server.wayfinding import schemas as wschemas
from server.wayfinding.model import WIRE, VenueDistances
from server.wayfinding.places import Place
from server.wayfinding.travel import FESTIVAL_TZ, MODES, PROFILES, LatLon, estimate, leg_for_distance
from server.wayfinding.wayfinder import Wayfinder

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "hcdf2024.json"


def demo_snapshot() -> Snapshot:
    _, venues_in, events_in, trails_in = parse_file(DEMO)
    venues = [msgspec.convert(msgspec.to_builtins(v), schemas.Venue) for v in venues_in]
    events = [msgspec.convert(msgspec.to_builtins(e), schemas.Event) for e in events_in]
    trails = [msgspec.convert(msgspec.to_builtins(t), schemas.Trail) for t in trails_in]
    events.sort(key=lambda e: (e.starts_at, e.id))
    return Snapshot(
        version=1,
        festival=None,
        venues={v.id: v for v in sorted(venues, key=lambda v: v.id)},
        events=events,
        trails={t.id: t for t in trails},
        announcements=[],
    )


def ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def departures(rng: random.Random, count: int) -> list[datetime]:
    """Instants of festival days: many near the rush-hour boundaries (to the millisecond), some anywhere."""
    out = []
    base = datetime(2024, 11, 12, tzinfo=FESTIVAL_TZ)
    edges = [7 * 3600 + 1800, 8 * 3600 + 1800, 17 * 3600 + 1800, 18 * 3600 + 1800]
    for i in range(count):
        if i % 3 == 0:
            second = rng.uniform(0, 86_400)
        else:
            second = rng.choice(edges) + rng.uniform(-5400, 300)
        out.append(base + timedelta(days=rng.randrange(-3, 6), milliseconds=round(second * 1000)))
    return out


def lookups_of(distances: VenueDistances, ids: list[str]) -> list:
    return [
        [a, b, mode, list(msgspec.structs.astuple(distances.lookup(a, b, mode)))]
        for a in ids
        for b in ids
        for mode in MODES
    ]


def scattered_venues(rng: random.Random, n: int) -> dict[str, LatLon]:
    """Venues from the centre (most of them) to 50 km out, as a city-sized festival spreads them."""
    venues = {}
    for i in range(n):
        if i % 5:
            venues[f"v{i:03}"] = LatLon(21.0 + rng.uniform(0, 0.09), 105.78 + rng.uniform(0, 0.11))
        else:
            venues[f"v{i:03}"] = LatLon(20.65 + rng.uniform(0, 0.7), 105.45 + rng.uniform(0, 0.75))
    return venues


def travel_cases(snapshot: Snapshot, wayfinder: Wayfinder, rng: random.Random) -> dict:
    venues = {v.id: LatLon(v.lat, v.lon) for v in snapshot.venues.values()}
    distances = VenueDistances(venues)
    ids = sorted(venues)
    lookups = lookups_of(distances, ids)
    city = scattered_venues(rng, 150)
    timed = []
    for at in departures(rng, 4000):
        a, b, mode = rng.choice(ids), rng.choice(ids), rng.choice(MODES)
        leg = leg_for_distance(distances.geodesic_m(a, b), PROFILES[mode], at)
        timed.append([a, b, mode, ms(at), leg.distance_m, leg.duration_s])
    estimator = wayfinder.estimator(snapshot)
    places = {v.id: Place(LatLon(v.lat, v.lon), v.id) for v in snapshot.venues.values()}
    estimated = []
    for a in ids:
        for b in ids:
            for mode in MODES:
                at = None if rng.random() < 0.3 else departures(rng, 1)[0]
                leg = estimator.leg(places[a], places[b], mode, at)
                piece = estimator.piece(places[a], places[b])
                estimated.append(
                    [
                        a,
                        b,
                        mode,
                        ms(at) if at else None,
                        leg.distance_m,
                        leg.duration_s,
                        [[p.lat, p.lon] for p in piece] if piece else None,
                    ]
                )
    points = []
    for at in departures(rng, 600):
        p = LatLon(rng.uniform(20.75, 21.1), rng.uniform(105.55, 106.0))
        q = LatLon(rng.uniform(20.75, 21.1), rng.uniform(105.55, 106.0))
        mode = rng.choice(MODES)
        when = at if rng.random() < 0.8 else None
        leg = estimate(p, q, mode, when)
        points.append([p.lat, p.lon, q.lat, q.lon, mode, ms(when) if when else None, leg.distance_m, leg.duration_s])
    nearby = []
    for at in departures(rng, 60):
        p = LatLon(rng.uniform(20.8, 21.08), rng.uniform(105.6, 105.95))
        mode = rng.choice(MODES)
        found = wayfinder.nearby(snapshot, p, 10, mode, at)
        nearby.append([p.lat, p.lon, mode, ms(at), [[v.id, v.distance_m, v.duration_s] for v in found]])
    return {
        "lookups": lookups,
        "timed": timed,
        "estimated": estimated,
        "points": points,
        "nearby": nearby,
        "city": {
            "venues": [[vid, p.lat, p.lon] for vid, p in sorted(city.items())],
            "lookups": lookups_of(VenueDistances(city), sorted(city)),
        },
    }


def itinerary_cases(snapshot: Snapshot, wayfinder: Wayfinder, rng: random.Random) -> list[dict]:
    by_day: dict[str, list[str]] = {}
    for e in snapshot.events:
        by_day.setdefault(e.starts_at.astimezone(FESTIVAL_TZ).date().isoformat(), []).append(e.id)
    venue_ids = sorted(snapshot.venues)
    cases = []
    for n in range(150):
        big = n >= 120  # more than EXACT_MAX_STOPS stops that fit: the heuristic answers
        day = rng.choice(sorted(d for d in by_day if len(by_day[d]) >= 12)) if big else rng.choice(sorted(by_day))
        size = rng.randint(11, min(16, len(by_day[day]))) if big else rng.choice([1, 2, 3, 3, 4, 5, 6, 8])
        events = rng.sample(by_day[day], min(size, len(by_day[day])))
        hour = 0 if big else rng.choice([6, 7, 8, 8, 9, 10, 12, 14, 17])
        start_at = datetime.fromisoformat(day).replace(tzinfo=FESTIVAL_TZ) + timedelta(
            hours=hour, minutes=rng.choice([0, 15, 40])
        )
        end_at = start_at + timedelta(hours=rng.choice([6, 10, 14])) if rng.random() < 0.25 and not big else None
        start: object = rng.choice(venue_ids)
        if rng.random() < 0.25:
            start = {"lat": round(rng.uniform(20.95, 21.06), 5), "lon": round(rng.uniform(105.78, 105.92), 5)}
        request = {
            "start": start,
            "start_at": start_at.isoformat(),
            "end_at": end_at.isoformat() if end_at else None,
            "mode": rng.choice(MODES),
            "events": events,
        }
        body = msgspec.convert({k: v for k, v in request.items() if v is not None}, wschemas.ItineraryRequest)
        answer = asyncio.run(wayfinder.itinerary(snapshot, body))
        cases.append({"request": request, "expected": msgspec.json.decode(msgspec.json.encode(answer))})
    assert sum(1 for c in cases if c["expected"]["method"] == "heuristic") >= 10
    assert sum(1 for c in cases if c["expected"]["unplaced"]) >= 20
    return cases


def test_the_phone_travels_and_plans_like_the_server(node_test) -> None:
    rng = random.Random(20241112)
    snapshot = demo_snapshot()
    wayfinder = Wayfinder()
    vectors = {
        "travel": msgspec.to_builtins(WIRE),
        "venues": msgspec.to_builtins(list(snapshot.venues.values())),
        "events": msgspec.to_builtins(snapshot.events),
        "trails": msgspec.to_builtins(list(snapshot.trails.values())),
        **travel_cases(snapshot, wayfinder, rng),
        "itineraries": itinerary_cases(snapshot, wayfinder, rng),
    }
    assert any(case[6] for case in vectors["estimated"]), "some venue pairs should follow a drawn trail"
    node_test("travel_parity.test.mjs", "LEHOI_TRAVEL_VECTORS", vectors, timeout=600)
