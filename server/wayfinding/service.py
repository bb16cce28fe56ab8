"""Wayfinding over the programme snapshot: routes, nearby venues, day plans and trail geometry.

Travel times come from the optional routing engine (`LEHOI_OSRM_URL`) when it answers, else from the
estimate of `travel`; every answer names which (`engine`). The estimate between two venues uses the
geodesic distance of the bundle's travel matrix, so the server and an offline phone agree to the second;
between two venues that are consecutive stops of a trail with a drawn path it uses that path's length
(no circuity: the path is the way). A leg's line is, in order of preference, the trail's drawn path,
the engine's street geometry, or the straight line, and says which (`geometry_source`).
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any, NamedTuple

import msgspec

from server.errors import Invalid, NotFound
from server.programme.snapshot import Snapshot
from server.wayfinding import plan_types, planner, schemas
from server.wayfinding.geojson import (
    Feature,
    FeatureCollection,
    GeometrySource,
    LegProperties,
    feature_collection,
    leg_feature,
)
from server.wayfinding.hours import plan_days, windows_on
from server.wayfinding.matrix import TravelMatrix, build_matrix, cache_key
from server.wayfinding.osrm import (
    DEFAULT_TIMEOUT_S,
    EngineRoute,
    EngineTable,
    OsrmClient,
)
from server.wayfinding.paths import Path, length_m, pieces, trail_pieces
from server.wayfinding.travel import (
    FESTIVAL_TZ,
    PROFILES,
    LatLon,
    Leg,
    Mode,
    distance_m,
    leg_for_distance,
)

log = logging.getLogger(__name__)
_encoder = msgspec.json.Encoder()

#: after the engine fails (unreachable, slow, refusing), the estimate answers alone for this long, so a
#: dead engine costs one timeout per interval rather than one per request.
ENGINE_RETRY_AFTER_S = 30.0
#: OSRM's default `--max-table-size`: the most points a table request may carry.
ENGINE_TABLE_MAX_POINTS = 100
#: an event this long or longer (an exhibition, an installation, a market) is open house: a plan may join it
#: at any time while it runs, for `OPEN_HOUSE_VISIT_MIN` minutes, rather than from its start to its end
#: (pwa/js/lib/dayplan.js plans the same way)
OPEN_HOUSE = timedelta(hours=3)
OPEN_HOUSE_VISIT_MIN = 60

_COORDINATES = re.compile(r"^\s*([+-]?\d{1,3}(?:\.\d+)?)\s*,\s*([+-]?\d{1,3}(?:\.\d+)?)\s*$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


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
    venue = snapshot.venues.get(ref)
    if venue is None:
        raise NotFound(f"no venue with id {ref!r}")
    return Place(LatLon(venue.lat, venue.lon), venue.id)


#: instants outside this range are refused: far enough from datetime's limits for any day's arithmetic.
EARLIEST = datetime(1970, 1, 2, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)


def check_instant(name: str, at: datetime) -> datetime:
    """`at` if it has a UTC offset and lies between 1970 and 3000; else 422."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise Invalid(f"{name} needs a UTC offset, for example 2024-11-12T10:00:00+07:00")
    if not EARLIEST <= at <= LATEST:
        raise Invalid(f"{name} must be between 1970 and 3000")
    return at


def _point(lat: float, lon: float, name: str) -> LatLon:
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise Invalid(f"{name}: latitude must be within [-90, 90] and longitude within [-180, 180]")
    return LatLon(lat, lon)


# --- per programme version -------------------------------------------------------------------------------


class MatrixCache:
    """The travel matrix of the current programme version. A new version with the same venue ids and
    positions (an edited event, a renamed venue) keeps the matrix; it is rebuilt only when `cache_key`
    of the venues changes."""

    def __init__(self) -> None:
        self._version: int | None = None
        self._matrix: TravelMatrix | None = None
        self.builds = 0

    def get(self, snapshot: Snapshot) -> TravelMatrix:
        if self._matrix is not None and self._version == snapshot.version:
            return self._matrix
        venues = [(v.id, v.lat, v.lon) for v in snapshot.venues.values()]
        if self._matrix is None or self._matrix.key != cache_key(venues):
            self._matrix = TravelMatrix(build_matrix(venues))
            self.builds += 1
        self._version = snapshot.version
        return self._matrix


