"""Street routes through the API: the session app's wayfinder given the road graph of the demo extract of
central Hanoi (as `lehoi serve` imports it on first start), then a graph of two islands. Inside the area
the line follows the streets and credits OpenStreetMap; outside it, or across to another island, the
estimate answers as it does without a graph."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from server.resources import DEMO_EXTRACT
from server.wayfinding.road_import import import_roads
from server.wayfinding.roads import ATTRIBUTION, RoadEngine, RoadGraph
from server.wayfinding.travel import LatLon, distance_m
from tests.api.test_wayfinding_itineraries import FAVOURITES, assert_consistent, at, plan
from tests.api.test_wayfinding_routes import assert_rfc7946, route
from tests.support.osm import at as grid
from tests.support.osm import write_osm

HO_GUOM, VAN_MIEU, HOA_LO = "21.0287,105.8524", "21.0293,105.8355", "21.0253,105.8464"


@contextmanager
def streets(client, graph_file: Path) -> Iterator[RoadEngine]:
    """The session app's wayfinder routing on `graph_file`, as it does when started with it in its data dir."""
    wayfinder = client.app.state.wayfinder
    before = wayfinder.engine
    wayfinder.engine = RoadEngine(RoadGraph.load(graph_file))
    try:
        yield wayfinder.engine
    finally:
        wayfinder.engine = before


@pytest.fixture(scope="module")
def hanoi_graph(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("roads") / "roads.npz"
    import_roads(DEMO_EXTRACT, target)
    return target


def latlon(text: str) -> LatLon:
    return LatLon(*map(float, text.split(",")))


@pytest.mark.parametrize("mode", ["walk", "bicycle", "motorbike", "car", "bus"])
async def test_a_route_in_central_hanoi_follows_the_streets_and_credits_openstreetmap(client, hanoi_graph, mode):
    with streets(client, hanoi_graph):
        body = await route(client, from_=VAN_MIEU, to=HO_GUOM, mode=mode, depart_at=at("10:00"))
    assert_rfc7946(body)
    assert body["engine"] == "roads" and body["attribution"] == ATTRIBUTION == "© OpenStreetMap contributors"
    [leg] = body["features"]
    props = leg["properties"]
    assert props["geometry_source"] == "streets"
    coordinates = leg["geometry"]["coordinates"]
    assert 10 <= len(coordinates) <= 200, "simplified for the wire, but still the streets"
    assert coordinates[0] == [105.8355, 21.0293] and coordinates[-1] == [105.8524, 21.0287]
    geodesic = distance_m(latlon(VAN_MIEU), latlon(HO_GUOM))
    assert geodesic <= props["distance_m"] <= 2 * geodesic
    if mode == "walk":
        # 2,169 m between the snapped nodes (fixtures/osm/README.md) and 128 m of snap legs, at 5 km/h
        assert props["distance_m"] == pytest.approx(2169 + 128, rel=0.15)
        assert props["duration_s"] == pytest.approx(props["distance_m"] / (5 / 3.6), rel=0.02)


async def test_a_venue_outside_the_extract_gets_the_estimate_and_no_credit(client, hanoi_graph):
    with streets(client, hanoi_graph):
        body = await route(client, from_="nha-hat-lon", to="bat-trang", mode="car", depart_at=at("10:00"))
        far = await route(client, from_=HO_GUOM, to="21.9,105.85", mode="walk")
    for answer in (body, far):
        assert answer["engine"] == "estimate" and "attribution" not in answer
        assert answer["features"][0]["properties"]["geometry_source"] == "straight"
    assert 9_000 <= body["features"][0]["properties"]["distance_m"] <= 13_500, "the estimate, as without a graph"


async def test_two_islands_are_joined_by_the_estimate(client, tmp_path):
    nodes = {"a": (0, 0), "b": (0, 5), "c": (20, 0), "d": (20, 5)}
    ways = [(["a", "b"], {"highway": "residential"}), (["c", "d"], {"highway": "residential"})]
    target = tmp_path / "roads.npz"
    import_roads(write_osm(tmp_path / "islands.osm.pbf", nodes, ways), target)
    a, b, d = (",".join(map(str, grid(*p))) for p in ((0, 0), (0, 5), (20, 5)))
    with streets(client, target):
        same = await route(client, from_=a, to=b, mode="walk")
        across = await route(client, from_=a, to=d, mode="walk")
    assert same["engine"] == "roads" and same["features"][0]["properties"]["geometry_source"] == "streets"
    assert across["engine"] == "estimate" and across["features"][0]["properties"]["geometry_source"] == "straight"


async def test_trail_legs_keep_their_drawn_path(client, hanoi_graph):
    with streets(client, hanoi_graph):
        body = await route(client, from_="cung-thieu-nhi", to="bac-bo-phu")
    assert body["features"][0]["properties"]["geometry_source"] == "trail" and "attribution" not in body


async def test_a_plan_inside_the_area_is_timed_and_drawn_on_the_streets(client, hanoi_graph):
    venues = [{"id": venue, "dwell_min": 30} for venue in ("van-mieu", "hoa-lo", "nha-hat-lon")]
    with streets(client, hanoi_graph):
        body = await plan(client, venues=venues, mode="walk")
    assert_consistent(body)
    assert body["engine"] == "roads" and len(body["stops"]) == 3
    assert {leg["geometry_source"] for leg in body["legs"]} <= {"streets", "trail"}
    assert "streets" in {leg["geometry_source"] for leg in body["legs"]}
    assert body["geojson"]["attribution"] == ATTRIBUTION
    for leg in body["legs"]:
        assert leg["duration_s"] == pytest.approx(leg["distance_m"] / (5 / 3.6), abs=2), "walked at 5 km/h"


async def test_a_plan_with_a_stop_outside_the_area_is_timed_by_the_estimate_throughout(client, hanoi_graph):
    with streets(client, hanoi_graph):
        body = await plan(client, events=FAVOURITES, mode="walk")
    assert_consistent(body)
    assert body["engine"] == "estimate" and "attribution" not in body["geojson"]
    assert {leg["geometry_source"] for leg in body["legs"]} <= {"straight", "trail"}
