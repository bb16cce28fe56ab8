"""The travel model in the offline bundle: its format, its size, and agreement with the online routes."""

from __future__ import annotations

from collections.abc import Iterator

import msgspec
import pytest
from conftest import reload_programme

from server.resources import DEMO_EXTRACT
from server.wayfinding.model import FORMAT, WIRE, VenueDistances
from server.wayfinding.road_import import import_roads
from server.wayfinding.roads import RoadEngine, RoadGraph
from server.wayfinding.travel import MODES, LatLon
from tests.support.bundles import current_bundle

#: the demo festival's whole bundle, brotli
BUNDLE_LIMIT_BR = 25 * 1024


async def bundle(client) -> dict:
    response = await current_bundle(client)
    assert response.status_code == 200
    return response.json()


async def test_the_bundle_carries_the_travel_model(client):
    travel = (await bundle(client))["travel"]
    assert travel == msgspec.json.decode(msgspec.json.encode(WIRE))
    assert travel["format"] == FORMAT and travel["tz"] == "Asia/Ho_Chi_Minh" and set(travel["modes"]) == set(MODES)


async def test_offline_times_agree_with_the_online_estimate(client):
    content = await bundle(client)
    distances = VenueDistances({v["id"]: LatLon(v["lat"], v["lon"]) for v in content["venues"]})
    for a, b in [("nha-hat-lon", "bat-trang"), ("hoa-lo", "van-mieu"), ("duong-lam", "chang-son")]:
        for mode in MODES:
            offline = distances.lookup(a, b, mode)
            online = (
                await client.get(
                    "/api/routes", params={"from": a, "to": b, "mode": mode, "depart_at": "2024-11-12T10:00:00+07:00"}
                )
            ).json()["features"][0]["properties"]
            assert (online["distance_m"], online["duration_s"]) == (offline.distance_m, offline.duration_s), (
                a,
                b,
                mode,
            )


async def test_the_whole_bundle_stays_small(client):
    await current_bundle(client, "br")
    built = client.app.state.bundles.built
    assert len(built.br) <= BUNDLE_LIMIT_BR, f"bundle is {len(built.br)} bytes brotli"
    travel = msgspec.json.encode(msgspec.json.decode(built.raw)["travel"])
    assert len(travel) < 1024, "the travel model holds constants, nothing per venue pair"


@pytest.fixture
def routing_on_streets(client, in_app, tmp_path) -> Iterator[None]:
    """The session app routing on the demo extract's road graph, with a bundle built since (a new version),
    as a server started with roads.npz in its data dir; afterwards, without, and a new bundle again."""
    wayfinder = client.app.state.wayfinder
    target = tmp_path / "roads.npz"
    import_roads(DEMO_EXTRACT, target)
    before = wayfinder.engine
    wayfinder.engine = RoadEngine(RoadGraph.load(target))
    in_app(reload_programme)
    client.app.state.snapshots.invalidate()
    try:
        yield
    finally:
        wayfinder.engine = before
        in_app(reload_programme)
        client.app.state.snapshots.invalidate()


async def test_a_server_with_a_road_graph_sends_street_walks_and_stays_small(client, routing_on_streets):
    content = await bundle(client)
    streets = content["streets"]
    assert streets["format"] == 1 and streets["attribution"] == "© OpenStreetMap contributors"
    pairs = {(a, b): (metres, seconds) for a, b, metres, seconds, _ in streets["pairs"]}
    assert ("hoa-lo", "van-mieu") in pairs and not any("bat-trang" in pair for pair in pairs)
    online = (await client.get("/api/routes", params={"from": "van-mieu", "to": "hoa-lo", "mode": "walk"})).json()
    assert online["engine"] == "roads"
    props = online["features"][0]["properties"]
    assert (props["distance_m"], props["duration_s"]) == pairs["hoa-lo", "van-mieu"]
    await current_bundle(client, "br")
    built = client.app.state.bundles.built
    assert len(built.br) <= BUNDLE_LIMIT_BR, f"bundle is {len(built.br)} bytes brotli"
