"""Street paths between nearby venues for the offline bundle (`streets`), so a phone without signal draws the
walk between two close venues along the streets, with the figures `/api/routes` would answer.

For every venue inside the imported area (its walking snap within `SNAP_LIMIT_M`), the walks to its
`K_NEAREST` nearest venues by the streets, of those at most `MAX_WALK_M` away on foot. Six neighbours and
3 km because that is the walking a phone offers: "auto" walks up to 2 km as the crow flies (`AUTO_WALK_MAX_M`
in `pwa/js/lib/travel.js`), about 2.5 km on the streets, and a venue's six nearest cover the next stop of
most days; farther or rarer trips keep the estimate. Only walking: it is the one mode whose line is the same
both ways (the walking network has no one-way streets), so each pair is sent once, and walking times have no
rush hours, so the pair's figures are the server's at any hour.

Wire form (JSON object, format 1):

    {"format": 1, "attribution": "© OpenStreetMap contributors", "precision": 5, "mode": "walk",
     "pairs": [["hoa-lo", "van-mieu", 1284, 925, "<encoded polyline>"], ...]}

Each pair is [a, b, distance_m, duration_s, line] with a < b (by code point), sorted; the line runs from a to
b (reverse it for b to a), simplified as the server's routes are (`SIMPLIFY_M`) and in Google's encoded
polyline format at 1e-5 degrees (`polyline.py`). Distance and duration are rounded as `/api/routes` rounds
them, so a pair is the route the server answers between the two venues, to the encoding's precision.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

import msgspec
import numpy as np
from scipy.spatial import cKDTree

from server.wayfinding import polyline
from server.wayfinding.roads import ATTRIBUTION, RoadGraph, simplify, unit_sphere, walked_s
from server.wayfinding.travel import PROFILES, LatLon, round_half_up

FORMAT = 1
K_NEAREST = 6
MAX_WALK_M = 3000.0
MODE = "walk"


class StreetPair(msgspec.Struct, frozen=True, array_like=True):
    """[a, b, distance_m, duration_s, line] on the wire."""

    a: str
    b: str
    distance_m: int
    duration_s: int
    line: str


class StreetsWire(msgspec.Struct, frozen=True):
    """The bundle's `streets`; see the module docstring for the format."""

    format: int
    attribution: str
    precision: int
    mode: str
    pairs: tuple[StreetPair, ...]


def street_pairs(graph: RoadGraph, venues: Mapping[str, LatLon]) -> StreetsWire:
    """The walking street paths between every venue of the area and its nearest ones, each pair once."""
    snaps = {vid: snap for vid, point in sorted(venues.items()) if (snap := graph.snap(point, MODE)) is not None}
    ids = list(snaps)
    pairs: dict[tuple[str, str], StreetPair] = {}
    if ids:
        points = [venues[vid] for vid in ids]
        tree = cKDTree(unit_sphere(np.array([p.lat for p in points]), np.array([p.lon for p in points])))
        # a street walk is never shorter than the crow's line, so the venues within MAX_WALK_M of it are all
        # the candidates; the search stops where a walk of MAX_WALK_M would
        limit_s = MAX_WALK_M / (PROFILES[MODE].town_kmh / 3.6)
        for i, near in enumerate(tree.query_ball_point(tree.data, MAX_WALK_M)):
            a = ids[i]
            search = graph.search_within(snaps[a][0], MODE, limit_s)
            seconds_to = search[0]
            # the quickest walks first, ranked on the search's times: a path is only traced for those kept
            # (tracing every candidate's took minutes for a city's venues); the same point is no trip, which
            # /api/routes answers without the streets too
            ranked = sorted(
                (seconds_to[snaps[ids[j]][0]] + walked_s(snaps[ids[j]][1]), ids[j])
                for j in near
                if points[j] != points[i] and np.isfinite(seconds_to[snaps[ids[j]][0]])
            )
            walks = []
            for _, b in ranked[:K_NEAREST]:
                found = graph.leg_in(search, venues[a], venues[b], snaps[a], snaps[b], MODE)
                if found is not None and found[1] <= MAX_WALK_M:
                    walks.append((b, found))
            for b, (line, metres, seconds, _, _) in walks:
                key = (a, b) if a < b else (b, a)
                if key in pairs:
                    continue
                drawn = simplify(line)
                pairs[key] = StreetPair(
                    *key,
                    distance_m=round_half_up(metres),
                    duration_s=round_half_up(seconds + PROFILES[MODE].overhead_s),
                    line=polyline.encode(drawn if key[0] == a else drawn[::-1]),
                )
    return StreetsWire(
        format=FORMAT,
        attribution=ATTRIBUTION,
        precision=polyline.PRECISION,
        mode=MODE,
        pairs=tuple(pairs[key] for key in sorted(pairs)),
    )


_encoder = msgspec.json.Encoder()


@functools.lru_cache(maxsize=1)
def _graph(path: str, modified_ns: int) -> RoadGraph:
    return RoadGraph.load(Path(path))


def street_pairs_json(roads_path: str, venues: tuple[tuple[str, LatLon], ...]) -> bytes:
    """`street_pairs` over the road graph in `roads_path`, as JSON: what the build process runs (server/apart.py),
    reading the graph once (again if it is imported anew). Seconds of numpy calls and Python at city size, which in
    a thread held the GIL for three quarters of a city bundle build that computed them (server/apart.py)."""
    graph = _graph(roads_path, Path(roads_path).stat().st_mtime_ns)
    return _encoder.encode(street_pairs(graph, dict(venues)))
