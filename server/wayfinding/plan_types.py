"""The day planner's request and answer: the stops to choose among, the plan, and the stops left out.

`planner.plan_itinerary` takes an `ItineraryRequest` and answers an `Itinerary`, or raises `InvalidItinerary`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from server.wayfinding.travel import LatLon

UnplacedReason = Literal["overlaps_event", "closed", "unreachable"]


class InvalidItinerary(ValueError):
    """A request the planner refuses; the server answers 422 with the message."""


class TooManyStops(InvalidItinerary):
    """More stops than the planner takes (`planner.MAX_STOPS`)."""


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
