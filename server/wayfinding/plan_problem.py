"""The planner's request in integer epoch seconds, shared by the exact search and the heuristic.

`Problem` sets aside the stops that cannot fit even alone (an event outside the day's bounds, a venue with
no window that holds the dwell); the rest are its `candidates`. It gives the ways to do a stop next
(`visits`) and turns the chosen visits into the answer (`itinerary`), with a reason for each stop left out.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Literal, NamedTuple

from server.wayfinding.plan_types import (
    EventStop,
    Itinerary,
    ItineraryRequest,
    PlannedLeg,
    PlannedStop,
    Unplaced,
    UnplacedReason,
)
from server.wayfinding.travel import LatLon, TravelTime, round_half_up


class Visit(NamedTuple):
    """One stop done: the leg to it (departure, duration, arrival), then its begin and leave times."""

    stop: int
    depart: int
    duration: int
    arrive: int
    begin: int
    leave: int


Plan = tuple[Visit, ...]


class Problem:
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

    def visits(self, origin: int, destination: int, depart: int, *, every_window: bool) -> list[Visit]:
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
            return [Visit(destination, depart, duration, arrive, starts, ends)] if arrive <= starts else []
        dwell = self.request.stops[destination].dwell_min * 60
        found = []
        for earliest, latest in self.windows[destination]:
            begin = max(arrive, earliest)
            if begin <= latest:
                found.append(Visit(destination, depart, duration, arrive, begin, begin + dwell))
                if not every_window:
                    break
        return found

    # -- the answer --------------------------------------------------------------------------------

    def itinerary(self, plan: Plan, method: Literal["exact", "heuristic"]) -> Itinerary:
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


def _seconds(moment: datetime) -> int:
    return math.floor(moment.timestamp())
