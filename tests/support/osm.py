"""Small OSM files written in a test with pyosmium's SimpleWriter: nodes on a grid, ways with their tags.

A grid unit is 0.001° (about 111 m north-south, 104 m east-west at Hanoi's latitude); the grid's origin is
central Hanoi, so the files route like the real city's."""

from __future__ import annotations

from pathlib import Path

import osmium

ORIGIN = (21.02, 105.84)
UNIT = 0.001


def at(y: float, x: float) -> tuple[float, float]:
    """(lat, lon) of grid point (y north, x east)."""
    return (round(ORIGIN[0] + y * UNIT, 7), round(ORIGIN[1] + x * UNIT, 7))


def write_osm(path: Path, nodes: dict[str, tuple[float, float]], ways: list[tuple[list[str], dict[str, str]]]) -> Path:
    """Write `nodes` (name → grid point) and `ways` (node names, tags) to `path` (.osm.pbf or .osm)."""
    ids = {name: i + 1 for i, name in enumerate(nodes)}
    path.unlink(missing_ok=True)
    with osmium.SimpleWriter(str(path)) as writer:
        for name, (y, x) in nodes.items():
            lat, lon = at(y, x)
            writer.add_node(osmium.osm.mutable.Node(id=ids[name], location=(lon, lat), version=1))
        for i, (names, tags) in enumerate(ways):
            writer.add_way(osmium.osm.mutable.Way(id=i + 1, nodes=[ids[n] for n in names], tags=tags, version=1))
    return path


def grid_city(path: Path, side: int, spacing: float = 1.0) -> Path:
    """A city of `side`×`side` junctions `spacing` units apart: residential streets, every fifth a one-way
    primary, for benchmarks."""
    nodes = {f"{r},{c}": (r * spacing, c * spacing) for r in range(side) for c in range(side)}
    ways = []
    for r in range(side):
        tags = {"highway": "primary", "oneway": "yes"} if r % 5 == 0 else {"highway": "residential"}
        ways.append(([f"{r},{c}" for c in range(side)], tags))
    for c in range(side):
        tags = {"highway": "primary", "oneway": "-1"} if c % 5 == 0 else {"highway": "residential"}
        ways.append(([f"{r},{c}" for r in range(side)], tags))
    return write_osm(path, nodes, ways)
