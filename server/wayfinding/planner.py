"""The day planner: the best order in which to attend events and visit venues.

A plan starts at a point at `start_at` and visits stops one after another:

- an *event* has fixed times: the attendee must arrive by `starts_at` and stays until `ends_at`;
- a *venue* is visited for `dwell_min` minutes entirely inside one of its opening windows; arriving
  before the window opens means waiting at the door;
- every stop is left as soon as it is over (events at `ends_at`, venues after the dwell) and the
  travel time of each leg is the injected `TravelTime` for that departure;
- with `end_at`, every stop must be over by then (there is no leg back).

The best plan has the most stops, then the least total travel time, then the earliest finish.

Stops that cannot fit even alone are set aside first (`plan_problem`); the rest are the candidates. With
up to `EXACT_MAX_STOPS` candidates the planner is exact (`plan_exact`); with more (up to `MAX_STOPS`
stops) a heuristic answers (`plan_heuristic`). The request and answer types are in `plan_types`.
"""

from __future__ import annotations

from typing import Literal

from server.wayfinding.plan_exact import search
from server.wayfinding.plan_heuristic import heuristic
from server.wayfinding.plan_problem import Problem
from server.wayfinding.plan_types import EventStop, InvalidItinerary, Itinerary, ItineraryRequest, TooManyStops
from server.wayfinding.travel import TravelTime

EXACT_MAX_STOPS = 10
MAX_STOPS = 25

Method = Literal["auto", "exact", "heuristic"]


def plan_itinerary(request: ItineraryRequest, travel_time: TravelTime, *, method: Method = "auto") -> Itinerary:
    """The best feasible plan for `request`.

    `travel_time(from, to, depart_at)` gives seconds, or `math.inf` where there is no way; it must be
    FIFO for the exact planner to be exact. `method` forces the exact planner (up to `EXACT_MAX_STOPS`
    candidates) or the heuristic; "auto" takes the exact one whenever it may.
    """
    _check(request)
    problem = Problem(request, travel_time)
    small = len(problem.candidates) <= EXACT_MAX_STOPS
    if method == "exact" and not small:
        raise InvalidItinerary(f"the exact planner takes at most {EXACT_MAX_STOPS} stops that can fit")
    exact = method == "exact" or (method == "auto" and small)
    visits = search(problem, beam=None) if exact else heuristic(problem)
    return problem.itinerary(visits, "exact" if exact else "heuristic")


def _check(request: ItineraryRequest) -> None:
    if len(request.stops) > MAX_STOPS:
        raise TooManyStops(f"a plan takes at most {MAX_STOPS} stops, not {len(request.stops)}")
    ids = [stop.id for stop in request.stops]
    if len(set(ids)) != len(ids):
        raise InvalidItinerary("each stop may appear only once")
    times = [request.start_at] + ([request.end_at] if request.end_at else [])
    for stop in request.stops:
        if isinstance(stop, EventStop):
            times += [stop.starts_at, stop.ends_at]
            if stop.ends_at <= stop.starts_at:
                raise InvalidItinerary(f"event {stop.id} ends before it starts")
        else:
            times += [t for window in stop.windows for t in window]
            if stop.dwell_min < 1:
                raise InvalidItinerary(f"venue {stop.id} needs a dwell of at least one minute")
            if any(close <= open_ for open_, close in stop.windows):
                raise InvalidItinerary(f"venue {stop.id} has an opening window that closes before it opens")
    if any(t.tzinfo is None or t.utcoffset() is None for t in times):
        raise InvalidItinerary("every time needs a timezone")
    if request.end_at is not None and request.end_at <= request.start_at:
        raise InvalidItinerary("end_at must be after start_at")
