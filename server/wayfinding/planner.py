"""The day planner: the best order in which to attend events and visit venues.

A plan starts at a point at `start_at` and visits stops one after another:

- an *event* has fixed times: the attendee must arrive by `starts_at` and stays until `ends_at`;
- a *venue* is visited for `dwell_min` minutes entirely inside one of its opening windows; arriving
  before the window opens means waiting at the door;
- every stop is left as soon as it is over (events at `ends_at`, venues after the dwell) and the
  travel time of each leg is the injected `TravelTime` for that departure;
- with `end_at`, every stop must be over by then (there is no leg back).

The best plan has the most stops, then the least total travel time, then the earliest finish.

Stops that cannot fit even alone (an event outside the day's bounds, a venue with no window that holds
the dwell) are set aside first; the rest are the candidates.

With up to `EXACT_MAX_STOPS` candidates the planner is exact: a dynamic programme over (set of stops
done, last stop), one layer per number of stops, keeps per state the labels (finish time f, travel t)
that are not dominated, where label A dominates B when f_A ≤ f_B and t_A − f_A ≤ t_B − f_B. That rule is
sound whenever travel is FIFO (leaving later never arrives earlier, which `travel.travel_time`
guarantees even across rush hours): A can follow every continuation of B, arriving no later, and the
extra travel A may spend by leaving earlier is at most the head start f_B − f_A that the rule already
charged it. Venue visits branch over every opening window, so a later window stays available to A as
it was to B.

With more candidates (up to `MAX_STOPS` stops) a heuristic answers, always with a feasible plan:
  1. the same dynamic programme restricted to a beam: each layer keeps only the `HEURISTIC_BEAM` labels
     that finish earliest (a restricted DP in the manner of Malandraki and Dial, 1996);
  2. separately, the best chain of events alone (exact: events fix their own times);
  3. on both, cheapest insertion of left-out stops (earliest visit window), then local search until no
     move helps: relocate one stop to its best position, or drop one stop and refill by cheapest
     insertion (which can trade one stop for two);
  4. the better of the two.
On random realistic days of 10 stops it matches the exact optimum in nearly every case (see
bench/bench_itinerary.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Literal, NamedTuple

import msgspec

from server.wayfinding.travel import LatLon, TravelTime, round_half_up

EXACT_MAX_STOPS = 10
MAX_STOPS = 25
HEURISTIC_BEAM = 300

Method = Literal["auto", "exact", "heuristic"]
UnplacedReason = Literal["overlaps_event", "closed", "unreachable"]


class InvalidItinerary(ValueError):
    """A request the planner refuses; the server answers 422 with the message."""


class TooManyStops(InvalidItinerary):
    """More stops than the planner takes (`MAX_STOPS`)."""


class EventStop(msgspec.Struct, frozen=True, tag="event", tag_field="kind"):
    """An event to attend from `starts_at` to `ends_at`."""

    id: str
    location: LatLon
    starts_at: datetime
    ends_at: datetime


class VenueStop(msgspec.Struct, frozen=True, tag="venue", tag_field="kind"):
    """A venue to visit for `dwell_min` minutes inside one of its opening windows (open, close) of the day."""

    id: str
    location: LatLon
    windows: tuple[tuple[datetime, datetime], ...]
    dwell_min: int


Stop = EventStop | VenueStop


class ItineraryRequest(msgspec.Struct, frozen=True):
    """Plan a day from `start` at `start_at`, optionally done by `end_at`, choosing among `stops`."""

    start: LatLon
    start_at: datetime
    stops: tuple[Stop, ...]
    end_at: datetime | None = None


class PlannedStop(msgspec.Struct, frozen=True):
    """A stop in the plan: arrival, when the event or visit begins (after any wait), departure."""

    id: str
    kind: Literal["event", "venue"]
    location: LatLon
    arrive_at: datetime
    starts_at: datetime
    leave_at: datetime


class PlannedLeg(msgspec.Struct, frozen=True):
    """A trip between two consecutive places of the plan; `from_id` is None for the start point."""

    from_id: str | None
    to_id: str
    origin: LatLon
    destination: LatLon
    depart_at: datetime
    arrive_at: datetime
    duration_s: int


class Unplaced(msgspec.Struct, frozen=True):
    """A stop left out: `closed` (a venue with no window that holds the dwell within the day),
    `overlaps_event` (an event that clashes with a chosen one), `unreachable` (anything else: it cannot be
    reached in time alongside the chosen stops, or before its start or the day's end)."""

    id: str
    reason: UnplacedReason


class Itinerary(msgspec.Struct, frozen=True):
    """The plan: stops in order, the legs leading to each, total travel, when the last stop is over."""

    stops: tuple[PlannedStop, ...]
    legs: tuple[PlannedLeg, ...]
    travel_s: int
    finish_at: datetime
    unplaced: tuple[Unplaced, ...]
    method: Literal["exact", "heuristic"]


def plan_itinerary(request: ItineraryRequest, travel_time: TravelTime, *, method: Method = "auto") -> Itinerary:
    """The best feasible plan for `request`.

    `travel_time(from, to, depart_at)` gives seconds, or `math.inf` where there is no way; it must be
    FIFO for the exact planner to be exact. `method` forces the exact planner (up to `EXACT_MAX_STOPS`
    candidates) or the heuristic; "auto" takes the exact one whenever it may.
    """
    _check(request)
    problem = _Problem(request, travel_time)
    small = len(problem.candidates) <= EXACT_MAX_STOPS
    if method == "exact" and not small:
        raise InvalidItinerary(f"the exact planner takes at most {EXACT_MAX_STOPS} stops that can fit")
    exact = method == "exact" or (method == "auto" and small)
    visits = problem.search(beam=None) if exact else problem.heuristic()
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


class _Visit(NamedTuple):
    stop: int
    depart: int
    duration: int
    arrive: int
    begin: int
    leave: int


_Plan = tuple[_Visit, ...]

# A DP label: (finish, travel − finish, travel, visits so far as a linked list (visit, previous)).
_Label = tuple[int, int, int, "tuple[_Visit, object] | None"]


class _Problem:
    """The request in integer epoch seconds, with the stops that can fit at all on their own as candidates."""

    def __init__(self, request: ItineraryRequest, travel_time: TravelTime) -> None:
        self.request = request
        self.tz = request.start_at.tzinfo
        self.start = _seconds(request.start_at)
        self.end = _seconds(request.end_at) if request.end_at else math.inf
        self._travel_time = travel_time
        self._legs: dict[tuple[int, int, int], int | None] = {}
        self.locations: list[LatLon] = []
        self.event_times: list[tuple[int, int] | None] = []
        # Per venue, its windows as (earliest begin, latest begin) within the day's bounds.
        self.windows: list[list[tuple[int, int]]] = []
        self.latest_arrival: list[float] = []
        self.candidates: list[int] = []
        for index, stop in enumerate(request.stops):
            self.locations.append(stop.location)
            if isinstance(stop, EventStop):
                starts, ends = _seconds(stop.starts_at), _seconds(stop.ends_at)
                self.event_times.append((starts, ends))
                self.windows.append([])
                self.latest_arrival.append(starts)
                fits = starts >= self.start and ends <= self.end
            else:
                dwell = stop.dwell_min * 60
                spans = sorted(
                    (max(_seconds(o), self.start), min(_seconds(c), self.end) - dwell) for o, c in stop.windows
                )
                spans = [(earliest, latest) for earliest, latest in spans if earliest <= latest]
                self.event_times.append(None)
                self.windows.append(spans)
                self.latest_arrival.append(max((latest for _, latest in spans), default=-math.inf))
                fits = bool(spans)
            if fits:
                self.candidates.append(index)

    # -- travel and visits -------------------------------------------------------------------------

    def leg_seconds(self, origin: int, destination: int, depart: int) -> int | None:
        """Whole seconds from stop `origin` (-1: the start point) to `destination` leaving at `depart`."""
        key = (origin, destination, depart)
        if key not in self._legs:
            here = self.request.start if origin < 0 else self.locations[origin]
            seconds = self._travel_time(here, self.locations[destination], datetime.fromtimestamp(depart, self.tz))
            if seconds < 0 or math.isnan(seconds):
                raise ValueError(f"travel time must be a non-negative number of seconds, not {seconds}")
            self._legs[key] = None if math.isinf(seconds) else round_half_up(seconds)
        return self._legs[key]

    def visits(self, origin: int, destination: int, depart: int, *, every_window: bool) -> list[_Visit]:
        """The ways to do `destination` next when leaving `origin` at `depart`: the event, or one visit per
        opening window that still fits (only the earliest unless `every_window`)."""
        if depart > self.latest_arrival[destination]:
            return []
        duration = self.leg_seconds(origin, destination, depart)
        if duration is None:
            return []
        arrive = depart + duration
        times = self.event_times[destination]
        if times is not None:
            starts, ends = times
            return [_Visit(destination, depart, duration, arrive, starts, ends)] if arrive <= starts else []
        dwell = self.request.stops[destination].dwell_min * 60
        found = []
        for earliest, latest in self.windows[destination]:
            begin = max(arrive, earliest)
            if begin <= latest:
                found.append(_Visit(destination, depart, duration, arrive, begin, begin + dwell))
                if not every_window:
                    break
        return found

    def follow(self, order: Sequence[int], plan: _Plan = (), position: int = 0) -> _Plan | None:
        """The schedule that does `order` after the first `position` visits of `plan` (earliest windows),
        or None if a stop does not fit. When `order` ends with the stops of `plan[position:]` and one of
        them is left at its old time, the rest of `plan` cannot change and is reused."""
        done = list(plan[:position])
        origin, depart = (done[-1].stop, done[-1].leave) if done else (-1, self.start)
        tail = plan[position:]
        for offset, stop in enumerate(order):
            options = self.visits(origin, stop, depart, every_window=False)
            if not options:
                return None
            visit = options[0]
            done.append(visit)
            origin, depart = stop, visit.leave
            old = offset - (len(order) - len(tail))
            if 0 <= old < len(tail) and tail[old].leave == visit.leave and tail[old].stop == stop:
                return tuple(done) + tail[old + 1 :]
        return tuple(done)

    # -- the dynamic programme ----------------------------------------------------------------------

    def search(self, beam: int | None) -> _Plan:
        """The dynamic programme over (stops done, last stop), one layer per number of stops done. Exact
        with `beam` None; otherwise each layer keeps only the `beam` labels that finish earliest."""
        stops = self.candidates
        layer: dict[tuple[int, int], list[_Label]] = {(0, -1): [(self.start, -self.start, 0, None)]}
        best, best_chain = (0, 0, self.start), None
        while layer:
            following: dict[tuple[int, int], list[_Label]] = {}
            for (mask, last), labels in layer.items():
                count = mask.bit_count()
                origin = -1 if last < 0 else stops[last]
                for finish, _, travel, chain in labels:
                    if (-count, travel, finish) < (-best[0], best[1], best[2]):
                        best, best_chain = (count, travel, finish), chain
                    for j, stop in enumerate(stops):
                        bit = 1 << j
                        if mask & bit:
                            continue
                        for visit in self.visits(origin, stop, finish, every_window=True):
                            spent = travel + visit.duration
                            label = (visit.leave, spent - visit.leave, spent, (visit, chain))
                            _add_label(following.setdefault((mask | bit, j), []), label)
            layer = following if beam is None else _narrow(following, beam)
        visits: list[_Visit] = []
        while best_chain is not None:
            visit, best_chain = best_chain
            visits.append(visit)
        return tuple(reversed(visits))

    # -- the heuristic -----------------------------------------------------------------------------

    def heuristic(self) -> _Plan:
        starts = [self.search(HEURISTIC_BEAM), self.follow(self._best_event_chain()) or ()]
        return min((self._improve(self._insert(plan)) for plan in starts), key=_objective)

    def _best_event_chain(self) -> list[int]:
        events = sorted((i for i in self.candidates if self.event_times[i]), key=lambda i: (self.event_times[i], i))
        # Per event: (events in the best chain ending there, its travel, previous event).
        chains: dict[int, tuple[int, int, int | None]] = {}
        for j in events:
            options = [(1, visit.duration, None) for visit in self.visits(-1, j, self.start, every_window=False)]
            for i, (count, travel, _) in chains.items():
                for visit in self.visits(i, j, self.event_times[i][1], every_window=False):
                    options.append((count + 1, travel + visit.duration, i))
            if options:
                chains[j] = min(options, key=lambda o: (-o[0], o[1]))
        if not chains:
            return []
        last: int | None = min(chains, key=lambda j: (-chains[j][0], chains[j][1], j))
        order = []
        while last is not None:
            order.append(last)
            last = chains[last][2]
        return order[::-1]

    def _insert(self, plan: _Plan) -> _Plan:
        """Cheapest insertion until no left-out candidate fits anywhere."""
        while True:
            placed = {visit.stop for visit in plan}
            options = [
                result
                for stop in self.candidates
                if stop not in placed
                for position in range(len(plan) + 1)
                if (result := self._with(plan, stop, position)) is not None
            ]
            if not options:
                return plan
            plan = min(options, key=_objective)

    def _with(self, plan: _Plan, stop: int, position: int) -> _Plan | None:
        before = plan[position - 1].leave if position else self.start
        if before > self.latest_arrival[stop]:
            return None
        return self.follow([stop] + [visit.stop for visit in plan[position:]], plan, position)

    def _improve(self, plan: _Plan) -> _Plan:
        """Relocate and drop-and-refill moves, first improvement, until none helps."""
        improved = True
        while improved:
            improved = False
            for index in range(len(plan)):
                rest = self.follow([visit.stop for i, visit in enumerate(plan) if i != index])
                if rest is None:
                    continue
                moved = [self._with(rest, plan[index].stop, p) for p in range(len(rest) + 1)]
                candidates = [c for c in moved if c is not None] + [self._insert(rest)]
                better = min(candidates, key=_objective)
                if _objective(better) < _objective(plan):
                    plan, improved = better, True
                    break
        return plan

    # -- the answer --------------------------------------------------------------------------------

    def itinerary(self, plan: _Plan, method: Literal["exact", "heuristic"]) -> Itinerary:
        stops = self.request.stops
        planned, legs = [], []
        origin_id, origin = None, self.request.start
        for visit in plan:
            stop = stops[visit.stop]
            planned.append(
                PlannedStop(
                    id=stop.id,
                    kind="event" if isinstance(stop, EventStop) else "venue",
                    location=stop.location,
                    arrive_at=self._datetime(visit.arrive),
                    starts_at=self._datetime(visit.begin),
                    leave_at=self._datetime(visit.leave),
                )
            )
            legs.append(
                PlannedLeg(
                    from_id=origin_id,
                    to_id=stop.id,
                    origin=origin,
                    destination=stop.location,
                    depart_at=self._datetime(visit.depart),
                    arrive_at=self._datetime(visit.arrive),
                    duration_s=visit.duration,
                )
            )
            origin_id, origin = stop.id, stop.location
        placed = {visit.stop for visit in plan}
        chosen_events = [self.event_times[v.stop] for v in plan if self.event_times[v.stop]]
        unplaced = tuple(
            Unplaced(stops[i].id, self._reason(i, chosen_events)) for i in range(len(stops)) if i not in placed
        )
        return Itinerary(
            stops=tuple(planned),
            legs=tuple(legs),
            travel_s=sum(visit.duration for visit in plan),
            finish_at=self._datetime(plan[-1].leave if plan else self.start),
            unplaced=unplaced,
            method=method,
        )

    def _reason(self, index: int, chosen_events: list[tuple[int, int]]) -> UnplacedReason:
        times = self.event_times[index]
        if times is None:
            return "unreachable" if index in self.candidates else "closed"
        starts, ends = times
        if index in self.candidates and any(s < ends and starts < e for s, e in chosen_events):
            return "overlaps_event"
        return "unreachable"

    def _datetime(self, seconds: int) -> datetime:
        return datetime.fromtimestamp(seconds, self.tz)


def _add_label(labels: list[_Label], label: _Label) -> None:
    """Add `label` unless one in `labels` dominates it; drop those it dominates."""
    finish, key = label[0], label[1]
    for other in labels:
        if other[0] <= finish and other[1] <= key:
            return
    labels[:] = [other for other in labels if not (finish <= other[0] and key <= other[1])]
    labels.append(label)


def _narrow(layer: dict[tuple[int, int], list[_Label]], beam: int) -> dict[tuple[int, int], list[_Label]]:
    """The `beam` labels of a layer that finish earliest (then travel least), by state."""
    ranked = sorted(
        ((label[0], label[2], state, index) for state, labels in layer.items() for index, label in enumerate(labels))
    )[:beam]
    kept: dict[tuple[int, int], list[_Label]] = {}
    for _, _, state, index in ranked:
        kept.setdefault(state, []).append(layer[state][index])
    return kept


def _objective(plan: _Plan) -> tuple[int, int, int]:
    """Smaller is better: most stops, then least travel, then earliest finish."""
    return (-len(plan), sum(visit.duration for visit in plan), plan[-1].leave if plan else 0)


def _seconds(moment: datetime) -> int:
    return math.floor(moment.timestamp())
