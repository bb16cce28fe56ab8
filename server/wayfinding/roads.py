"""Street routes from an imported OpenStreetMap extract: the road graph file and the local routing engine.

`lehoi roads import` (`road_import`) writes `<data-dir>/roads.npz`: node coordinates as int32
microdegrees, and per mode (walk, bicycle, motorbike, car; buses use the car network as OSRM's car profile
does) a CSR adjacency (`indptr`, `indices`) with each edge's length in metres and its time in seconds from
the mode's speed on the way's class (`SPEEDS_KMH`). `RoadEngine` answers like the OSRM client
(`route(points, mode) -> EngineRoute | None`, and `table` for itineraries), so routes and plans use it when
no `LEHOI_OSRM_URL` is set.

Shortest paths come from `scipy.sparse.csgraph.dijkstra` on the CSR arrays as loaded, rather than from
rustworkx: scipy reads the arrays of the file directly (no graph of Python objects to build at start or to
hold in memory: a country's graph loads in the time of reading it), takes per-edge weights without a Python
callback per edge (rustworkx's `dijkstra_shortest_paths` calls `weight_fn` on each edge it relaxes), and its
`limit` bounds the search to a radius around the origin. `bench/bench_roads.py` times both on the demo graph:
scipy's search was about four times faster than rustworkx's there, before rustworkx's graph build. scipy
does allocate its distance and predecessor arrays over every node for each search, which a whole country's
graph will feel: on a chain of ten million nodes, one search bounded to a few nodes took 40 to 340 ms.

Points snap to the nearest node of the mode's network (a KD-tree on unit-sphere coordinates, exact enough
at street scale anywhere on Earth); a snap farther than `SNAP_LIMIT_M`, or no path between the snapped nodes
(an island, another component), means "outside the imported area": None, and the estimate answers.
The data is © OpenStreetMap contributors (ODbL): every street route carries `ATTRIBUTION`.
"""

from __future__ import annotations

import asyncio
import math
import zipfile
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from server.wayfinding.osrm import EngineLeg, EngineRoute, EngineTable
from server.wayfinding.travel import PROFILES, LatLon, Mode

ATTRIBUTION = "© OpenStreetMap contributors"
#: bumped when the file's arrays change meaning; an older file asks for a new import
FORMAT = "lehoi-roads-1"
MODES = ("walk", "bicycle", "motorbike", "car")
GRAPH_FOR_MODE: dict[Mode, str] = {
    "walk": "walk",
    "bicycle": "bicycle",
    "motorbike": "motorbike",
    "car": "car",
    "bus": "car",
}
#: farther than this from the nearest node of the network, a point is outside the imported area
SNAP_LIMIT_M = 300.0
#: how far a search goes: DETOUR_FACTOR × the distance as the crow flies + DETOUR_EXTRA_M, at the slowest speed
DETOUR_FACTOR = 4.0
DETOUR_EXTRA_M = 3000.0
#: the simplification tolerance of a route's line on the wire
SIMPLIFY_M = 5.0
EARTH_RADIUS_M = 6_371_008.8

