"""The places and instants a wayfinding request names: a venue id, `lat,lon` or {lat, lon}; a time with offset."""

from __future__ import annotations

import math
import re
from typing import NamedTuple

from server.errors import Invalid
from server.programme.snapshot import Snapshot
from server.wayfinding import schemas
from server.wayfinding.travel import LatLon
from sync.messages import SLUG_PATTERN

_COORDINATES = re.compile(r"^\s*([+-]?\d{1,3}(?:\.\d+)?)\s*,\s*([+-]?\d{1,3}(?:\.\d+)?)\s*$")
_SLUG = re.compile(SLUG_PATTERN)


class Place(NamedTuple):
    """A point, and the venue it is when it is one."""

    point: LatLon
    venue_id: str | None = None


def resolve_place(snapshot: Snapshot, ref: str | schemas.Point, name: str) -> Place:
    """A venue id, `lat,lon` or {lat, lon} as a Place; 404 for an unknown venue, 422 for anything else."""
    if isinstance(ref, schemas.Point):
        return Place(_point(ref.lat, ref.lon, name))
    match = _COORDINATES.match(ref)
    if match:
        return Place(_point(float(match[1]), float(match[2]), name))
    if not _SLUG.match(ref):
        raise Invalid(f"{name} must be a venue id or `lat,lon` in degrees, not {ref[:80]!r}")
    venue = snapshot.venue(ref)
    return Place(LatLon(venue.lat, venue.lon), venue.id)


def _point(lat: float, lon: float, name: str) -> LatLon:
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise Invalid(f"{name}: latitude must be within [-90, 90] and longitude within [-180, 180]")
    return LatLon(lat, lon)
