"""Wayfinding for one app: routes, nearby venues, day plans and trail geometry over the programme snapshot.

Travel times come from the routing engine when it answers, else from the estimate (`estimator`); every
answer names which (`engine`). The engine is the external one when `LEHOI_OSRM_URL` is set, else the road
graph imported into the data directory (`lehoi roads import`, `roads`) when there is one. `Wayfinder` keeps
what outlives a request (the venue distances and trail pieces of the current programme version, the bundle's
street walks of its venues, the engine) and hands it to the modules that answer: `routes`, `nearby`,
`itineraries`, `trails` and, for the bundle, `streets`.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from pathlib import Path as FilePath
from typing import Any

import msgspec

from server.apart import in_build_process
from server.programme.snapshot import Snapshot
from server.wayfinding import schemas
from server.wayfinding.engine_gate import EngineGate, RoutingEngine
from server.wayfinding.estimator import Estimator
from server.wayfinding.geojson import FeatureCollection
from server.wayfinding.itineraries import itinerary
from server.wayfinding.model import WIRE, VenueDistances
from server.wayfinding.nearby import nearest_venues
from server.wayfinding.osrm import DEFAULT_TIMEOUT_S, OsrmClient
from server.wayfinding.paths import Path, length_m, trail_pieces
from server.wayfinding.places import Place
from server.wayfinding.roads import RoadEngine, RoadGraph, RoadGraphError
from server.wayfinding.routes import route
from server.wayfinding.streets import StreetsWire, street_pairs_json
from server.wayfinding.trails import trail_route, trail_routes
from server.wayfinding.travel import LatLon, Mode

log = logging.getLogger(__name__)


class Wayfinder:
    """Wayfinding for one app: the estimator of the current version, the routing engine (if configured), and the
    answers."""

    def __init__(
        self, osrm_url: str = "", timeout_s: float = DEFAULT_TIMEOUT_S, roads_path: FilePath | None = None
    ) -> None:
        self._osrm_url = osrm_url
        self._timeout_s = timeout_s
        self._roads_path = roads_path
        self.engine: RoutingEngine | None = None
        #: (programme version, its venue distances, its drawn trail pieces)
        self._pieces: tuple[int, VenueDistances, dict[tuple[str, str], tuple[Path, float]]] | None = None
        #: (the road graph and the venues' points they were computed on, the bundle's street paths)
        self._streets: tuple[tuple[RoadGraph, tuple[tuple[str, LatLon], ...]], StreetsWire] | None = None

    async def start(self) -> None:
        """Open the engine client when `LEHOI_OSRM_URL` is set, else read the road graph if there is one."""
        if self.engine is not None:
            return
        if self._osrm_url:
            self.engine = EngineGate(OsrmClient(self._osrm_url, timeout_s=self._timeout_s))
        elif self._roads_path is not None and self._roads_path.exists():
            try:
                graph = await asyncio.to_thread(RoadGraph.load, self._roads_path)
            except RoadGraphError as exc:  # a server without street routes still answers with the estimate
                log.warning("no street routes: %s", exc)
                return
            self.engine = RoadEngine(graph)

    async def stop(self) -> None:
        if isinstance(self.engine, EngineGate):
            await self.engine.client.aclose()
        self.engine = None

    def estimator(self, snapshot: Snapshot) -> Estimator:
        if self._pieces is None or self._pieces[0] != snapshot.version:
            venues = {v.id: LatLon(v.lat, v.lon) for v in snapshot.venues.values()}
            drawn = trail_pieces([(t.stops, t.path) for t in snapshot.trails.values()], venues)
            pieces = {pair: (path, length_m(path)) for pair, path in drawn.items()}
            self._pieces = (snapshot.version, VenueDistances(venues), pieces)
        return Estimator(self._pieces[1], self._pieces[2])

    async def bundle_part(self, snapshot: Snapshot) -> dict[str, Any]:
        """The bundle's `travel`: the model in the wire form of `model.py` (its module docstring); and, when
        the server routes on an imported road graph, `streets`: the walks between nearby venues (`streets.py`)."""
        if not isinstance(self.engine, RoadEngine):
            return {"travel": WIRE}
        return {"travel": WIRE, "streets": await self.streets(snapshot, self.engine.graph)}

    async def streets(self, snapshot: Snapshot, graph: RoadGraph) -> StreetsWire:
        """The street paths of the current venues, computed again only when a venue moves, comes or goes (a
        new programme version that only changes events keeps them: they take seconds at city size, in the build
        process, which reads the graph from its file)."""
        key = (graph, tuple(sorted((v.id, LatLon(v.lat, v.lon)) for v in snapshot.venues.values())))
        if self._streets is None or self._streets[0] != key:
            built = await in_build_process(street_pairs_json, str(graph.path), key[1])
            self._streets = (key, msgspec.json.decode(built, type=StreetsWire))
        return self._streets[1]

    async def route(
        self, snapshot: Snapshot, origin: Place, destination: Place, mode: Mode, depart_at: datetime
    ) -> FeatureCollection:
        """One leg from `origin` to `destination` as a FeatureCollection with `engine` and `bbox`."""
        return await route(self.estimator(snapshot), self.engine, origin, destination, mode, depart_at)

    def nearby(
        self, snapshot: Snapshot, point: LatLon, limit: int, mode: Mode, depart_at: datetime
    ) -> list[schemas.NearbyVenue]:
        """The `limit` venues nearest `point` (as the crow flies), nearest first, with the estimated trip."""
        return nearest_venues(snapshot, self.estimator(snapshot), point, limit, mode, depart_at)

    async def itinerary(self, snapshot: Snapshot, request: schemas.ItineraryRequest) -> schemas.Itinerary:
        """The best feasible plan for the request (see `planner`), with its legs drawn."""
        return await itinerary(snapshot, self.estimator(snapshot), self.engine, request)

    def trails(self, snapshot: Snapshot) -> list[schemas.TrailRoute]:
        """Every curated trail with its geometry and off-peak leg estimates by its own mode."""
        return trail_routes(snapshot, self.estimator(snapshot))

    def trail(self, snapshot: Snapshot, trail_id: str) -> schemas.TrailRoute:
        return trail_route(snapshot, self.estimator(snapshot), trail_id)
