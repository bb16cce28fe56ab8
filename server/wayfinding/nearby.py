"""The venues nearest a point, with the estimated trip to each."""

from __future__ import annotations

from datetime import datetime

from server.programme.snapshot import Snapshot
from server.wayfinding import schemas
from server.wayfinding.estimator import Estimator
from server.wayfinding.places import Place
from server.wayfinding.travel import LatLon, Mode, distance_m, round_half_up


def nearest_venues(
    snapshot: Snapshot, estimator: Estimator, point: LatLon, limit: int, mode: Mode, depart_at: datetime
) -> list[schemas.NearbyVenue]:
    """The `limit` venues nearest `point` (as the crow flies), nearest first, with the estimated trip."""
    ranked = sorted((distance_m(point, LatLon(v.lat, v.lon)), v.id) for v in snapshot.venues.values())
    found = []
    for metres, venue_id in ranked[:limit]:
        venue = snapshot.venues[venue_id]
        leg = estimator.leg(Place(point), Place(LatLon(venue.lat, venue.lon), venue_id), mode, depart_at)
        found.append(
            schemas.NearbyVenue(
                id=venue.id,
                name=venue.name,
                kind=venue.kind,
                district=venue.district,
                lat=venue.lat,
                lon=venue.lon,
                distance_m=round_half_up(metres),
                duration_s=leg.duration_s,
            )
        )
    return found
