"""The events and venues an itinerary request names, as the planner's stops.

A stop's id carries its kind, `event:<id>` or `venue:<id>`, so an event and a venue of the same id stay two
stops; `public_id` and `stop_kind` read it back for the answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from server.errors import NotFound
from server.programme.snapshot import Snapshot
from server.wayfinding import schemas
from server.wayfinding.hours import plan_days, windows_on
from server.wayfinding.plan_types import EventStop, Stop, VenueStop
from server.wayfinding.travel import LatLon

#: an event this long or longer (an exhibition, an installation, a market) is open house: a plan may join it
#: at any time while it runs, for `OPEN_HOUSE_VISIT_MIN` minutes, rather than from its start to its end
#: (pwa/js/lib/dayplan.js plans the same way)
OPEN_HOUSE = timedelta(hours=3)
OPEN_HOUSE_VISIT_MIN = 60


def planner_stops(
    snapshot: Snapshot, request: schemas.ItineraryRequest, start_at: datetime, end_at: datetime | None
) -> tuple[list[Stop], list[str], dict[str, str]]:
    """The planner's stops, the cancelled events left out, and the venue of every stop. 404 for an unknown
    event or venue. An open-house event (`OPEN_HOUSE` or longer) is a visit inside its own times, as a venue
    is inside its opening hours."""
    stops: list[Stop] = []
    cancelled: list[str] = []
    where: dict[str, str] = {}
    for event_id in request.events:
        event = snapshot.events_by_id.get(event_id)
        venue = snapshot.venues.get(event.venue_id) if event else None
        if event is None or venue is None:
            raise NotFound(f"no event with id {event_id!r}")
        key = f"event:{event_id}"
        if event.status == "cancelled":
            cancelled.append(key)
            continue
        where[key] = venue.id
        location = LatLon(venue.lat, venue.lon)
        if event.ends_at - event.starts_at >= OPEN_HOUSE:
            windows = ((event.starts_at, event.ends_at),)
            stops.append(VenueStop(key, location, windows, OPEN_HOUSE_VISIT_MIN))
        else:
            stops.append(EventStop(key, location, event.starts_at, event.ends_at))
    days = plan_days(start_at, end_at)
    for visit in request.venues:
        venue = snapshot.venue(visit.id)
        key = f"venue:{visit.id}"
        where[key] = venue.id
        windows = windows_on(venue.opening_hours, venue.festival_hours, days)
        stops.append(VenueStop(key, LatLon(venue.lat, venue.lon), windows, visit.dwell_min))
    return stops, cancelled, where


def public_id(key: str) -> str:
    return key.partition(":")[2]


def stop_kind(key: str) -> Any:
    return key.partition(":")[0]
