"""The optional routing engine (`LEHOI_OSRM_URL`) behind a circuit breaker, so a dead engine costs little."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from server.wayfinding.geojson import GeometrySource
from server.wayfinding.osrm import EngineRoute, EngineTable, OsrmClient
from server.wayfinding.travel import LatLon, Mode

log = logging.getLogger(__name__)

#: after the engine fails (unreachable, slow, refusing), the estimate answers alone for this long, so a
#: dead engine costs one timeout per interval rather than one per request.
ENGINE_RETRY_AFTER_S = 30.0
#: OSRM's default `--max-table-size`: the most points a table request may carry.
ENGINE_TABLE_MAX_POINTS = 100


class RoutingEngine(Protocol):
    """What routes and itineraries ask of an engine: the OSRM client behind its gate, or the local road
    graph (`roads.RoadEngine`). None from either means the estimate answers."""

    name: str
    geometry_source: GeometrySource
    #: the credit a drawn route must carry (the data's licence), or None
    attribution: str | None

    async def route(self, points: Sequence[LatLon], mode: Mode) -> EngineRoute | None: ...

    async def table(self, points: Sequence[LatLon], mode: Mode) -> EngineTable | None: ...


class EngineGate:
    """The routing engine behind a circuit breaker: any failure (including an answer that makes no
    sense, such as a negative duration) gives None, and the engine is left alone for a while."""

    geometry_source: GeometrySource = "engine"
    #: an OSRM server's operator credits its data on its own terms; lehoi cannot know them
    attribution = None

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
            _sane(v)
            for v in (
                route.distance_m,
                route.duration_s,
                *(x for leg in route.legs for x in (leg.distance_m, leg.duration_s)),
            )
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
        except Exception as exc:  # noqa: BLE001 - an answer the client could not even read into points: not our 500
            return self._failed(repr(exc))
        if result is None:
            return self._failed("no answer")
        return result

    def _failed(self, why: str) -> None:
        log.warning("routing engine: %s; the estimate answers for the next %.0f s", why, self._retry_after_s)
        self._resting_until = time.monotonic() + self._retry_after_s


def _sane(value: float) -> bool:
    return math.isfinite(value) and value >= 0
