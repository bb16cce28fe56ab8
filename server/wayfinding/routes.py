"""The route between two places: one leg, timed by the routing engine when it answers, else the estimate."""

from __future__ import annotations

from datetime import datetime

from server.wayfinding.drawing import leg_line, timed_leg_feature
from server.wayfinding.engine_gate import RoutingEngine
from server.wayfinding.estimator import Estimator
from server.wayfinding.geojson import FeatureCollection, feature_collection
from server.wayfinding.places import Place
from server.wayfinding.travel import FESTIVAL_TZ, Leg, Mode, round_half_up


async def route(
    estimator: Estimator,
    engine: RoutingEngine | None,
    origin: Place,
    destination: Place,
    mode: Mode,
    depart_at: datetime,
) -> FeatureCollection:
    """One leg from `origin` to `destination` as a FeatureCollection with `engine` and `bbox`, and the
    engine's `attribution` when its line is drawn."""
    depart_at = depart_at.astimezone(FESTIVAL_TZ).replace(microsecond=0)
    engine_route = None
    if engine is not None and origin.point != destination.point:
        engine_route = await engine.route([origin.point, destination.point], mode)
    if engine_route is not None:
        leg = Leg(round_half_up(engine_route.legs[0].distance_m), round_half_up(engine_route.legs[0].duration_s))
        engine_name = engine.name
    else:
        leg = estimator.leg(origin, destination, mode, depart_at)
        engine_name = "estimate"
    path, source = leg_line(
        estimator.piece(origin, destination),
        engine_route and engine_route.path,
        origin,
        destination,
        engine.geometry_source if engine is not None else "engine",
    )
    feature = timed_leg_feature(
        path, source, leg.distance_m, leg.duration_s, depart_at, origin.venue_id, destination.venue_id
    )
    credit = engine.attribution if engine is not None and source == engine.geometry_source else None
    return feature_collection([feature], engine=engine_name, attribution=credit)