# The walking speed is the travel model's (5 km/h, OSRM's foot profile) on every class, so a street walk
# and the estimate differ only by the path. The other speeds are assumptions for free-flowing traffic in
# a dense Asian city (the travel model's town speeds are door-to-door averages, lights and jams included);
# motorbikes may not use motorways in Vietnam. A class missing from a mode's table is closed to that mode
# unless its own tag opens it (`bicycle=yes` on a footway); it then runs at `OPENED_KMH`.
_WALK = PROFILES["walk"].town_kmh
_ROADS = (
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
    "unclassified",
    "residential",
    "living_street",
    "service",
    "road",
)
SPEEDS_KMH: dict[str, dict[str, float]] = {
    "walk": dict.fromkeys(
        (*_ROADS, "trunk", "trunk_link", "footway", "pedestrian", "steps", "path", "track", "bridleway", "corridor"),
        _WALK,
    ),
    "bicycle": {
        **dict.fromkeys(_ROADS, 12.0),
        "trunk": 12.0,
        "trunk_link": 12.0,
        "cycleway": 14.0,
        "path": 10.0,
        "track": 10.0,
        "living_street": 8.0,
        "service": 10.0,
    },
    "motorbike": {
        "trunk": 40.0,
        "trunk_link": 30.0,
        "primary": 30.0,
        "primary_link": 25.0,
        "secondary": 28.0,
        "secondary_link": 22.0,
        "tertiary": 25.0,
        "tertiary_link": 20.0,
        "unclassified": 20.0,
        "residential": 20.0,
        "road": 20.0,
        "living_street": 10.0,
        "service": 12.0,
        "track": 12.0,
    },
    "car": {
        "motorway": 80.0,
        "motorway_link": 50.0,
        "trunk": 50.0,
        "trunk_link": 35.0,
        "primary": 30.0,
        "primary_link": 25.0,
        "secondary": 25.0,
        "secondary_link": 20.0,
        "tertiary": 22.0,
        "tertiary_link": 18.0,
        "unclassified": 18.0,
        "residential": 18.0,
        "road": 18.0,
        "living_street": 8.0,
        "service": 10.0,
    },
}
OPENED_KMH = {"walk": _WALK, "bicycle": 8.0, "motorbike": 10.0, "car": 8.0}
KNOWN_CLASSES = frozenset(k for speeds in SPEEDS_KMH.values() for k in speeds)


class RoadGraphError(Exception):
    """An extract that cannot be imported, or a graph file that cannot be read."""


