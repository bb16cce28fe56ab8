"""The road graph: OSM files written here with pyosmium, imported through the real command, routed on.

Street shapes (an L, a one-way street, a closed footbridge, a river with one bridge, two islands), broken
files that must leave the previous graph in use, and the demo extract of central Hanoi against the figures
of fixtures/osm/README.md."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.cli import main
from server.resources import DEMO_EXTRACT
from server.wayfinding.road_import import import_roads
from server.wayfinding.roads import RoadEngine, RoadGraph, RoadGraphError, simplify
from server.wayfinding.travel import LatLon, distance_m
from server.wayfinding.wayfinder import Wayfinder
from tests.support.osm import at, write_osm

RESIDENTIAL = {"highway": "residential"}
FOOTWAY = {"highway": "footway"}


def engine_for(tmp_path: Path, nodes, ways) -> RoadEngine:
    target = tmp_path / "roads.npz"
    import_roads(write_osm(tmp_path / "town.osm.pbf", nodes, ways), target)
    return RoadEngine(RoadGraph.load(target))


def point(y: float, x: float) -> LatLon:
    return LatLon(*at(y, x))


def passes(route, y: float, x: float) -> bool:
    """Whether the route's line goes through grid point (y, x) (to 0.1 m)."""
    lat, lon = at(y, x)
    return any(abs(p.lat - lat) < 1e-6 and abs(p.lon - lon) < 1e-6 for p in route.path)


def import_command(source: Path, data_dir: Path, monkeypatch) -> object:
    # the command reads LEHOI_DATA_DIR; monkeypatch puts the session's value back afterwards
    monkeypatch.setenv("LEHOI_DATA_DIR", str(data_dir))
    return CliRunner().invoke(main, ["roads", "import", str(source)])


def test_a_route_follows_the_l_shaped_street_not_the_diagonal(tmp_path):
    nodes = {"a": (0, 0), "corner": (0, 10), "c": (10, 10)}
    engine = engine_for(tmp_path, nodes, [(["a", "corner", "c"], RESIDENTIAL)])
    route = engine.route_now([point(0, 0), point(10, 10)], "walk")
    assert passes(route, 0, 10), "the line turns at the corner"
    legs = distance_m(point(0, 0), point(0, 10)) + distance_m(point(0, 10), point(10, 10))
    assert route.distance_m == pytest.approx(legs, rel=0.005)
    assert route.distance_m > 1.35 * distance_m(point(0, 0), point(10, 10))
    assert route.duration_s == pytest.approx(route.distance_m / (5 / 3.6), rel=0.01), "walking is 5 km/h"


def test_a_one_way_street_sends_cars_around_and_lets_walkers_through(tmp_path):
    nodes = {"p": (0, 0), "q": (0, 4), "r": (-2, 0), "s": (-2, 4)}
    ways = [(["p", "q"], {"highway": "residential", "oneway": "yes"}), (["p", "r", "s", "q"], RESIDENTIAL)]
    engine = engine_for(tmp_path, nodes, ways)
    straight = distance_m(point(0, 0), point(0, 4))
    against = engine.route_now([point(0, 4), point(0, 0)], "car")
    assert passes(against, -2, 4) and against.distance_m > 2 * straight, "cars go round the block"
    assert engine.route_now([point(0, 0), point(0, 4)], "car").distance_m == pytest.approx(straight, rel=0.005)
    walk = engine.route_now([point(0, 4), point(0, 0)], "walk")
    assert walk.distance_m == pytest.approx(straight, rel=0.005) and not passes(walk, -2, 4)


def test_a_roundabout_is_one_way_and_oneway_minus_one_runs_against_the_node_order(tmp_path):
    # a loop a→b (roundabout), b↔c, c→a (the way is drawn a to c, tagged oneway=-1)
    nodes = {"a": (0, 0), "b": (0, 3), "c": (3, 3)}
    ways = [
        (["a", "b"], {"highway": "tertiary", "junction": "roundabout"}),
        (["b", "c"], {"highway": "tertiary"}),
        (["a", "c"], {"highway": "tertiary", "oneway": "-1"}),
    ]
    engine = engine_for(tmp_path, nodes, ways)
    assert passes(engine.route_now([point(0, 3), point(0, 0)], "car"), 3, 3), "b to a: round by c"
    assert passes(engine.route_now([point(0, 0), point(3, 3)], "motorbike"), 0, 3), "a to c: round by b"
    assert not passes(engine.route_now([point(0, 3), point(0, 0)], "walk"), 3, 3), "walkers go straight"


FOOTBRIDGE_NODES = {"w0": (0, 0), "w5": (5, 0), "w10": (10, 0), "e0": (0, 3), "e5": (5, 3), "e10": (10, 3)}


