"""Wayfinding through the server: itinerary latency over HTTP, and venue distances of the demo festival.

Run `python bench/bench_wayfinding.py` (about a minute). It wraps bench_itinerary.py, which times the planner
alone on synthetic days; here the plans are real requests on the demo festival (its venues, opening and
festival hours, events of the day), sent to `POST /api/itineraries` of a `lehoi serve` process (SQLite)
one after another over a keep-alive connection. That server imports the demo streets on its first start, so
its plans take street routes (`engine: "roads"`) where both ends lie on them. Prints, one figure a line:

- p95 latency of a plan with 8 and with 12 stops through HTTP, beside the same requests planned by the
  wayfinding service in this process on the server's own road graph (no HTTP, no JSON: the baseline) and the
  ratio of the two; then the same service on the estimate alone, to show what the streets cost;
- the lookup of every venue pair of the demo festival by all five modes, geodesics computed when first asked
  (as on the phone, which holds no matrix), and the travel model's size in the bundle.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import brotli
import httpx
import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import lehoi_server

from server.programme import schemas
from server.programme.snapshot import Snapshot
from server.settings import load_settings
from server.wayfinding import schemas as wire
from server.wayfinding.model import WIRE, VenueDistances
from server.wayfinding.travel import FESTIVAL_TZ, MODES, LatLon, distance_m
from server.wayfinding.wayfinder import Wayfinder

CASES = 200
MODE_WEIGHTS = [30, 10, 30, 25, 5]  # as bench_itinerary: walk, bicycle, motorbike, car, bus


def snapshot_from_bundle(bundle: dict) -> Snapshot:
    """The server's programme as a Snapshot in this process, from its own bundle."""
    return Snapshot(
        version=bundle["version"],
        festival=None,
        venues={v["id"]: msgspec.convert(v, schemas.Venue) for v in bundle["venues"]},
        events=[msgspec.convert(e, schemas.Event) for e in bundle["events"]],
        trails={t["id"]: msgspec.convert(t, schemas.Trail) for t in bundle["trails"]},
        announcements=[],
    )


def random_request(rng: random.Random, snapshot: Snapshot, stops: int) -> dict:
    day = datetime(2024, 11, rng.randint(9, 17), tzinfo=FESTIVAL_TZ)
    todays = [
        e.id
        for e in snapshot.events
        if e.starts_at.astimezone(FESTIVAL_TZ).date() == day.date() and e.status == "scheduled"
    ]
    events = rng.sample(todays, min(len(todays), rng.randint(stops // 4, stops // 2)))
    venues = rng.sample(sorted(snapshot.venues), stops - len(events))
    central = sorted(v.id for v in snapshot.venues.values() if v.district == "Hoàn Kiếm")
    start_at = day + timedelta(minutes=rng.randrange(8 * 60, 10 * 60 + 1, 15))
    body = {
        "start": rng.choice(central),
        "start_at": start_at.isoformat(),
        "mode": rng.choices(MODES, weights=MODE_WEIGHTS)[0],
        "events": events,
        "venues": [{"id": v, "dwell_min": rng.choice([30, 45, 60, 90])} for v in venues],
    }
    if rng.random() < 0.7:
        body["end_at"] = (day + timedelta(minutes=rng.randrange(20 * 60, 22 * 60 + 1, 30))).isoformat()
    return body


def p95(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=20)[-1]


async def in_process_timings(roads_path: Path | None, snapshot: Snapshot, requests: list[dict]) -> list[float]:
    """Milliseconds per request through the wayfinding service alone, on one event loop, with the road graph
    at `roads_path` (None: the estimate alone)."""
    wayfinder = Wayfinder(roads_path=roads_path)
    await wayfinder.start()
    if roads_path is not None and wayfinder.engine is None:
        raise SystemExit(f"the server's road graph {roads_path} did not load")
    timings = []
    for body in requests:
        request = msgspec.convert(body, wire.ItineraryRequest)
        began = time.perf_counter()
        await wayfinder.itinerary(snapshot, request)
        timings.append((time.perf_counter() - began) * 1000)
    await wayfinder.stop()
    return timings


def itineraries(url: str, snapshot: Snapshot, roads_path: Path) -> None:
    rng = random.Random(2024_11_09)
    with httpx.Client(base_url=url, timeout=30) as http:
        for _warm in range(10):
            http.post("/api/itineraries", json=random_request(rng, snapshot, 8))
        for stops, target in [(8, 50), (12, 300)]:
            requests = [random_request(rng, snapshot, stops) for _ in range(CASES)]
            over_http, heuristic, placed, on_streets = [], 0, 0, 0
            for body in requests:
                began = time.perf_counter()
                response = http.post("/api/itineraries", json=body)
                over_http.append((time.perf_counter() - began) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"POST /api/itineraries answered {response.status_code}: {response.text}")
                answer = response.json()
                heuristic += answer["method"] == "heuristic"
                placed += answer["totals"]["stops"]
                on_streets += answer["engine"] == "roads"
            base_p95 = p95(asyncio.run(in_process_timings(roads_path, snapshot, requests)))
            estimate_p95 = p95(asyncio.run(in_process_timings(None, snapshot, requests)))
            http_p95 = p95(over_http)
            print(
                f"itinerary over HTTP p95, {stops} stops: {http_p95:6.1f} ms"
                f" | in-process service on the same streets p95 {base_p95:6.1f} ms"
                f" | ratio {http_p95 / base_p95:.2f}   target ≤ {target} ms"
                f"\n  ({on_streets}/{CASES} on streets, {heuristic}/{CASES} by the heuristic, "
                f"{placed / CASES:.1f} stops placed on average; in-process on the estimate alone p95 "
                f"{estimate_p95:.1f} ms)"
            )


def venue_distances(snapshot: Snapshot) -> None:
    """What the phone and the server compute between venues now that the bundle holds no matrix."""
    venues = {v.id: LatLon(v.lat, v.lon) for v in snapshot.venues.values()}
    ids = sorted(venues)
    times = []
    for _ in range(5):
        distance_m.cache_clear()
        distances = VenueDistances(venues)
        began = time.perf_counter()
        for mode in MODES:
            for a in ids:
                for b in ids:
                    distances.lookup(a, b, mode)
        times.append((time.perf_counter() - began) * 1000)
    raw = msgspec.json.encode(WIRE)
    print(
        f"venue distances, demo festival: {len(MODES) * len(ids) ** 2} lookups (every ordered pair by every mode, "
        f"geodesics computed when first asked) in {statistics.median(times):.1f} ms; "
        f"bundle part {len(raw)} B raw, {len(brotli.compress(raw, quality=11))} B brotli, whatever the venues"
    )


def main() -> None:
    with lehoi_server() as server:
        bundle = httpx.get(f"{server.url}/api/sync/bundle", timeout=30).json()
        snapshot = snapshot_from_bundle(bundle)
        itineraries(server.url, snapshot, load_settings({"LEHOI_DATA_DIR": str(server.data_dir)}).roads_path)
    venue_distances(snapshot)


if __name__ == "__main__":
    main()
