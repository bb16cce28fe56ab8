"""Wire types of the wayfinding endpoints (msgspec). GeoJSON parts come from `geojson`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from msgspec import Meta, Raw, Struct

from server.programme.schemas import Lat, Lon, LongTextPair, Slug, Text, VenueKind
from server.wayfinding.geojson import GeometrySource, LegProperties
from server.wayfinding.planner import MAX_STOPS
from server.wayfinding.travel import Mode
from sync.messages import Instant

Engine = Literal["estimate", "roads", "osrm"]
AwareDatetime = Instant
_LAT = r"[+-]?(?:90(?:\.0+)?|[1-8]?\d(?:\.\d+)?)"
_LON = r"[+-]?(?:180(?:\.0+)?|(?:1[0-7]\d|[1-9]?\d)(?:\.\d+)?)"
#: a venue id, or `lat,lon` in degrees (within range), as places.resolve_place reads it
PLACE_PATTERN = rf"^(?:[a-z0-9][a-z0-9-]{{0,63}}|\s*{_LAT}\s*,\s*{_LON}\s*)$"
PLACE_WORDS = "a venue id, or `lat,lon` in degrees"
PlaceRef = Annotated[str, Meta(max_length=64, pattern=PLACE_PATTERN, description=PLACE_WORDS)]


# --- GeoJSON, as OpenAPI shows it ----------------------------------------------------------------------
# The answers carry `geojson.FeatureCollection` encoded once (a Raw member); these structs only describe
# its shape in /schema, as OpenAPI cannot be derived from its union of property types.

Position = tuple[float, float]
BBox = tuple[float, float, float, float]


class LineString(Struct, frozen=True):
    type: Literal["LineString"]
    coordinates: list[Position]


class LegFeature(Struct, frozen=True):
    type: Literal["Feature"]
    geometry: LineString
    properties: LegProperties


class RouteGeoJSON(Struct, frozen=True):
    """An RFC 7946 FeatureCollection: one LineString per leg, positions [lon, lat] to 6 decimals, `bbox`
    [west, south, east, north], `engine` naming what computed the durations, and `attribution`, the credit
    a line drawn from OpenStreetMap's streets must show."""

    type: Literal["FeatureCollection"]
    features: list[LegFeature]
    engine: Engine
    bbox: BBox | None = None
    attribution: str | None = None


class TrailLegProperties(Struct, frozen=True):
    from_id: str
    to_id: str
    distance_m: int
    duration_s: int
    geometry_source: GeometrySource


class TrailLegFeature(Struct, frozen=True):
    type: Literal["Feature"]
    geometry: LineString
    properties: TrailLegProperties


class TrailGeoJSON(Struct, frozen=True):
    """An RFC 7946 FeatureCollection of a trail: one LineString per leg between consecutive stops."""

    type: Literal["FeatureCollection"]
    features: list[TrailLegFeature]
    engine: Engine
    bbox: BBox | None = None


# --- nearby ------------------------------------------------------------------------------------------


class NearbyVenue(Struct, frozen=True):
    """A venue near a point: `distance_m` as the crow flies, `duration_s` the estimated trip there by the
    requested mode, leaving now."""

    id: str
    name: Text
    kind: VenueKind
    district: str
    lat: float
    lon: float
    distance_m: int
    duration_s: int


# --- itineraries -------------------------------------------------------------------------------------


class Point(Struct, frozen=True, forbid_unknown_fields=True):
    lat: Lat
    lon: Lon


class VenueVisit(Struct, frozen=True, forbid_unknown_fields=True):
    """A venue to visit for `dwell_min` minutes inside its opening hours."""

    id: Slug
    dwell_min: Annotated[int, Meta(ge=1, le=24 * 60)] = 60


class ItineraryRequest(Struct, frozen=True, forbid_unknown_fields=True):
    """Plan a day from `start` (a venue id, `lat,lon`, or {lat, lon}) at `start_at`, done by `end_at` if
    given, attending `events` (fixed times) and visiting `venues` (opening hours of the plan's day)."""

    start: PlaceRef | Point
    start_at: AwareDatetime
    mode: Mode = "walk"
    end_at: AwareDatetime | None = None
    events: Annotated[list[Slug], Meta(max_length=4 * MAX_STOPS)] = []
    venues: Annotated[list[VenueVisit], Meta(max_length=4 * MAX_STOPS)] = []


class PlannedStop(Struct, frozen=True):
    """A stop of the plan: arrive, wait for the event or the opening if early (`wait_s`), begin, leave."""

    id: str
    kind: Literal["event", "venue"]
    venue_id: str
    lat: float
    lon: float
    arrive_at: datetime
    starts_at: datetime
    leave_at: datetime
    wait_s: int


class PlannedLeg(Struct, frozen=True):
    """The trip to a stop; `from_id` is None for the leg from the start point."""

    from_id: str | None
    to_id: str
    depart_at: datetime
    arrive_at: datetime
    duration_s: int
    distance_m: int
    geometry_source: GeometrySource


class Totals(Struct, frozen=True):
    travel_s: int
    distance_m: int
    stops: int
    finish_at: datetime


UnplacedReason = Literal["overlaps_event", "closed", "unreachable", "cancelled"]


class Unplaced(Struct, frozen=True):
    """A stop the plan leaves out: `closed` (a venue with no opening that holds the dwell that day),
    `overlaps_event` (an event clashing with a chosen one), `cancelled` (an event called off),
    `unreachable` (it cannot be reached in time alongside the chosen stops, or it is outside the day)."""

    id: str
    kind: Literal["event", "venue"]
    reason: UnplacedReason


class StartOut(Struct, frozen=True, omit_defaults=True):
    """Where the plan starts; `venue_id` only when it starts at a venue."""

    lat: float
    lon: float
    venue_id: str | None = None


class Itinerary(Struct, frozen=True):
    """The best feasible plan: most stops, then least travel, then earliest finish. `method` says whether
    the planner proved it best (`exact`) or searched (`heuristic`); `engine` what gave the travel times."""

    engine: Engine
    method: Literal["exact", "heuristic"]
    mode: Mode
    start: StartOut
    start_at: datetime
    end_at: datetime | None
    stops: list[PlannedStop]
    legs: list[PlannedLeg]
    totals: Totals
    unplaced: list[Unplaced]
    geojson: Raw


class ItineraryDoc(Itinerary, frozen=True):
    geojson: RouteGeoJSON


# --- trails ------------------------------------------------------------------------------------------


class TrailLeg(Struct, frozen=True):
    from_id: str
    to_id: str
    distance_m: int
    duration_s: int
    geometry_source: GeometrySource


class TrailRoute(Struct, frozen=True):
    """A curated trail with its geometry (the drawn path cut at the stops, or straight legs) and the
    off-peak estimate of each leg by the trail's mode; `travel_s` is their sum (the visits are extra)."""

    id: str
    name: Text
    description: LongTextPair
    mode: Mode
    duration_min: int
    stops: list[str]
    legs: list[TrailLeg]
    distance_m: int
    travel_s: int
    engine: Engine
    geojson: Raw


class TrailRouteDoc(TrailRoute, frozen=True):
    geojson: TrailGeoJSON