@pytest.mark.parametrize("closed", [{"foot": "no"}, {"access": "no"}, {"access": "private"}], ids=str)
def test_a_closed_footbridge_makes_walkers_take_the_other_bridge(tmp_path, closed):
    ways = [
        (["w0", "w5", "w10"], FOOTWAY),
        (["e0", "e5", "e10"], FOOTWAY),
        (["w5", "e5"], {**FOOTWAY, "bridge": "yes", **closed}),
        (["w10", "e10"], {**FOOTWAY, "bridge": "yes"}),
    ]
    route = RoadEngine(RoadGraph.load(_import(tmp_path, ways))).route_now([point(5, 0), point(5, 3)], "walk")
    assert passes(route, 10, 0) and passes(route, 10, 3), "over the open bridge"
    assert route.distance_m > 3 * distance_m(point(5, 0), point(5, 3))


def test_foot_yes_opens_a_bridge_that_access_no_closes(tmp_path):
    ways = [
        (["w0", "w5", "w10"], FOOTWAY),
        (["e0", "e5", "e10"], FOOTWAY),
        (["w5", "e5"], {**FOOTWAY, "access": "no", "foot": "yes"}),
        (["w10", "e10"], FOOTWAY),
    ]
    route = RoadEngine(RoadGraph.load(_import(tmp_path, ways))).route_now([point(5, 0), point(5, 3)], "walk")
    assert not passes(route, 10, 0)
    assert route.distance_m == pytest.approx(distance_m(point(5, 0), point(5, 3)), rel=0.005)


def _import(tmp_path: Path, ways) -> Path:
    target = tmp_path / "roads.npz"
    import_roads(write_osm(tmp_path / "bridges.osm.pbf", FOOTBRIDGE_NODES, ways), target)
    return target


def test_a_river_with_one_bridge_is_crossed_at_the_bridge_by_every_mode(tmp_path):
    # two banks 6 units apart along x, 1 km long; the only bridge is at the north end
    nodes = {f"{side}{y}": (y, x) for side, x in (("w", 0), ("e", 6)) for y in range(11)}
    ways = [
        ([f"w{y}" for y in range(11)], RESIDENTIAL),
        ([f"e{y}" for y in range(11)], RESIDENTIAL),
        (["w10", "e10"], {"highway": "primary", "bridge": "yes"}),
    ]
    engine = engine_for(tmp_path, nodes, ways)
    for mode in ("walk", "bicycle", "motorbike", "car", "bus"):
        route = engine.route_now([point(1, 0), point(1, 6)], mode)
        assert passes(route, 10, 0) and passes(route, 10, 6), mode


def test_points_outside_the_area_or_in_another_component_get_no_street_route(tmp_path):
    nodes = {"a": (0, 0), "b": (0, 5), "c": (20, 0), "d": (20, 5)}
    engine = engine_for(tmp_path, nodes, [(["a", "b"], RESIDENTIAL), (["c", "d"], RESIDENTIAL)])
    assert engine.route_now([point(0, 0), point(0, 5)], "walk") is not None
    assert engine.route_now([point(0, 0), point(20, 5)], "walk") is None, "two islands"
    assert engine.route_now([point(0, 0), point(900, 0)], "walk") is None, "100 km north"
    assert engine.route_now([point(0, 0), point(0, 8)], "walk") is None, "300 m from the last node"
    assert engine.route_now([point(0, 0), point(0, 7)], "walk") is not None, "200 m away still snaps"


def test_motorways_are_driven_and_never_walked(tmp_path):
    engine = engine_for(tmp_path, {"a": (0, 0), "b": (0, 10)}, [(["a", "b"], {"highway": "motorway"})])
    assert engine.route_now([point(0, 0), point(0, 10)], "car") is not None
    assert engine.route_now([point(0, 0), point(0, 10)], "walk") is None
    assert engine.route_now([point(0, 10), point(0, 0)], "car") is None, "motorways are one-way"


