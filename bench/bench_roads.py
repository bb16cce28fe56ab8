"""Street routes: importing an OpenStreetMap extract, the graph's size, and route queries.

Run `python bench/bench_roads.py` (under a minute). Prints one figure a line, each beside its baseline
measured in this run:

- import time of the demo extract (fixtures/osm/hanoi-centre.osm.pbf) and of a synthetic grid city about
  ten times larger (written here with pyosmium), beside a bare pyosmium pass over the same file (reading
  the highways with their node locations: the floor any import pays), and each graph's size: bytes on disk,
  nodes, edges per mode;
- p50/p95 of a ~3 km walk in central Hanoi through the local engine (snapping, search, path, line
  simplification; goal p95 ≤ 20 ms), beside the straight-line estimate of the same pairs, and the same on
  the synthetic city;
- the shortest-path search alone on the same pairs with scipy (what `roads` uses) and with rustworkx (its
  graph built from the same arrays; the build time printed too).
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import osmium
import rustworkx
from scipy.sparse.csgraph import dijkstra

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.resources import DEMO_EXTRACT
from server.wayfinding.road_import import import_roads
from server.wayfinding.roads import MODES, RoadEngine, RoadGraph
from server.wayfinding.travel import LatLon, distance_m, estimate
from tests.support.osm import at, grid_city

CENTRE = LatLon(21.0285, 105.8542)
QUERIES = 200
#: the demo graph has ~29,000 nodes; a 540×540 grid has ~292,000
GRID_SIDE = 540


def bare_read(path: Path) -> float:
    started = time.perf_counter()
    processor = (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    for way in processor:
        for node in way.nodes:
            node.location.valid()
    return time.perf_counter() - started


def imported(name: str, source: Path, workdir: Path) -> RoadEngine:
    bare = bare_read(source)
    target = workdir / f"{name}.npz"
    started = time.perf_counter()
    size = import_roads(source, target)
    took = time.perf_counter() - started
    print(
        f"{name}: import {took:.2f} s | bare pyosmium read {bare:.2f} s | ratio {took / bare:.1f} "
        f"({source.stat().st_size:,} bytes of PBF)"
    )
    edges = ", ".join(f"{mode} {size[f'{mode}_edges']:,}" for mode in MODES)
    print(f"{name}: graph {size['bytes']:,} bytes on disk, {size['nodes']:,} nodes, edges: {edges}")
    return RoadEngine(RoadGraph.load(target))


def walks(rng: random.Random, centre: LatLon, radius_deg: float, n: int) -> list[tuple[LatLon, LatLon]]:
    """`n` pairs of points around `centre`, 2.5 to 3.5 km apart."""
    pairs: list[tuple[LatLon, LatLon]] = []
    while len(pairs) < n:
        a, b = (
            LatLon(centre.lat + rng.uniform(-radius_deg, radius_deg), centre.lon + rng.uniform(-radius_deg, radius_deg))
            for _ in range(2)
        )
        if 2500 <= distance_m(a, b) <= 3500:
            pairs.append((a, b))
    return pairs


def percentiles(timings: list[float]) -> str:
    cuts = statistics.quantiles(timings, n=20)
    return f"p50 {statistics.median(timings) * 1000:.2f} ms, p95 {cuts[-1] * 1000:.2f} ms"


def time_routes(name: str, engine: RoadEngine, pairs: list[tuple[LatLon, LatLon]]) -> None:
    ours, straight, missed = [], [], 0
    for a, b in pairs:
        started = time.perf_counter()
        missed += engine.route_now([a, b], "walk") is None
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        estimate(a, b, "walk")
        straight.append(time.perf_counter() - started)
    print(
        f"{name}: ~3 km walk, street route {percentiles(ours)} (goal p95 ≤ 20 ms) | "
        f"straight-line estimate {percentiles(straight)} | {missed} of {len(pairs)} outside the graph"
    )


def compare_libraries(engine: RoadEngine, pairs: list[tuple[LatLon, LatLon]]) -> None:
    graph = engine.graph
    network = graph.network("walk")
    snapped = [(graph.snap(a, "walk"), graph.snap(b, "walk")) for a, b in pairs]
    snapped = [(a[0], b[0]) for a, b in snapped if a and b]
    started = time.perf_counter()
    digraph = rustworkx.PyDiGraph()
    digraph.add_nodes_from(range(graph.node_count))
    rows = np.repeat(np.arange(graph.node_count), np.diff(network.indptr))
    weights = network.seconds.data.tolist()
    digraph.add_edges_from(list(zip(rows.tolist(), network.indices.tolist(), weights, strict=True)))
    built = time.perf_counter() - started
    scipy_t, rx_t = [], []
    for u, v in snapped:
        started = time.perf_counter()
        dijkstra(network.seconds, indices=u, return_predecessors=True)
        scipy_t.append(time.perf_counter() - started)
        started = time.perf_counter()
        rustworkx.digraph_dijkstra_shortest_paths(digraph, u, target=v, weight_fn=float)
        rx_t.append(time.perf_counter() - started)
    print(
        f"demo search alone: scipy csgraph {percentiles(scipy_t)} (no build: the file's arrays) | "
        f"rustworkx {percentiles(rx_t)} (+ {built * 1000:.0f} ms to build its graph)"
    )


def main() -> None:
    rng = random.Random(15)
    with tempfile.TemporaryDirectory(prefix="lehoi-bench-roads-") as tmp:
        workdir = Path(tmp)
        demo = imported("demo", DEMO_EXTRACT, workdir)
        started = time.perf_counter()
        grid_file = grid_city(workdir / "grid.osm.pbf", GRID_SIDE)
        print(f"(synthetic grid city written in {time.perf_counter() - started:.1f} s)")
        grid = imported("grid 10x", grid_file, workdir)
        demo_pairs = walks(rng, CENTRE, 0.022, QUERIES)
        time_routes("demo", demo, demo_pairs)
        compare_libraries(demo, demo_pairs)
        middle = LatLon(*at(GRID_SIDE / 2, GRID_SIDE / 2))
        time_routes("grid 10x", grid, walks(rng, middle, 0.1, QUERIES))


if __name__ == "__main__":
    main()
