"""The bundle's street paths: the encoded polyline both ways (and the phone's decoder held to it), and the
walks between the demo venues on the road graph of central Hanoi: inside the area only, each pair once,
each the line and figures `/api/routes` answers, to the encoding's precision."""

from __future__ import annotations

import json
import random

import msgspec
import pytest

from server.cli import DEFAULT_FIXTURES, DEFAULT_ROADS
from server.wayfinding import polyline
from server.wayfinding.road_import import import_roads
from server.wayfinding.roads import ATTRIBUTION, RoadEngine, RoadGraph
from server.wayfinding.streets import K_NEAREST, MAX_WALK_M, street_pairs
from server.wayfinding.travel import LatLon, round_half_up

#: half of the last digit: what encoding at 1e-5 degrees may move a point by
STEP = 0.5e-5 + 1e-12


@pytest.fixture(scope="module")
def graph(tmp_path_factory) -> RoadGraph:
    target = tmp_path_factory.mktemp("roads") / "roads.npz"
    import_roads(DEFAULT_ROADS, target)
    return RoadGraph.load(target)


@pytest.fixture(scope="module")
def venues() -> dict[str, tuple[str, LatLon]]:
    return {
        v["id"]: (v["kind"], LatLon(v["lat"], v["lon"])) for v in json.loads(DEFAULT_FIXTURES.read_bytes())["venues"]
    }


@pytest.fixture(scope="module")
def wire(graph, venues):
    return street_pairs(graph, {vid: point for vid, (_, point) in venues.items()})


def random_lines() -> list[list[LatLon]]:
    rng = random.Random(15)
    lines = [[], [LatLon(0, 0)], [LatLon(-89.99999, -179.99999), LatLon(89.99999, 179.99999)]]
    for _ in range(50):
        lat, lon = rng.uniform(-80, 80), rng.uniform(-179, 179)
        line = []
        for _ in range(rng.randint(2, 60)):
            lat, lon = lat + rng.uniform(-0.01, 0.01), lon + rng.uniform(-0.01, 0.01)
            line.append(LatLon(lat, lon))
        lines.append(line)
    return lines


def test_the_reference_example_of_the_format():
    line = [LatLon(38.5, -120.2), LatLon(40.7, -120.95), LatLon(43.252, -126.453)]
    assert polyline.encode(line) == "_p~iF~ps|U_ulLnnqC_mqNvxq`@"
    assert polyline.decode("_p~iF~ps|U_ulLnnqC_mqNvxq`@") == line


@pytest.mark.parametrize("line", random_lines())
def test_decoding_gives_the_points_to_the_precision(line):
    decoded = polyline.decode(polyline.encode(line))
    assert len(decoded) == len(line)
    for got, sent in zip(decoded, line, strict=True):
        assert abs(got.lat - sent.lat) <= STEP and abs(got.lon - sent.lon) <= STEP


def test_pairs_join_the_centre_and_never_a_craft_village(wire, venues):
    assert wire.attribution == ATTRIBUTION and wire.mode == "walk" and wire.precision == 5
    joined = {p.a for p in wire.pairs} | {p.b for p in wire.pairs}
    assert {"hoa-lo", "van-mieu", "nha-hat-lon", "den-ngoc-son"} <= joined
    assert not {vid for vid in joined if venues[vid][0] == "craft_village"}
    assert not joined & {"duong-lam", "bao-tang-dan-toc-hoc", "nha-may-xe-lua-gia-lam"}, "outside the extract"
    assert any({p.a, p.b} == {"hoa-lo", "van-mieu"} for p in wire.pairs)


def test_each_pair_once_in_order_and_within_the_limits(wire):
    keys = [(p.a, p.b) for p in wire.pairs]
    assert keys == sorted(set(keys)) and all(a < b for a, b in keys)
    neighbours: dict[str, int] = {}
    for p in wire.pairs:
        assert 0 < p.distance_m <= MAX_WALK_M
        assert p.duration_s > 0
        for vid in (p.a, p.b):
            neighbours[vid] = neighbours.get(vid, 0) + 1
    # a venue's own K nearest, and those that count it among theirs
    assert max(neighbours.values()) >= K_NEAREST and min(neighbours.values()) >= 1


def test_each_pair_is_the_route_the_server_answers(graph, wire, venues):
    engine = RoadEngine(graph)
    for pair in wire.pairs:
        for a, b, reverse in ((pair.a, pair.b, False), (pair.b, pair.a, True)):
            route = engine.route_now([venues[a][1], venues[b][1]], "walk")
            assert (round_half_up(route.distance_m), round_half_up(route.duration_s)) == (
                pair.distance_m,
                pair.duration_s,
            ), (a, b)
            if reverse:
                continue  # the server's way back may take another street of the same length
            decoded = polyline.decode(pair.line)
            assert len(decoded) == len(route.path), (a, b)
            for got, sent in zip(decoded, route.path, strict=True):
                assert abs(got.lat - sent.lat) <= STEP and abs(got.lon - sent.lon) <= STEP


def test_without_venues_inside_there_are_no_pairs(graph, venues):
    villages = {vid: point for vid, (kind, point) in venues.items() if kind == "craft_village"}
    assert street_pairs(graph, villages).pairs == ()


def test_the_phone_decodes_what_the_server_encodes(node_test, wire):
    lines = [*random_lines(), *(polyline.decode(p.line) for p in wire.pairs[:20])]
    cases = [
        {"text": polyline.encode(line), "points": [[p.lat, p.lon] for p in polyline.decode(polyline.encode(line))]}
        for line in lines
    ]
    node_test("streets.test.mjs", "LEHOI_STREET_VECTORS", {"cases": cases, "streets": msgspec.to_builtins(wire)})


def test_the_demo_pairs_stay_small(wire):
    size = len(msgspec.json.encode(wire))
    assert size < 16 * 1024, f"{size} bytes of street paths for {len(wire.pairs)} pairs"
