"""Curated trails as routes: each leg along the trail's drawn path when it has one, else straight, timed
off-peak by the trail's own mode."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from server.errors import NotFound
from server.programme.snapshot import Snapshot
from server.wayfinding import schemas
from server.wayfinding.drawing import raw
from server.wayfinding.estimator import Estimator
from server.wayfinding.geojson import feature_collection, leg_feature
from server.wayfinding.paths import Path, length_m, pieces
from server.wayfinding.places import Place
from server.wayfinding.travel import PROFILES, LatLon, leg_for_distance


def trail_routes(snapshot: Snapshot, estimator: Estimator) -> list[schemas.TrailRoute]:
    """Every curated trail with its geometry and off-peak leg estimates by its own mode."""
    return [_trail(snapshot, estimator, trail) for trail in snapshot.trails.values()]


def trail_route(snapshot: Snapshot, estimator: Estimator, trail_id: str) -> schemas.TrailRoute:
    trail = snapshot.trails.get(trail_id)
    if trail is None:
        raise NotFound(f"no trail with id {trail_id!r}")
    return _trail(snapshot, estimator, trail)


def _trail(snapshot: Snapshot, estimator: Estimator, trail: Any) -> schemas.TrailRoute:
    stops = [Place(LatLon(v.lat, v.lon), v.id) for s in trail.stops if (v := snapshot.venues.get(s))]
    drawn: list[Path] | None = None
    if trail.path and len(trail.path) >= 2 and len(stops) == len(trail.stops):
        drawn = pieces([LatLon(lat, lon) for lon, lat in trail.path], [s.point for s in stops])
    profile = PROFILES[trail.mode]
    legs, features = [], []
    for i, (a, b) in enumerate(pairwise(stops)):
        if drawn:
            path, source = drawn[i], "trail"
            leg = leg_for_distance(length_m(path) / profile.circuity, profile)
        else:
            path, source = (a.point, b.point), "straight"
            leg = estimator.leg(a, b, trail.mode, None)
        legs.append(schemas.TrailLeg(a.venue_id, b.venue_id, leg.distance_m, leg.duration_s, source))
        features.append(
            leg_feature(
                path,
                {
                    "from_id": a.venue_id,
                    "to_id": b.venue_id,
                    "distance_m": leg.distance_m,
                    "duration_s": leg.duration_s,
                    "geometry_source": source,
                },
            )
        )
    return schemas.TrailRoute(
        id=trail.id,
        name=trail.name,
        description=trail.description,
        mode=trail.mode,
        duration_min=trail.duration_min,
        stops=list(trail.stops),
        legs=legs,
        distance_m=sum(leg.distance_m for leg in legs),
        travel_s=sum(leg.duration_s for leg in legs),
        engine="estimate",
        geojson=raw(feature_collection(features, engine="estimate")),
    )