@dataclass(frozen=True)
class Estimator:
    """The estimate over one programme version: the matrix for venue pairs, trail paths where drawn."""

    matrix: TravelMatrix
    #: (from venue, to venue) → the drawn piece of a trail between them and its length in metres
    trail_pieces: dict[tuple[str, str], tuple[Path, float]]

    def piece(self, a: Place, b: Place) -> Path | None:
        if a.venue_id is None or b.venue_id is None:
            return None
        found = self.trail_pieces.get((a.venue_id, b.venue_id))
        return found[0] if found else None

    def leg(self, a: Place, b: Place, mode: Mode, depart_at: datetime | None) -> Leg:
        """The estimated trip from `a` to `b`, leaving at `depart_at` (off-peak when None)."""
        profile = PROFILES[mode]
        if a.venue_id is not None and b.venue_id is not None:
            found = self.trail_pieces.get((a.venue_id, b.venue_id))
            if found is not None:
                # the drawn path is the way: its length is the road distance
                return leg_for_distance(found[1] / profile.circuity, profile, depart_at)
            try:
                return leg_for_distance(self.matrix.geodesic_m(a.venue_id, b.venue_id), profile, depart_at)
            except KeyError:
                pass
        return leg_for_distance(distance_m(a.point, b.point), profile, depart_at)


# --- the routing engine --------------------------------------------------------------------------------


class EngineGate:
    """The routing engine behind a circuit breaker: any failure (including an answer that makes no
    sense, such as a negative duration) gives None, and the engine is left alone for a while."""

    def __init__(self, client: OsrmClient, retry_after_s: float = ENGINE_RETRY_AFTER_S) -> None:
        self.client = client
        self.name = client.name
        self._retry_after_s = retry_after_s
        self._resting_until = 0.0

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._resting_until

    async def route(self, points: Sequence[LatLon], mode: Mode) -> EngineRoute | None:
        route = await self._call(self.client.route, points, mode)
        if route is not None and not all(
            _sane(v) for v in (route.distance_m, route.duration_s, *(x for leg in route.legs for x in (leg.distance_m, leg.duration_s)))
        ):
            return self._failed("a route with a negative or infinite figure")
        return route

    async def table(self, points: Sequence[LatLon], mode: Mode) -> EngineTable | None:
        if len(points) > ENGINE_TABLE_MAX_POINTS:
            return None
        table = await self._call(self.client.table, points, mode)
        if table is not None and not all(
            v is None or _sane(v) for rows in (table.durations_s, table.distances_m) for row in rows for v in row
        ):
            return self._failed("a table with a negative or infinite figure")
        return table

    async def _call(self, method: Callable[..., Any], points: Sequence[LatLon], mode: Mode) -> Any:
        if not self.available:
            return None
        try:
            result = await method(points, mode)
        except Exception as exc:  # an answer the client could not even read into points: not our 500
            return self._failed(repr(exc))
        if result is None:
            return self._failed("no answer")
        return result

    def _failed(self, why: str) -> None:
        log.warning("routing engine: %s; the estimate answers for the next %.0f s", why, self._retry_after_s)
        self._resting_until = time.monotonic() + self._retry_after_s


def _sane(value: float) -> bool:
    return math.isfinite(value) and value >= 0


# --- the service ---------------------------------------------------------------------------------------


