"""RFC 7946 GeoJSON for routes, itineraries and venue maps.

Positions are [longitude, latitude] rounded to 6 decimals (about 0.1 m, RFC 7946 §11.2); every
FeatureCollection carries a `bbox` [west, south, east, north] when it has a position, and never a `crs`
(RFC 7946 §4 removed it: coordinates are WGS 84). Encode the results with `msgspec.json.encode`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Literal

import msgspec

from server.wayfinding.travel import LatLon

GeometrySource = Literal["trail", "engine", "streets", "straight"]
"""Where a leg's line comes from: a curated trail's drawn path, the external routing engine, the streets of the
imported road graph, or a straight line."""

Position = tuple[float, float]
"""[longitude, latitude], already rounded."""


class Point(msgspec.Struct, frozen=True, tag="Point", tag_field="type"):
    coordinates: Position


class LineString(msgspec.Struct, frozen=True, tag="LineString", tag_field="type"):
    coordinates: tuple[Position, ...]


class LegProperties(msgspec.Struct, frozen=True, omit_defaults=True):
    """What a leg's LineString says about the trip. `from_id` is absent for a leg from a free point."""

    distance_m: int
    duration_s: int
    depart_at: datetime
    arrive_at: datetime
    geometry_source: GeometrySource
    from_id: str | None = None
    to_id: str | None = None


class Feature(msgspec.Struct, frozen=True, tag="Feature", tag_field="type"):
    geometry: Point | LineString
    properties: LegProperties | dict[str, Any]


class FeatureCollection(msgspec.Struct, frozen=True, omit_defaults=True, tag="FeatureCollection", tag_field="type"):
    """A FeatureCollection; `engine` is a foreign member naming what computed the durations
    (`estimate` or the routing engine's name); `attribution`, the credit the data of a drawn route asks for
    (street routes from OpenStreetMap: "© OpenStreetMap contributors")."""

    features: tuple[Feature, ...]
    bbox: tuple[float, float, float, float] | None = None
    engine: str | None = None
    attribution: str | None = None


def position(point: LatLon) -> Position:
    """A GeoJSON position: [lon, lat], rounded to 6 decimals."""
    return (round(point.lon, 6), round(point.lat, 6))


def point_feature(point: LatLon, properties: dict[str, Any]) -> Feature:
    """A Point feature, for a venue on a map."""
    return Feature(geometry=Point(position(point)), properties=properties)


def leg_feature(path: Sequence[LatLon], properties: LegProperties) -> Feature:
    """A LineString feature for one leg. `path` is the drawn path (trail or engine) or just the two ends
    (straight); a leg that does not move still gets its two equal ends, as a LineString needs two."""
    if not path:
        raise ValueError("a leg needs at least one point")
    coordinates = tuple(position(p) for p in path)
    if len(coordinates) == 1:
        coordinates *= 2
    return Feature(geometry=LineString(coordinates), properties=properties)


def feature_collection(
    features: Iterable[Feature], engine: str | None = None, attribution: str | None = None
) -> FeatureCollection:
    """A FeatureCollection with the bbox of all its positions."""
    features = tuple(features)
    positions = [p for f in features for p in _positions(f.geometry)]
    bbox = None
    if positions:
        lons = [p[0] for p in positions]
        lats = [p[1] for p in positions]
        bbox = (min(lons), min(lats), max(lons), max(lats))
    return FeatureCollection(features=features, bbox=bbox, engine=engine, attribution=attribution)


def _positions(geometry: Point | LineString) -> Sequence[Position]:
    return (geometry.coordinates,) if isinstance(geometry, Point) else geometry.coordinates
