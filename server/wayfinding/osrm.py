"""An async client for a routing engine that speaks the OSRM HTTP API (`LEHOI_OSRM_URL`).

Only two services are used: `route` (street geometry and durations along given points) and `table`
(durations and distances between all pairs of points). Every failure (timeout, refused connection, a
status other than 200, a body that is not OSRM's documented shape, or `code` other than "Ok") gives None,
so the caller answers with the estimate of `travel` and says so. A stock osrm-routed serves the one
profile it was prepared with whatever the URL says; the profile in the URL matters to hosted services.
The table asks for distances too, which OSRM computes with either algorithm, CH or MLD (MLD since OSRM 5.18;
an older MLD server answers `NotImplemented`, hence None here).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TypeVar

import httpx
import msgspec

from server.wayfinding.travel import LatLon, Mode

log = logging.getLogger(__name__)

# OSRM's supplied Lua profiles are car, bike and foot; motorbike taxis and buses use the car network.
PROFILE_FOR_MODE: dict[Mode, str] = {
    "walk": "foot",
    "bicycle": "bike",
    "motorbike": "car",
    "car": "car",
    "bus": "car",
}

DEFAULT_TIMEOUT_S = 3.0


class EngineLeg(msgspec.Struct, frozen=True):
    """One leg of an engine route, between two consecutive requested points."""

    distance_m: float
    duration_s: float


class EngineRoute(msgspec.Struct, frozen=True):
    """The engine's best route through the requested points, in their order."""

    distance_m: float
    duration_s: float
    path: tuple[LatLon, ...]
    legs: tuple[EngineLeg, ...]
    waypoints: tuple[LatLon, ...]
    """The requested points snapped to the street network, in request order."""


class EngineTable(msgspec.Struct, frozen=True):
    """Durations and distances between all pairs of the requested points: `durations_s[i][j]` is from
    point i to point j; None where the engine found no route."""

    durations_s: tuple[tuple[float | None, ...], ...]
    distances_m: tuple[tuple[float | None, ...], ...]
    waypoints: tuple[LatLon, ...]


# OSRM's documented response shapes, only the members used here.
class _Waypoint(msgspec.Struct):
    location: tuple[float, float]


class _LineString(msgspec.Struct):
    coordinates: list[tuple[float, float]]


class _RouteLeg(msgspec.Struct):
    distance: float
    duration: float


class _Route(msgspec.Struct):
    distance: float
    duration: float
    geometry: _LineString
    legs: list[_RouteLeg]


class _RouteResponse(msgspec.Struct):
    code: str
    routes: list[_Route] = []
    waypoints: list[_Waypoint] = []


class _TableResponse(msgspec.Struct):
    code: str
    durations: list[list[float | None]] = []
    distances: list[list[float | None]] = []
    sources: list[_Waypoint] = []


_Response = TypeVar("_Response", _RouteResponse, _TableResponse)


class OsrmClient:
    """A client bound to one engine URL. Close it with `aclose()` (or use it as an async context manager)."""

    name = "osrm"

    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._timeout_s = timeout_s
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout_s),
            transport=transport,
            follow_redirects=False,
        )

    async def __aenter__(self) -> OsrmClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def route(self, points: Sequence[LatLon], mode: Mode) -> EngineRoute | None:
        """The street route through `points` (at least two) in order, or None if the engine cannot answer."""
        if len(points) < 2:
            raise ValueError("a route needs at least two points")
        body = await self._get(
            f"/route/v1/{PROFILE_FOR_MODE[mode]}/{_coordinates(points)}",
            {"overview": "full", "geometries": "geojson"},
            _RouteResponse,
        )
        if body is None or not body.routes:
            return None
        best = body.routes[0]
        if len(best.legs) != len(points) - 1 or len(body.waypoints) != len(points) or not best.geometry.coordinates:
            log.warning("routing engine answered a route of another shape than asked")
            return None
        return EngineRoute(
            distance_m=best.distance,
            duration_s=best.duration,
            path=tuple(LatLon(lat, lon) for lon, lat in best.geometry.coordinates),
            legs=tuple(EngineLeg(leg.distance, leg.duration) for leg in best.legs),
            waypoints=tuple(_latlon(w) for w in body.waypoints),
        )

    async def table(self, points: Sequence[LatLon], mode: Mode) -> EngineTable | None:
        """Durations and distances between all pairs of `points`, or None if the engine cannot answer."""
        if not points:
            raise ValueError("a table needs at least one point")
        body = await self._get(
            f"/table/v1/{PROFILE_FOR_MODE[mode]}/{_coordinates(points)}",
            {"annotations": "duration,distance"},
            _TableResponse,
        )
        if body is None:
            return None
        n = len(points)
        if not (_is_square(body.durations, n) and _is_square(body.distances, n) and len(body.sources) == n):
            log.warning("routing engine answered a table of another shape than asked")
            return None
        return EngineTable(
            durations_s=tuple(tuple(row) for row in body.durations),
            distances_m=tuple(tuple(row) for row in body.distances),
            waypoints=tuple(_latlon(w) for w in body.sources),
        )

    async def _get(self, path: str, params: dict[str, str], shape: type[_Response]) -> _Response | None:
        try:
            # httpx's timeout bounds each read; this bounds the whole exchange, as a slow drip could outlast it.
            async with asyncio.timeout(self._timeout_s):
                response = await self._http.get(path, params=params)
        except (httpx.HTTPError, TimeoutError) as exc:
            log.warning("routing engine unreachable: %r", exc)
            return None
        if response.status_code != 200:
            log.warning("routing engine answered HTTP %s", response.status_code)
            return None
        try:
            body = msgspec.json.decode(response.content, type=shape)
        except msgspec.DecodeError as exc:
            log.warning("routing engine answered an unexpected body: %s", exc)
            return None
        if body.code != "Ok":
            log.warning("routing engine answered code %s", body.code)
            return None
        return body


def _coordinates(points: Sequence[LatLon]) -> str:
    """OSRM's coordinate list: `lon,lat;lon,lat`, 6 decimals."""
    return ";".join(f"{p.lon:.6f},{p.lat:.6f}" for p in points)


def _latlon(waypoint: _Waypoint) -> LatLon:
    lon, lat = waypoint.location
    return LatLon(lat, lon)


def _is_square(matrix: list[list[float | None]], n: int) -> bool:
    return len(matrix) == n and all(len(row) == n for row in matrix)
