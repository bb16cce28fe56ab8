"""`lehoi roads import`: an OpenStreetMap extract (`.osm.pbf`) turned into the road graph of `roads`.

The file is streamed once with pyosmium: libosmium keeps the node locations (in C++, not Python dicts) and
hands over only the `highway=*` ways with their coordinates. Each usable way's nodes go into flat `array`
buffers with the directions each mode may travel it (`_directions`); numpy turns them into the graph at the
end: consecutive nodes of a way are its segments, and `np.unique` gives every used OSM node a dense index,
so no node-id dict is ever built.

The graph is written to a temporary file beside the target and renamed over it only once complete, so an
import that fails (unreadable or truncated file, no highway in it) or is interrupted leaves the previous
graph in use.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Callable
from pathlib import Path

import numpy as np
import osmium

from server.wayfinding.roads import FORMAT, KNOWN_CLASSES, MODES, OPENED_KMH, SPEEDS_KMH, RoadGraphError, haversine_m

#: values of an access tag that shut a way to the mode it applies to
DENIED = frozenset({"no", "private", "agricultural", "forestry", "delivery", "emergency", "military"})
#: the most specific tag first: the first one present on a way decides
ACCESS_TAGS: dict[str, tuple[str, ...]] = {
    "walk": ("foot", "access"),
    "bicycle": ("bicycle", "vehicle", "access"),
    "motorbike": ("motorcycle", "motor_vehicle", "vehicle", "access"),
    "car": ("motorcar", "motor_vehicle", "vehicle", "access"),
}
ONEWAY_FORWARD = frozenset({"yes", "1", "true"})
ONEWAY_BACKWARD = frozenset({"-1", "reverse"})
#: a mode's own one-way tag, which wins over `oneway` (e.g. `oneway:bicycle=no` on a one-way street)
ONEWAY_TAG = {"bicycle": "oneway:bicycle", "motorbike": "oneway:motorcycle", "car": "oneway:motorcar"}

#: bit of the forward and backward direction of each mode in a segment's flags
FORWARD = {mode: 1 << (2 * i) for i, mode in enumerate(MODES)}
BACKWARD = {mode: 1 << (2 * i + 1) for i, mode in enumerate(MODES)}


def _allowed(mode: str, highway: str, tags: osmium.osm.TagList) -> bool:
    """Whether `mode` may use a way: the most specific access tag present decides; without one, the class
    does (`SPEEDS_KMH` lists each mode's classes, so motorways are never walked)."""
    for key in ACCESS_TAGS[mode]:
        value = tags.get(key)
        if value is not None:
            if value in DENIED:
                return False
            # only the mode's own tag opens a way not of its classes (`bicycle=yes` on a footway), not `access`
            return highway in SPEEDS_KMH[mode] or (key == ACCESS_TAGS[mode][0] and highway in KNOWN_CLASSES)
    return highway in SPEEDS_KMH[mode]


def _oneway(mode: str, highway: str, tags: osmium.osm.TagList) -> int:
    """1 forward only, -1 backward only, 0 both ways. Walking ignores one-way streets."""
    if mode == "walk":
        return 0
    value = tags.get(ONEWAY_TAG[mode]) or tags.get("oneway")
    if value in ONEWAY_FORWARD:
        return 1
    if value in ONEWAY_BACKWARD:
        return -1
    # roundabouts and motorways are one-way unless tagged otherwise (OSM's implied oneway)
    implied = tags.get("junction") in ("roundabout", "circular") or highway in ("motorway", "motorway_link")
    return 1 if value is None and implied else 0


def _directions(highway: str, tags: osmium.osm.TagList) -> int:
    """The flags of a way's segments: which modes may go forward (along the node order) and backward."""
    flags = 0
    for mode in MODES:
        if _allowed(mode, highway, tags):
            oneway = _oneway(mode, highway, tags)
            flags |= (FORWARD[mode] if oneway >= 0 else 0) | (BACKWARD[mode] if oneway <= 0 else 0)
    return flags


#: how the progress is reported: called with the number of ways read so far
Progress = Callable[[int], None]


def read_ways(source: Path, progress: Progress | None = None) -> dict[str, np.ndarray]:
    """Stream `source` and return its usable highway ways as flat arrays: every node of every way in order
    (`ref`, and `x`, `y` in 1e-7 degrees), where each way starts in them (`start`), its highway class (an
    index into `classes`) and its direction flags. 16 bytes a node, so a country fits in memory."""
    ref, x, y = array("q"), array("i"), array("i")
    start, klass, flags = array("q"), array("B"), array("H")
    classes: dict[str, int] = {}
    ways = 0
    try:
        processor = (
            osmium.FileProcessor(str(source))
            .with_locations()
            .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for way in processor:
            ways += 1
            if progress is not None and ways % 20_000 == 0:
                progress(ways)
            highway = way.tags["highway"]
            way_flags = _directions(highway, way.tags)
            if not way_flags or len(way.nodes) < 2:
                continue
            k = classes.setdefault(highway, len(classes))
            start.append(len(ref))
            klass.append(k)
            flags.append(way_flags)
            for node in way.nodes:
                if not node.location.valid():
                    raise RoadGraphError(f"way {way.id} names node {node.ref}, which the file does not hold")
                ref.append(node.ref)
                x.append(node.x)
                y.append(node.y)
    except RuntimeError as exc:  # libosmium's word for an unreadable, truncated or corrupt file
        raise RoadGraphError(f"{source} is not a readable OSM file: {exc}") from None
    if progress is not None:
        progress(ways)
    if not start:
        raise RoadGraphError(f"{source} holds no highway that any mode may use: nothing to route on")
    return {
        "ref": np.frombuffer(ref, dtype=np.int64),
        "x": np.frombuffer(x, dtype=np.int32),
        "y": np.frombuffer(y, dtype=np.int32),
        "start": np.frombuffer(start, dtype=np.int64),
        "class": np.frombuffer(klass, dtype=np.uint8),
        "flags": np.frombuffer(flags, dtype=np.uint16),
        "classes": np.array(sorted(classes, key=classes.__getitem__)),
    }


def build_graph(ways: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The arrays of the graph file (see `roads.RoadGraph`) from the ways of `read_ways`."""
    ids, first, index = np.unique(ways["ref"], return_index=True, return_inverse=True)
    # a segment joins each node of a way to the next one; the last node of a way starts none
    total = len(ways["ref"])
    lengths = np.diff(np.append(ways["start"], total))
    starts_segment = np.ones(total, dtype=bool)
    starts_segment[ways["start"][1:] - 1] = False
    starts_segment[-1] = False
    segment_class = np.repeat(ways["class"], lengths)[starts_segment]
    segment_flags = np.repeat(ways["flags"], lengths)[starts_segment]
    a = index[:-1][starts_segment[:-1]].astype(np.int32)
    b = index[1:][starts_segment[:-1]].astype(np.int32)
    # a way that names the same node twice in a row has a segment of no length: no edge
    moving = a != b
    a, b, segment_class, segment_flags = a[moving], b[moving], segment_class[moving], segment_flags[moving]
    # 1e-7 degrees (libosmium's fixed point) to microdegrees: 0.1 m is plenty for street routes
    lon_e6 = ((ways["x"][first].astype(np.int64) + 5) // 10).astype(np.int32)
    lat_e6 = ((ways["y"][first].astype(np.int64) + 5) // 10).astype(np.int32)
    n = len(ids)
    length = haversine_m(lat_e6[a] / 1e6, lon_e6[a] / 1e6, lat_e6[b] / 1e6, lon_e6[b] / 1e6)
    arrays: dict[str, np.ndarray] = {
        "format": np.array(FORMAT),
        "lat_e6": lat_e6,
        "lon_e6": lon_e6,
    }
    classes = ways["classes"]
    for mode in MODES:
        kmh = np.array([SPEEDS_KMH[mode].get(str(c), OPENED_KMH[mode]) for c in classes], dtype=np.float64)
        seconds = length / (kmh[segment_class] / 3.6)
        fwd = (segment_flags & FORWARD[mode]) != 0
        bwd = (segment_flags & BACKWARD[mode]) != 0
        src = np.concatenate([a[fwd], b[bwd]])
        dst = np.concatenate([b[fwd], a[bwd]])
        cost = np.concatenate([seconds[fwd], seconds[bwd]])
        metres = np.concatenate([length[fwd], length[bwd]])
        # one edge per (from, to): the quickest, as a sparse matrix would add parallel edges up
        order = np.lexsort((cost, dst, src))
        src, dst, cost, metres = src[order], dst[order], cost[order], metres[order]
        keep = np.ones(len(src), dtype=bool)
        keep[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
        src, dst, cost, metres = src[keep], dst[keep], cost[keep], metres[keep]
        arrays[f"{mode}_indptr"] = np.searchsorted(src, np.arange(n + 1)).astype(np.int32)
        arrays[f"{mode}_indices"] = dst.astype(np.int32)
        # a zero-length segment (two nodes on one spot) still costs a little, so it stays an edge
        arrays[f"{mode}_seconds"] = np.maximum(cost, 1e-3).astype(np.float32)
        arrays[f"{mode}_metres"] = metres.astype(np.float32)
    return arrays


def import_roads(source: Path, target: Path, progress: Progress | None = None) -> dict[str, int]:
    """Import `source` into the graph file `target`, replacing it only when the whole import succeeded.
    Returns the graph's size: nodes, edges per mode, bytes on disk."""
    arrays = build_graph(read_ways(source, progress))
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as out:
            np.savez(out, **arrays)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    size = {"nodes": len(arrays["lat_e6"]), "bytes": target.stat().st_size}
    size.update({f"{mode}_edges": len(arrays[f"{mode}_indices"]) for mode in MODES})
    return size