def haversine_m(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle distance in metres (arrays or floats, degrees)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


def unit_sphere(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points in metres on a sphere: chord length ≈ ground distance at street scale."""
    phi, lam = np.radians(lat), np.radians(lon)
    return EARTH_RADIUS_M * np.column_stack((np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)))


class _Network:
    """One mode's network: its sparse matrix of seconds, edge lengths, and the KD-tree of its nodes."""

    def __init__(self, graph: RoadGraph, mode: str, arrays: Any) -> None:
        indptr, indices = arrays[f"{mode}_indptr"], arrays[f"{mode}_indices"]
        n = len(graph.lat)
        self.indptr, self.indices = indptr, indices
        self.metres = arrays[f"{mode}_metres"]
        # float64 and int32 as csgraph wants them, so dijkstra uses this matrix without copying it per call
        self.seconds = csr_matrix((arrays[f"{mode}_seconds"].astype(np.float64), indices, indptr), shape=(n, n))
        used = np.zeros(n, dtype=bool)
        used[indices] = True
        used[np.repeat(np.arange(n), np.diff(indptr))] = True
        self.nodes = np.flatnonzero(used)
        self.tree = cKDTree(unit_sphere(graph.lat[self.nodes], graph.lon[self.nodes])) if len(self.nodes) else None
        self.slowest_ms = min(SPEEDS_KMH[mode].values()) / 3.6

    def edge_metres(self, u: int, v: int) -> float:
        start, end = self.indptr[u], self.indptr[u + 1]
        return float(self.metres[start + np.searchsorted(self.indices[start:end], v)])


class RoadGraph:
    """The imported road graph, read from its file, with every mode's network built at once (at server
    start, off the event loop), so queries only read it."""

    def __init__(self, arrays: dict[str, np.ndarray], path: Path) -> None:
        #: the file it was read from: the build process reads it there (server/wayfinding/streets.py)
        self.path = path
        self.lat = arrays["lat_e6"] / 1e6
        self.lon = arrays["lon_e6"] / 1e6
        self._networks = {mode: _Network(self, mode, arrays) for mode in MODES}

    @classmethod
    def load(cls, path: Path) -> RoadGraph:
        try:
            with np.load(path, allow_pickle=False) as archive:
                arrays = {name: archive[name] for name in archive.files}
        except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
            raise RoadGraphError(f"{path} is not a road graph ({exc}): import one with `lehoi roads import`") from None
        if str(arrays.get("format", "")) != FORMAT:
            raise RoadGraphError(f"{path} is a road graph of another format: import it again with `lehoi roads import`")
        return cls(arrays, path)

    @property
    def node_count(self) -> int:
        return len(self.lat)

    def network(self, mode: Mode) -> _Network:
        return self._networks[GRAPH_FOR_MODE[mode]]

    def snap(self, point: LatLon, mode: Mode) -> tuple[int, float] | None:
        """The nearest node of the mode's network and how far it is, or None beyond `SNAP_LIMIT_M`."""
        network = self.network(mode)
        if network.tree is None:
            return None
        chord, i = network.tree.query(
            unit_sphere(np.array([point.lat]), np.array([point.lon]))[0], distance_upper_bound=SNAP_LIMIT_M
        )
        if not math.isfinite(chord):
            return None
        node = int(network.nodes[i])
        return node, float(haversine_m(point.lat, point.lon, self.lat[node], self.lon[node]))

    def node(self, i: int) -> LatLon:
        return LatLon(float(self.lat[i]), float(self.lon[i]))

    def search(self, u: int, mode: Mode, reach_m: float) -> tuple[np.ndarray, np.ndarray]:
        """Seconds to every node from node `u` and the predecessors of the quickest paths, as far as a trip
        of `reach_m` as the crow flies may need."""
        # the search stops at the time the slowest way would take for four times the distance and 3 km more
        # (a river with few bridges), so a country's graph is not searched whole for a walk across town
        return self.search_within(u, mode, (DETOUR_FACTOR * reach_m + DETOUR_EXTRA_M) / self.network(mode).slowest_ms)

    def search_within(self, u: int, mode: Mode, limit_s: float) -> tuple[np.ndarray, np.ndarray]:
        """Seconds to every node reached from node `u` within `limit_s`, and the predecessors of the paths."""
        return dijkstra(self.network(mode).seconds, indices=u, return_predecessors=True, limit=limit_s)

    def path_to(
        self, found: tuple[np.ndarray, np.ndarray], u: int, v: int, mode: Mode
    ) -> tuple[list[int], float, float] | None:
        """The nodes of the quickest path from `u` to `v` in the result of `search`, its metres and seconds."""
        seconds, previous = found
        if not math.isfinite(seconds[v]):
            return None
        nodes = [v]
        while nodes[-1] != u:
            nodes.append(int(previous[nodes[-1]]))
        nodes.reverse()
        network = self.network(mode)
        return nodes, sum(network.edge_metres(x, y) for x, y in pairwise(nodes)), float(seconds[v])

    def leg(self, a: LatLon, b: LatLon, mode: Mode) -> tuple[list[LatLon], float, float, LatLon, LatLon] | None:
        """The street path from `a` to `b` (with the straight snap legs at both ends), its metres and its
        seconds, and the snapped points; None when either is outside the area or no path joins them."""
        snapped_a, snapped_b = self.snap(a, mode), self.snap(b, mode)
        if snapped_a is None or snapped_b is None:
            return None
        found = self.search(snapped_a[0], mode, float(haversine_m(a.lat, a.lon, b.lat, b.lon)))
        return self.leg_in(found, a, b, snapped_a, snapped_b, mode)

    def leg_in(
        self,
        search: tuple[np.ndarray, np.ndarray],
        a: LatLon,
        b: LatLon,
        snapped_a: tuple[int, float],
        snapped_b: tuple[int, float],
        mode: Mode,
    ) -> tuple[list[LatLon], float, float, LatLon, LatLon] | None:
        """`leg` over a search from the node `a` snapped to (`snap`, then `search`); None when it did not reach
        the node of `b`."""
        (u, snap_a), (v, snap_b) = snapped_a, snapped_b
        found = self.path_to(search, u, v, mode)
        if found is None:
            return None
        nodes, metres, seconds = found
        line = [a, *(self.node(i) for i in nodes), b]
        return line, metres + snap_a + snap_b, seconds + walked_s(snap_a + snap_b), self.node(u), self.node(v)


def walked_s(metres: float) -> float:
    """The snap legs are walked, from the door to the street and back, at the walking speed."""
    return metres / (_WALK / 3.6)


def simplify(line: Sequence[LatLon], tolerance_m: float = SIMPLIFY_M) -> list[LatLon]:
    """Douglas-Peucker: the points of `line` that keep it within `tolerance_m` of the original."""
    if len(line) < 3:
        return list(line)
    lat0 = math.radians(line[0].lat)
    xy = np.array([(p.lon * math.cos(lat0), p.lat) for p in line]) * (math.pi / 180 * EARTH_RADIUS_M)
    keep = np.zeros(len(line), dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(line) - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        start, chord = xy[first], xy[last] - xy[first]
        offsets = xy[first + 1 : last] - start
        norm = math.hypot(*chord)
        if norm == 0:
            distances = np.hypot(offsets[:, 0], offsets[:, 1])
        else:
            distances = np.abs(chord[0] * offsets[:, 1] - chord[1] * offsets[:, 0]) / norm
        worst = int(np.argmax(distances))
        if distances[worst] > tolerance_m:
            middle = first + 1 + worst
            keep[middle] = True
            stack += [(first, middle), (middle, last)]
    return [p for p, kept in zip(line, keep, strict=False) if kept]


class RoadEngine:
    """The local routing engine over the imported graph, with the interface of the OSRM client."""

    name = "roads"
    geometry_source = "streets"
    attribution = ATTRIBUTION

    def __init__(self, graph: RoadGraph) -> None:
        self.graph = graph

    def route_now(self, points: Sequence[LatLon], mode: Mode) -> EngineRoute | None:
        """The street route through `points` in order, or None when any leg has none."""
        if len(points) < 2:
            raise ValueError("a route needs at least two points")
        path: list[LatLon] = []
        legs: list[EngineLeg] = []
        waypoints: list[LatLon] = []
        # the travel model's overhead (hailing a taxi, parking, unlocking a bicycle) holds on any street
        overhead = PROFILES[mode].overhead_s
        for a, b in pairwise(points):
            found = self.graph.leg(a, b, mode)
            if found is None:
                return None
            line, metres, seconds, snapped_a, snapped_b = found
            path += simplify(line)[1 if path else 0 :]
            legs.append(EngineLeg(metres, seconds + overhead))
            if not waypoints:
                waypoints.append(snapped_a)
            waypoints.append(snapped_b)
        return EngineRoute(
            distance_m=sum(leg.distance_m for leg in legs),
            duration_s=sum(leg.duration_s for leg in legs),
            path=tuple(path),
            legs=tuple(legs),
            waypoints=tuple(waypoints),
        )

    async def route(self, points: Sequence[LatLon], mode: Mode) -> EngineRoute | None:
        # a search is milliseconds of numpy and scipy, off the event loop all the same
        return await asyncio.to_thread(self.route_now, points, mode)

    def table_now(self, points: Sequence[LatLon], mode: Mode) -> EngineTable | None:
        """Durations and distances between all pairs of `points`, or None unless every point is inside the
        area and every pair is joined: a plan is then timed by the estimate throughout, never half and half."""
        snaps = [self.graph.snap(p, mode) for p in points]
        if any(snap is None for snap in snaps):
            return None
        overhead = PROFILES[mode].overhead_s
        size = len(points)
        durations = [[0.0] * size for _ in range(size)]
        distances = [[0.0] * size for _ in range(size)]
        for i, (u, snap_u) in enumerate(snaps):
            reach = max(float(haversine_m(points[i].lat, points[i].lon, p.lat, p.lon)) for p in points)
            found = self.graph.search(u, mode, reach)
            for j, (v, snap_v) in enumerate(snaps):
                if points[i] == points[j]:
                    continue
                path = self.graph.path_to(found, u, v, mode)
                if path is None:
                    return None
                _, metres, seconds = path
                distances[i][j] = metres + snap_u + snap_v
                durations[i][j] = seconds + walked_s(snap_u + snap_v) + overhead
        return EngineTable(
            durations_s=tuple(map(tuple, durations)),
            distances_m=tuple(map(tuple, distances)),
            waypoints=tuple(self.graph.node(u) for u, _ in snaps),
        )

    async def table(self, points: Sequence[LatLon], mode: Mode) -> EngineTable | None:
        return await asyncio.to_thread(self.table_now, points, mode)