@pytest.mark.parametrize("broken", ["truncated", "garbage", "no_highways"])
def test_a_broken_file_fails_clearly_and_keeps_the_previous_graph(tmp_path, monkeypatch, broken):
    data_dir = tmp_path / "data"
    good = write_osm(tmp_path / "good.osm.pbf", {"a": (0, 0), "b": (0, 5)}, [(["a", "b"], RESIDENTIAL)])
    result = import_command(good, data_dir, monkeypatch)
    assert result.exit_code == 0, result.output
    before = (data_dir / "roads.npz").read_bytes()
    bad = tmp_path / "bad.osm.pbf"
    if broken == "truncated":
        whole = DEMO_EXTRACT.read_bytes()
        bad.write_bytes(whole[: len(whole) // 2])
    elif broken == "garbage":
        bad.write_bytes(b"\x00\x00\x00\x0dOSMHeader" + bytes(range(256)) * 8)
    else:
        write_osm(bad, {"a": (0, 0), "b": (0, 5)}, [(["a", "b"], {"waterway": "river"})])
    result = import_command(bad, data_dir, monkeypatch)
    assert result.exit_code != 0
    assert "previous road graph" in result.output and str(bad) in result.output, result.output
    assert (data_dir / "roads.npz").read_bytes() == before
    assert sorted(p.name for p in data_dir.iterdir()) == ["roads.npz"], "no temporary file left"
    assert RoadGraph.load(data_dir / "roads.npz").node_count == 2


def test_an_interrupted_import_keeps_the_previous_graph(tmp_path):
    target = tmp_path / "roads.npz"
    import_roads(write_osm(tmp_path / "a.osm.pbf", {"a": (0, 0), "b": (0, 5)}, [(["a", "b"], RESIDENTIAL)]), target)
    before = target.read_bytes()

    def interrupt(ways: int) -> None:
        raise KeyboardInterrupt  # Ctrl-C while the extract is read

    with pytest.raises(KeyboardInterrupt):
        import_roads(DEMO_EXTRACT, target, interrupt)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.osm.pbf", "roads.npz"]


def test_a_graph_file_that_is_not_one_is_refused_and_the_server_keeps_the_estimate(tmp_path):
    broken = tmp_path / "roads.npz"
    broken.write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(RoadGraphError, match="lehoi roads import"):
        RoadGraph.load(broken)


async def test_the_wayfinder_reads_the_graph_of_its_data_directory(tmp_path):
    target = tmp_path / "roads.npz"
    wayfinder = Wayfinder(roads_path=target)
    await wayfinder.start()
    assert wayfinder.engine is None, "no graph yet: the estimate"
    import_roads(write_osm(tmp_path / "a.osm.pbf", {"a": (0, 0), "b": (0, 5)}, [(["a", "b"], RESIDENTIAL)]), target)
    await wayfinder.start()
    assert isinstance(wayfinder.engine, RoadEngine)
    await wayfinder.stop()
    with_osrm = Wayfinder("http://127.0.0.1:9", roads_path=target)
    await with_osrm.start()
    assert with_osrm.engine.name == "osrm", "a configured OSRM wins over the local graph"
    await with_osrm.stop()


def test_simplify_keeps_corners_and_drops_points_on_a_straight_line():
    line = [point(0, x / 10) for x in range(101)] + [point(5, 10)]
    assert simplify(line) == [point(0, 0), point(0, 10), point(5, 10)]


# fixtures/osm/README.md: walking street distance between the snapped nodes, and each venue's snap
README_PLACES = {
    "Hồ Gươm": (LatLon(21.0287, 105.8524), 93.6),
    "Văn Miếu": (LatLon(21.0293, 105.8355), 34.2),
    "Opera House": (LatLon(21.0245, 105.8577), 6.0),
    "Hoả Lò": (LatLon(21.0253, 105.8464), 4.6),
    "Long Biên W end": (LatLon(21.0418, 105.8492), 3.0),
}
README_STREET_M = [2169, 942, 1152, 1767, 2523, 1483, 2721, 1498, 2232, 2351]


@pytest.fixture(scope="module")
def hanoi(tmp_path_factory) -> RoadEngine:
    target = tmp_path_factory.mktemp("hanoi") / "roads.npz"
    size = import_roads(DEMO_EXTRACT, target)
    assert size["nodes"] > 29_000
    return RoadEngine(RoadGraph.load(target))


@pytest.mark.parametrize(
    ("pair", "street_m"),
    list(zip(itertools.combinations(README_PLACES, 2), README_STREET_M, strict=True)),
    ids=lambda v: str(v),
)
def test_walks_in_central_hanoi_match_the_extracts_readme(hanoi, pair, street_m):
    (a, snap_a), (b, snap_b) = README_PLACES[pair[0]], README_PLACES[pair[1]]
    route = hanoi.route_now([a, b], "walk")
    assert route is not None
    # the README's graph ignored one-way and foot tags; ours honours foot=no, so allow ±15 %
    assert route.distance_m == pytest.approx(street_m + snap_a + snap_b, rel=0.15)
    assert route.distance_m >= distance_m(a, b)
    back = hanoi.route_now([b, a], "walk")
    assert back.distance_m == pytest.approx(route.distance_m, abs=0.5), "walking ignores one-way streets"
    for mode in ("bicycle", "motorbike", "car"):
        assert hanoi.route_now([a, b], mode).distance_m >= distance_m(a, b), mode