class Wayfinder:
    """Wayfinding for one app: the matrix cache, the routing engine (if configured), and the answers."""

    def __init__(self, osrm_url: str = "", timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self._osrm_url = osrm_url
        self._timeout_s = timeout_s
        self.engine: EngineGate | None = None
        self.matrices = MatrixCache()
        self._pieces: tuple[int, dict[tuple[str, str], tuple[Path, float]]] | None = None

    async def start(self) -> None:
        """Open the engine client when `LEHOI_OSRM_URL` is set."""
        if self._osrm_url and self.engine is None:
            self.engine = EngineGate(OsrmClient(self._osrm_url, timeout_s=self._timeout_s))

    async def stop(self) -> None:
        if self.engine is not None:
            await self.engine.client.aclose()
            self.engine = None

    def estimator(self, snapshot: Snapshot) -> Estimator:
        if self._pieces is None or self._pieces[0] != snapshot.version:
            venues = {v.id: LatLon(v.lat, v.lon) for v in snapshot.venues.values()}
            drawn = trail_pieces([(t.stops, t.path) for t in snapshot.trails.values()], venues)
            self._pieces = (snapshot.version, {pair: (path, length_m(path)) for pair, path in drawn.items()})
        return Estimator(self.matrices.get(snapshot), self._pieces[1])

    async def bundle_part(self, snapshot: Snapshot) -> dict[str, Any]:
        """The bundle's `travel`: the matrix in the wire form of `matrix.py` (its module docstring)."""
        return {"travel": self.matrices.get(snapshot).wire}

    # -- routes -------------------------------------------------------------------------------------

    async def route(
        self, snapshot: Snapshot, origin: Place, destination: Place, mode: Mode, depart_at: datetime
    ) -> FeatureCollection:
        """One leg from `origin` to `destination` as a FeatureCollection with `engine` and `bbox`."""
        estimator = self.estimator(snapshot)
        depart_at = depart_at.astimezone(FESTIVAL_TZ).replace(microsecond=0)
        engine_route = None
        if self.engine is not None and origin.point != destination.point:
            engine_route = await self.engine.route([origin.point, destination.point], mode)
        if engine_route is not None:
            leg = Leg(_whole(engine_route.legs[0].distance_m), _whole(engine_route.legs[0].duration_s))
            engine = self.engine.name
        else:
            leg = estimator.leg(origin, destination, mode, depart_at)
            engine = "estimate"
        path, source = _geometry(estimator.piece(origin, destination), engine_route and engine_route.path, origin, destination)
        feature = _leg(path, source, leg.distance_m, leg.duration_s, depart_at, origin.venue_id, destination.venue_id)
        return feature_collection([feature], engine=engine)

    # -- nearby -------------------------------------------------------------------------------------

    def nearby(
        self, snapshot: Snapshot, point: LatLon, limit: int, mode: Mode, depart_at: datetime
    ) -> list[schemas.NearbyVenue]:
        """The `limit` venues nearest `point` (as the crow flies), nearest first, with the estimated trip."""
        estimator = self.estimator(snapshot)
        ranked = sorted((distance_m(point, LatLon(v.lat, v.lon)), v.id) for v in snapshot.venues.values())
        found = []
        for metres, venue_id in ranked[:limit]:
            venue = snapshot.venues[venue_id]
            leg = estimator.leg(Place(point), Place(LatLon(venue.lat, venue.lon), venue_id), mode, depart_at)
            found.append(
                schemas.NearbyVenue(
                    id=venue.id, name=venue.name, kind=venue.kind, district=venue.district, lat=venue.lat,
                    lon=venue.lon, distance_m=_whole(metres), duration_s=leg.duration_s,
                )
            )
        return found

    # -- itineraries --------------------------------------------------------------------------------

    async def itinerary(self, snapshot: Snapshot, request: schemas.ItineraryRequest) -> schemas.Itinerary:
        """The best feasible plan for the request (see `planner`), with its legs drawn."""
        start = resolve_place(snapshot, request.start, "start")
        wanted = len(request.events) + len(request.venues)
        if wanted > planner.MAX_STOPS:
            raise Invalid(f"a plan takes at most {planner.MAX_STOPS} stops, not {wanted}")
        start_at = check_instant("start_at", request.start_at).astimezone(FESTIVAL_TZ)
        end_at = check_instant("end_at", request.end_at).astimezone(FESTIVAL_TZ) if request.end_at else None
        if end_at is not None and end_at <= start_at:
            raise Invalid("end_at must be after start_at")
        stops, cancelled, where = self._stops(snapshot, request, start_at, end_at)
        places = {start.point: start}
        for stop in stops:
            places.setdefault(stop.location, Place(stop.location, where[stop.id]))
        estimator = self.estimator(snapshot)
        mode = request.mode

        # travel times: the engine's table when it answers, else the estimate (with rush hours)
        engine_name, table = "estimate", None
        points = list(places)
        if self.engine is not None and len(points) > 1:
            table = await self.engine.table(points, mode)
            if table is not None:
                engine_name = self.engine.name
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
                planner.plan_itinerary,
                plan_types.ItineraryRequest(start=start.point, start_at=start_at, stops=tuple(stops), end_at=end_at),
                seconds,
            )
        except plan_types.InvalidItinerary as exc:
            raise Invalid(str(exc)) from None

        # the legs' lines: trail paths, else the engine's streets through every stop in one request
        engine_pieces: list[Path] | None = None
        if table is not None and plan.legs:
            route_points = [start.point, *(leg.destination for leg in plan.legs)]
            engine_route = await self.engine.route(route_points, mode)
            if engine_route is not None:
                engine_pieces = pieces(engine_route.path, engine_route.waypoints)
        legs, features = [], []
        for i, leg in enumerate(plan.legs):
            a, b = places[leg.origin], places[leg.destination]
            if table is not None:
                metres = table.distances_m[index[leg.origin]][index[leg.destination]]
                distance = 0 if leg.origin == leg.destination else _whole(metres or 0)
            else:
                distance = estimator.leg(a, b, mode, None).distance_m
            path, source = _geometry(estimator.piece(a, b), engine_pieces and engine_pieces[i], a, b)
            from_id = _public(leg.from_id) if leg.from_id else None
            legs.append(
                schemas.PlannedLeg(
                    from_id=from_id, to_id=_public(leg.to_id), depart_at=leg.depart_at, arrive_at=leg.arrive_at,
                    duration_s=leg.duration_s, distance_m=distance, geometry_source=source,
                )
            )
            features.append(_leg(path, source, distance, leg.duration_s, leg.depart_at, from_id, _public(leg.to_id)))

        reasons: dict[str, schemas.UnplacedReason] = {u.id: u.reason for u in plan.unplaced}
        reasons.update({stop_id: "cancelled" for stop_id in cancelled})
        unplaced = [
            schemas.Unplaced(id=_public(key), kind=_kind(key), reason=reasons[key])
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
                    id=_public(stop.id), kind=_kind(stop.id), venue_id=where[stop.id], lat=stop.location.lat,
                    lon=stop.location.lon, arrive_at=stop.arrive_at, starts_at=stop.starts_at,
                    leave_at=stop.leave_at, wait_s=int((stop.starts_at - stop.arrive_at).total_seconds()),
                )
                for stop in plan.stops
            ],
            legs=legs,
            totals=schemas.Totals(
                travel_s=plan.travel_s, distance_m=sum(leg.distance_m for leg in legs), stops=len(plan.stops),
                finish_at=plan.finish_at,
            ),
            unplaced=unplaced,
            geojson=_raw(feature_collection(features, engine=engine_name)),
        )

    def _stops(
        self,
        snapshot: Snapshot,
        request: schemas.ItineraryRequest,
        start_at: datetime,
        end_at: datetime | None,
    ) -> tuple[list[plan_types.Stop], list[str], dict[str, str]]:
        """The planner's stops (ids prefixed `event:` or `venue:`), the cancelled events left out, and
        the venue of every stop. 404 for an unknown event or venue. An open-house event (`OPEN_HOUSE` or
        longer) is a visit inside its own times, as a venue is inside its opening hours."""
        stops: list[plan_types.Stop] = []
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
                stops.append(plan_types.VenueStop(key, location, windows, OPEN_HOUSE_VISIT_MIN))
            else:
                stops.append(plan_types.EventStop(key, location, event.starts_at, event.ends_at))
        days = plan_days(start_at, end_at)
        for visit in request.venues:
            venue = snapshot.venues.get(visit.id)
            if venue is None:
                raise NotFound(f"no venue with id {visit.id!r}")
            key = f"venue:{visit.id}"
            where[key] = venue.id
            windows = windows_on(venue.opening_hours, venue.festival_hours, days)
            stops.append(plan_types.VenueStop(key, LatLon(venue.lat, venue.lon), windows, visit.dwell_min))
        return stops, cancelled, where

    # -- trails -------------------------------------------------------------------------------------

    def trails(self, snapshot: Snapshot) -> list[schemas.TrailRoute]:
        """Every curated trail with its geometry and off-peak leg estimates by its own mode."""
        estimator = self.estimator(snapshot)
        return [self._trail(snapshot, estimator, trail) for trail in snapshot.trails.values()]

    def trail(self, snapshot: Snapshot, trail_id: str) -> schemas.TrailRoute:
        trail = snapshot.trails.get(trail_id)
        if trail is None:
            raise NotFound(f"no trail with id {trail_id!r}")
        return self._trail(snapshot, self.estimator(snapshot), trail)

    def _trail(self, snapshot: Snapshot, estimator: Estimator, trail: Any) -> schemas.TrailRoute:
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
                    {"from_id": a.venue_id, "to_id": b.venue_id, "distance_m": leg.distance_m,
                     "duration_s": leg.duration_s, "geometry_source": source},
                )
            )
        return schemas.TrailRoute(
            id=trail.id, name=trail.name, description=trail.description, mode=trail.mode,
            duration_min=trail.duration_min, stops=list(trail.stops), legs=legs,
            distance_m=sum(leg.distance_m for leg in legs), travel_s=sum(leg.duration_s for leg in legs),
            engine="estimate", geojson=_raw(feature_collection(features, engine="estimate")),
        )


def _geometry(trail: Path | None, engine: Sequence[LatLon] | None, a: Place, b: Place) -> tuple[Sequence[LatLon], GeometrySource]:
    if trail:
        return trail, "trail"
    if engine:
        return engine, "engine"
    return (a.point, b.point), "straight"


def _leg(
    path: Sequence[LatLon], source: GeometrySource, distance: int, duration: int, depart_at: datetime,
    from_id: str | None, to_id: str | None,
) -> Feature:
    return leg_feature(
        path,
        LegProperties(
            distance_m=distance, duration_s=duration, depart_at=depart_at,
            arrive_at=depart_at + timedelta(seconds=duration), geometry_source=source, from_id=from_id, to_id=to_id,
        ),
    )


def _raw(collection: FeatureCollection) -> msgspec.Raw:
    return msgspec.Raw(_encoder.encode(collection))


def _whole(value: float) -> int:
    return math.floor(value + 0.5)


def _public(key: str) -> str:
    return key.partition(":")[2]


def _kind(key: str) -> Any:
    return key.partition(":")[0]
