"""Wayfinding endpoints: routes, nearby venues, day plans, curated trails. Public, read-only.

`GET /api/trails` and `GET /api/trails/{trail_id}` share their paths with the programme's organiser
writes (POST, PATCH, DELETE), so they are plain handlers rather than a Controller: Litestar merges plain
handlers into an existing path, but two Controllers on one path both bring an OPTIONS handler and clash.
They must register after the programme controller (app.py's `domains()` lists wayfinding after it).
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import Body, QueryParameter

from server.domain import Now
from server.errors import Invalid, NotFound
from server.http import REVALIDATE, ReadErrors, SlugPath, json_response
from server.programme.snapshot import SnapshotDep
from server.wayfinding import schemas
from server.wayfinding.deps import provide_wayfinder
from server.wayfinding.places import resolve_place
from server.wayfinding.travel import LatLon, Mode
from server.wayfinding.wayfinder import Wayfinder

WayfinderDep = NamedDependency[Wayfinder]
ModeParam = Annotated[Mode, QueryParameter(description="walk, bicycle, motorbike, car or bus")]
GEOJSON = "application/geo+json"

_encoder = msgspec.json.Encoder()


DEPENDENCIES = {"wayfinder": Provide(provide_wayfinder, sync_to_thread=False)}


class WayfindingController(Controller):
    """Routes between venues or points, the venues nearest a point, and day plans."""

    path = "/api"
    tags = ["wayfinding"]
    dependencies = DEPENDENCIES

    @get("/routes", raises=ReadErrors, media_type=GEOJSON)
    async def route(
        self,
        now: Now,
        snapshot: SnapshotDep,
        wayfinder: WayfinderDep,
        origin: Annotated[
            str,
            QueryParameter(name="from", max_length=64, pattern=schemas.PLACE_PATTERN, description=schemas.PLACE_WORDS),
        ],
        destination: Annotated[
            str,
            QueryParameter(name="to", max_length=64, pattern=schemas.PLACE_PATTERN, description=schemas.PLACE_WORDS),
        ],
        mode: ModeParam = "walk",
        depart_at: Annotated[datetime | None, QueryParameter(description="ISO 8601 with offset; default now")] = None,
    ) -> Response[schemas.RouteGeoJSON]:
        """A route as an RFC 7946 FeatureCollection: one LineString per leg ([lon, lat]) with distance_m,
        duration_s, depart_at, arrive_at and geometry_source (`trail`, `engine`, `streets` or `straight`), and
        the top-level `engine` (`estimate`, `roads` or `osrm`), `bbox`, and `attribution` on street lines."""
        at = now if depart_at is None else depart_at  # an offset and 1900..3000: server/http.py
        a = resolve_place(snapshot, origin, "from")
        b = resolve_place(snapshot, destination, "to")
        body = await wayfinder.route(snapshot, a, b, mode, at)
        return json_response(_encoder.encode(body), media_type=GEOJSON)

    @get("/venues/nearby", raises=ReadErrors)
    async def nearby(
        self,
        now: Now,
        snapshot: SnapshotDep,
        wayfinder: WayfinderDep,
        lat: Annotated[float, QueryParameter(ge=-90, le=90, description="degrees")],
        lon: Annotated[float, QueryParameter(ge=-180, le=180, description="degrees")],
        limit: Annotated[int, QueryParameter(ge=1, le=50)] = 10,
        mode: ModeParam = "walk",
    ) -> list[schemas.NearbyVenue]:
        """The venues nearest a point, nearest first: distance_m as the crow flies and duration_s, the
        estimated trip by `mode` leaving now."""
        if not (math.isfinite(lat) and math.isfinite(lon)):
            raise Invalid("lat and lon must be numbers of degrees")
        return wayfinder.nearby(snapshot, LatLon(lat, lon), limit, mode, now)

    @post("/itineraries", raises=ReadErrors, status_code=200)
    async def itinerary(
        self,
        snapshot: SnapshotDep,
        wayfinder: WayfinderDep,
        data: Annotated[schemas.ItineraryRequest, Body()],
    ) -> Response[schemas.ItineraryDoc]:
        """The best feasible plan for a day: the most stops, then the least travel. Events keep their own
        times; venues are visited for their dwell inside the plan day's opening hours (festival hours
        override the week). Stops in order with arrive/leave times, legs, GeoJSON, totals, and `unplaced`
        with a reason for each stop left out. 404 for an unknown event or venue; 422 for bad times, more
        than 25 stops, or anything else the planner cannot take."""
        return json_response(_encoder.encode(await wayfinder.itinerary(snapshot, data)))


TrailIdParam = SlugPath


@get("/api/trails", raises=ReadErrors, tags=["wayfinding"], dependencies=DEPENDENCIES, cache_control=REVALIDATE)
async def trails(snapshot: SnapshotDep, wayfinder: WayfinderDep) -> Response[list[schemas.TrailRouteDoc]]:
    """Curated trails (such as the 90-minute heritage tour) with their geometry, a FeatureCollection of one
    LineString per leg (the drawn path cut at the stops, else straight), and per-leg durations by the
    trail's mode."""
    return json_response(snapshot.encoded(("wayfinding.trails",), lambda: wayfinder.trails(snapshot)))


@get(
    "/api/trails/{trail_id:str}",
    raises=ReadErrors,
    tags=["wayfinding"],
    dependencies=DEPENDENCIES,
    cache_control=REVALIDATE,
)
async def trail(
    snapshot: SnapshotDep, wayfinder: WayfinderDep, trail_id: TrailIdParam
) -> Response[schemas.TrailRouteDoc]:
    """One curated trail with its geometry and per-leg durations."""
    if trail_id not in snapshot.trails:
        raise NotFound(f"no trail with id {trail_id!r}")
    return json_response(snapshot.encoded(("wayfinding.trail", trail_id), lambda: wayfinder.trail(snapshot, trail_id)))
