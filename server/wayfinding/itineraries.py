"""The itinerary endpoint's service: a request for a day of events and venues turned into a plan answer.

The planner (`planner`) chooses the order; this module checks the request, gives the planner its travel
times (the engine's table when it answers, else the estimate, with rush hours) and draws the legs.
"""

from __future__ import annotations

import asyncio
import math
from datetime import datetime

from server.errors import Invalid
from server.programme.snapshot import Snapshot
from server.wayfinding import schemas
from server.wayfinding.drawing import leg_line, raw, timed_leg_feature
from server.wayfinding.engine_gate import RoutingEngine
from server.wayfinding.estimator import Estimator
from server.wayfinding.geojson import feature_collection
from server.wayfinding.itinerary_stops import planner_stops, public_id, stop_kind
from server.wayfinding.paths import Path, pieces
from server.wayfinding.places import Place, resolve_place
from server.wayfinding.plan_types import InvalidItinerary, ItineraryRequest
from server.wayfinding.planner import MAX_STOPS, plan_itinerary
from server.wayfinding.travel import FESTIVAL_TZ, LatLon, round_half_up


async def itinerary(
    snapshot: Snapshot, estimator: Estimator, engine: RoutingEngine | None, request: schemas.ItineraryRequest
) -> schemas.Itinerary:
    """The best feasible plan for the request (see `planner`), with its legs drawn."""
    start = resolve_place(snapshot, request.start, "start")
    wanted = len(request.events) + len(request.venues)
    if wanted > MAX_STOPS:
        raise Invalid(f"a plan takes at most {MAX_STOPS} stops, not {wanted}")
    # every instant of a body lies between 1900 and 3000 (server/http.py), so any offset's arithmetic holds
    start_at = request.start_at.astimezone(FESTIVAL_TZ)
    end_at = request.end_at.astimezone(FESTIVAL_TZ) if request.end_at else None
    if end_at is not None and end_at <= start_at:
        raise Invalid("end_at must be after start_at")
    stops, cancelled, where = planner_stops(snapshot, request, start_at, end_at)
    places = {start.point: start}
    for stop in stops:
        places.setdefault(stop.location, Place(stop.location, where[stop.id]))
    mode = request.mode

    # travel times: the engine's table when it answers, else the estimate (with rush hours)
    engine_name, table = "estimate", None
    points = list(places)
    if engine is not None and len(points) > 1:
        table = await engine.table(points, mode)
        if table is not None:
            engine_name = engine.name
    if table is not None:
        index = {p: i for i, p in enumerate(points)}

        def seconds(a: LatLon, b: LatLon, _: datetime) -> float:
            value = table.durations_s[index[a]][index[b]]
            return 0.0 if a == b else math.inf if value is None else value
    else:

        def seconds(a: LatLon, b: LatLon, depart: datetime) -> float:
            return estimator.leg(places[a], places[b], mode, depart).duration_s

    try:
        plan = await asyncio.to_thread(
            plan_itinerary,
            ItineraryRequest(start=start.point, start_at=start_at, stops=tuple(stops), end_at=end_at),
            seconds,
        )
    except InvalidItinerary as exc:
        raise Invalid(str(exc)) from None

    # the legs' lines: trail paths, else the engine's streets through every stop in one request
    engine_pieces: list[Path] | None = None
    if table is not None and plan.legs:
        route_points = [start.point, *(leg.destination for leg in plan.legs)]
        engine_route = await engine.route(route_points, mode)
        if engine_route is not None:
            engine_pieces = pieces(engine_route.path, engine_route.waypoints)
    legs, features = [], []
    for i, leg in enumerate(plan.legs):
        a, b = places[leg.origin], places[leg.destination]
        if table is not None:
            metres = table.distances_m[index[leg.origin]][index[leg.destination]]
            distance = 0 if leg.origin == leg.destination else round_half_up(metres or 0)
        else:
            distance = estimator.leg(a, b, mode, None).distance_m
        drawn = engine_pieces and engine_pieces[i]
        path, source = leg_line(estimator.piece(a, b), drawn, a, b, engine.geometry_source if engine else "engine")
        from_id = public_id(leg.from_id) if leg.from_id else None
        to_id = public_id(leg.to_id)
        legs.append(
            schemas.PlannedLeg(
                from_id=from_id,
                to_id=to_id,
                depart_at=leg.depart_at,
                arrive_at=leg.arrive_at,
                duration_s=leg.duration_s,
                distance_m=distance,
                geometry_source=source,
            )
        )
        features.append(timed_leg_feature(path, source, distance, leg.duration_s, leg.depart_at, from_id, to_id))

    reasons: dict[str, schemas.UnplacedReason] = {u.id: u.reason for u in plan.unplaced}
    reasons.update({stop_id: "cancelled" for stop_id in cancelled})
    unplaced = [
        schemas.Unplaced(id=public_id(key), kind=stop_kind(key), reason=reasons[key])
        for key in [*(f"event:{e}" for e in request.events), *(f"venue:{v.id}" for v in request.venues)]
        if key in reasons
    ]
    return schemas.Itinerary(
        engine=engine_name,
        method=plan.method,
        mode=mode,
        start=schemas.StartOut(lat=start.point.lat, lon=start.point.lon, venue_id=start.venue_id),
        start_at=start_at,
        end_at=end_at,
        stops=[
            schemas.PlannedStop(
                id=public_id(stop.id),
                kind=stop_kind(stop.id),
                venue_id=where[stop.id],
                lat=stop.location.lat,
                lon=stop.location.lon,
                arrive_at=stop.arrive_at,
                starts_at=stop.starts_at,
                leave_at=stop.leave_at,
                wait_s=int((stop.starts_at - stop.arrive_at).total_seconds()),
            )
            for stop in plan.stops
        ],
        legs=legs,
        totals=schemas.Totals(
            travel_s=plan.travel_s,
            distance_m=sum(leg.distance_m for leg in legs),
            stops=len(plan.stops),
            finish_at=plan.finish_at,
        ),
        unplaced=unplaced,
        geojson=raw(
            feature_collection(
                features, engine=engine_name, attribution=engine.attribution if engine and engine_pieces else None
            )
        ),
    )
