"""Itinerary planner benchmark: latency and the heuristic's gap to the exact optimum.

Run `python bench/bench_itinerary.py`. Cases are random but realistic festival days on Hanoi's geography
(the demo venues' coordinates, jittered), seeded so that runs are comparable. Prints one figure a line with
its target:

- p95 latency of a plan with 8 stops and with 12 stops (and 25, the most a plan takes), as the server
  plans them: exactly when at most 10 stops can fit on their own, else by the heuristic;
- on 200 cases of 10 stops solved both ways: how many stops the heuristic misses against the exact plan,
  and, where it finds as many, how much more travel its plan needs (mean and worst).

bench_wayfinding.py times real plans of the demo festival through `POST /api/itineraries` as well.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import datetime, timedelta

from server.wayfinding.plan_types import EventStop, ItineraryRequest, Stop, VenueStop
from server.wayfinding.planner import plan_itinerary
from server.wayfinding.travel import FESTIVAL_TZ, MODES, LatLon, travel_time

# From tests/data/hanoi-places.tsv: the festival core, the response spaces and the craft villages.
CENTRAL = [
    (21.0264, 105.8547),
    (21.0252, 105.8545),
    (21.0262, 105.8558),
    (21.0244, 105.8574),
    (21.02465, 105.8597),
    (21.0218, 105.8582),
    (21.0243, 105.8565),
    (21.0259, 105.8567),
    (21.0240, 105.8553),
    (21.0283, 105.8540),
    (21.0238, 105.8590),
    (21.0190, 105.8460),
    (21.0345, 105.8403),
    (21.02861, 105.83556),
    (21.0306, 105.8370),
    (21.02532, 105.84647),
    (21.0347, 105.8531),
    (21.0378, 105.8528),
    (21.0404, 105.8512),
    (21.0307, 105.8524),
    (21.0237, 105.8522),
    (21.0406, 105.7987),
    (21.0367, 105.8517),
    (21.0490, 105.8775),
    (21.0414, 105.8466),
]
VILLAGES = [(20.983, 105.917), (20.98, 105.94861), (20.981, 105.779), (21.03648, 105.69562), (20.9012, 105.8692)]
DAY = datetime(2024, 11, 12, tzinfo=FESTIVAL_TZ)
TRAVEL = {mode: travel_time(mode) for mode in MODES}


def at(minutes: int) -> datetime:
    return DAY + timedelta(minutes=minutes)


def random_place(rng: random.Random) -> LatLon:
    lat, lon = rng.choice(VILLAGES) if rng.random() < 0.1 else rng.choice(CENTRAL)
    return LatLon(lat + rng.uniform(-0.001, 0.001), lon + rng.uniform(-0.001, 0.001))


def random_stop(rng: random.Random, index: int) -> Stop:
    if rng.random() < 0.5:
        starts = rng.randrange(9 * 60, 20 * 60, 15)
        return EventStop(f"e{index}", random_place(rng), at(starts), at(starts + rng.choice([60, 90, 120, 180])))
    pattern = rng.random()
    if pattern < 0.6:
        windows = ((at(8 * 60), at(17 * 60)),) if rng.random() < 0.5 else ((at(9 * 60), at(21 * 60)),)
    elif pattern < 0.85:
        windows = ((at(8 * 60), at(11 * 60 + 30)), (at(13 * 60 + 30), at(17 * 60)))
    else:
        windows = ((at(17 * 60), at(22 * 60)),)
    return VenueStop(f"v{index}", random_place(rng), windows, rng.choice([30, 45, 60, 90, 120]))


def random_case(rng: random.Random, stops: int) -> tuple[ItineraryRequest, str]:
    start_at = at(rng.randrange(8 * 60, 10 * 60 + 1, 15))
    end_at = at(rng.randrange(20 * 60, 22 * 60 + 1, 30)) if rng.random() < 0.7 else None
    mode = rng.choices(MODES, weights=[30, 10, 30, 25, 5])[0]
    request = ItineraryRequest(
        start=random_place(rng),
        start_at=start_at,
        stops=tuple(random_stop(rng, i) for i in range(stops)),
        end_at=end_at,
    )
    return request, mode


def latency(stops: int, cases: int, rng: random.Random) -> tuple[float, int]:
    """p95 milliseconds of the planner as the server runs it, and how many cases took the heuristic."""
    timings, heuristic = [], 0
    for _ in range(cases):
        request, mode = random_case(rng, stops)
        began = time.perf_counter()
        plan = plan_itinerary(request, TRAVEL[mode])
        timings.append((time.perf_counter() - began) * 1000)
        heuristic += plan.method == "heuristic"
    return statistics.quantiles(timings, n=20)[-1], heuristic


def heuristic_gaps(cases: int, rng: random.Random) -> tuple[list[int], list[float]]:
    """Per case, stops missed by the heuristic; and, for cases where it found as many, its extra travel in %."""
    missed, extra = [], []
    for _ in range(cases):
        request, mode = random_case(rng, 10)
        exact = plan_itinerary(request, TRAVEL[mode], method="exact")
        heuristic = plan_itinerary(request, TRAVEL[mode], method="heuristic")
        missed.append(len(exact.stops) - len(heuristic.stops))
        if len(heuristic.stops) == len(exact.stops):
            extra.append(100 * (heuristic.travel_s - exact.travel_s) / max(exact.travel_s, 1))
    return missed, extra


def main() -> None:
    rng = random.Random(2024_11_09)
    for stops, cases, target in [(8, 200, "≤ 50 ms"), (12, 200, "≤ 300 ms"), (25, 50, "none set, for information")]:
        p95, heuristic = latency(stops, cases, rng)
        print(f"itinerary p95, {stops} stops: {p95:6.1f} ms ({heuristic}/{cases} by the heuristic)   target {target}")
    missed, extra = heuristic_gaps(200, rng)
    lossy = sum(1 for m in missed if m > 0)
    print(
        f"heuristic vs exact, 10 stops, 200 cases: stops missed mean {statistics.mean(missed):.3f}, "
        f"worst {max(missed)}, in {lossy} cases   target: mean ≤ 0.05"
    )
    print(
        f"heuristic vs exact, extra travel at equal stops: mean {statistics.mean(extra):.2f} %, "
        f"worst {max(extra):.1f} %   target: mean ≤ 5 %"
    )


if __name__ == "__main__":
    main()
