"""How the answers draw a leg: its line, the GeoJSON feature that carries it, the collection encoded once.

A leg's line is, in order of preference, the trail's drawn path, the engine's street geometry (the external
engine's, or the imported road graph's), or the straight line, and says which (`geometry_source`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import msgspec

from server.wayfinding.geojson import Feature, FeatureCollection, GeometrySource, LegProperties, leg_feature
from server.wayfinding.paths import Path
from server.wayfinding.places import Place
from server.wayfinding.travel import LatLon

_encoder = msgspec.json.Encoder()


def leg_line(
    trail: Path | None, engine: Sequence[LatLon] | None, a: Place, b: Place, engine_source: GeometrySource = "engine"
) -> tuple[Sequence[LatLon], GeometrySource]:
    """The line of the leg from `a` to `b` and where it comes from (`engine_source` for the engine's line)."""
    if trail:
        return trail, "trail"
    if engine:
        return engine, engine_source
    return (a.point, b.point), "straight"


def timed_leg_feature(
    path: Sequence[LatLon],
    source: GeometrySource,
    distance: int,
    duration: int,
    depart_at: datetime,
    from_id: str | None,
    to_id: str | None,
) -> Feature:
    """The leg's LineString with its distance, its duration and the times it leaves and arrives."""
    return leg_feature(
        path,
        LegProperties(
            distance_m=distance,
            duration_s=duration,
            depart_at=depart_at,
            arrive_at=depart_at + timedelta(seconds=duration),
            geometry_source=source,
            from_id=from_id,
            to_id=to_id,
        ),
    )


def raw(collection: FeatureCollection) -> msgspec.Raw:
    """The collection as an answer's `geojson` member, encoded ahead: OpenAPI cannot be derived from its
    union of property types, so `schemas` only describes its shape."""
    return msgspec.Raw(_encoder.encode(collection))
