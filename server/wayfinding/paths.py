"""Drawn paths cut at the places they pass: a trail's path between its stops, an engine's route between
its waypoints.

A path is cut at the vertex nearest each stop, the cut points never going backwards along the path (the
assignment that minimises the summed squared distances, by dynamic programme), so a path that passes a
place twice is still cut in the order of the stops. Each piece runs from its first stop to its second:
the stops themselves are added at the ends when the path misses them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import pairwise

from server.wayfinding.travel import LatLon, distance_m

Path = tuple[LatLon, ...]


def cut_indexes(path: Sequence[LatLon], stops: Sequence[LatLon]) -> list[int]:
    """One index into `path` per stop, non-decreasing, minimising the summed squared distances."""
    if not path:
        raise ValueError("an empty path cannot be cut")
    scale = math.cos(math.radians(path[0].lat))

    def cost(stop: LatLon, point: LatLon) -> float:
        return ((stop.lon - point.lon) * scale) ** 2 + (stop.lat - point.lat) ** 2

    m = len(path)
    previous = [0.0] * m
    choices: list[list[int]] = []
    for stop in stops:
        # best[j]: the cheapest cut of the earlier stops ending at or before vertex j, and where.
        best_cost, best_at = math.inf, 0
        prefix: list[int] = []
        current = []
        for j in range(m):
            if previous[j] < best_cost:
                best_cost, best_at = previous[j], j
            prefix.append(best_at)
            current.append(best_cost + cost(stop, path[j]))
        choices.append(prefix)
        previous = current
    index = min(range(m), key=lambda j: (previous[j], j))
    indexes = [index]
    for prefix in reversed(choices[1:]):
        index = prefix[index]
        indexes.append(index)
    return indexes[::-1]


def pieces(path: Sequence[LatLon], stops: Sequence[LatLon]) -> list[Path]:
    """The part of `path` between each pair of consecutive stops, from the first stop to the second."""
    if len(stops) < 2:
        return []
    cuts = cut_indexes(path, stops)
    return [_dedupe((stops[i], *path[cuts[i] : cuts[i + 1] + 1], stops[i + 1])) for i in range(len(stops) - 1)]


def length_m(path: Sequence[LatLon]) -> float:
    """Geodesic length along the path."""
    return sum(distance_m(a, b) for a, b in pairwise(path))


def trail_pieces(
    trails: Sequence[tuple[Sequence[str], Sequence[tuple[float, float]] | None]], venues: Mapping[str, LatLon]
) -> dict[tuple[str, str], Path]:
    """For every pair of venues that are consecutive stops of a trail with a drawn path ([lon, lat]
    positions), the piece of that path between them, in both directions. The first trail (in the given
    order) that joins a pair draws it."""
    found: dict[tuple[str, str], Path] = {}
    for stops, drawn in trails:
        if not drawn or len(drawn) < 2 or any(stop not in venues for stop in stops):
            continue
        try:
            path = [LatLon(lat, lon) for lon, lat in drawn]
        except (ValueError, TypeError):
            continue
        for (a, b), piece in zip(pairwise(stops), pieces(path, [venues[s] for s in stops]), strict=False):
            if a != b:
                found.setdefault((a, b), piece)
                found.setdefault((b, a), piece[::-1])
    return found


def _dedupe(path: Sequence[LatLon]) -> Path:
    """Drop a point equal (to the 6th decimal, as GeoJSON writes it) to the one before it."""
    kept: list[LatLon] = []
    for point in path:
        if not kept or (round(point.lat, 6), round(point.lon, 6)) != (round(kept[-1].lat, 6), round(kept[-1].lon, 6)):
            kept.append(point)
    return tuple(kept)
