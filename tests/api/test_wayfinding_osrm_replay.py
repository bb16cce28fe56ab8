"""lehoi's OSRM client against a replay of OSRM's documented answers (tests/support/osrm_replay.py, the
recorded set in tests/data/osrm/): the example responses and error codes of OSRM's HTTP API documentation,
served over HTTP on 127.0.0.1. This is a replay, not a live OSRM (none can be installed here): it shows that
lehoi reads OSRM's real answers, extra members and all, and that every documented refusal, an answer in
another geometry format, a request it has no answer to and a slow answer each leave the estimate to answer,
labelled, never a 500. The recorded requests are in Berlin, where the documentation's examples are, so the
parsed answers come through `/api/routes` between `lat,lon` points and through the client for the table; the
demo festival's itineraries, in Hanoi, meet the refusals."""

from __future__ import annotations

import time

import httpx
import pytest

from server.wayfinding.osrm import OsrmClient
from server.wayfinding.travel import LatLon
from tests.api.test_wayfinding_engine import ROUTE, engine
from tests.api.test_wayfinding_itineraries import FAVOURITES, at
from tests.support.live_server import LiveServer
from tests.support.osrm_replay import osrm_replay, recorded

# The documentation's example coordinates: Friedrichstraße, Torstraße, Platz der Vereinten Nationen.
BERLIN = [LatLon(52.517037, 13.388860), LatLon(52.529407, 13.397634), LatLon(52.523219, 13.428555)]
BERLIN_ROUTE = {"from": "52.517037,13.388860", "to": "52.529407,13.397634", "mode": "car", "depart_at": at("10:00")}
PLAN = {"start": "cung-thieu-nhi", "start_at": at("09:00"), "mode": "car", "events": FAVOURITES}
ERRORS = [name for name, exchange in recorded().items() if exchange["request"] is None]


def documented(name: str) -> dict:
    return recorded()[name]["response"]


async def test_a_documented_route_comes_through_the_api(client, in_app):
    with osrm_replay() as replay, engine(client, in_app, replay.url):
        response = await client.get("/api/routes", params=BERLIN_ROUTE)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["engine"] == "osrm"
    [leg] = body["features"]
    route = documented("route-geojson")["routes"][0]
    assert leg["properties"]["geometry_source"] == "engine"
    assert leg["properties"]["duration_s"] == round(route["duration"])
    assert leg["properties"]["distance_m"] == round(route["distance"])
    assert leg["geometry"]["coordinates"] == route["geometry"]["coordinates"], "[lon, lat] as OSRM gives them"
    [(west, south), (east, north)] = route["geometry"]["coordinates"]
    assert body["bbox"] == [west, south, east, north]
    [(path, query)] = replay.requests
    assert path == "/route/v1/car/13.388860,52.517037;13.397634,52.529407"
    assert query == {"overview": ["full"], "geometries": ["geojson"]}


async def test_the_client_reads_the_documented_table_and_route_object():
    with osrm_replay() as replay:
        async with OsrmClient(replay.url) as osrm:
            table = await osrm.table(BERLIN, "car")
            route = await osrm.route([LatLon(10.0, 120.0), LatLon(10.0, 120.1), LatLon(10.0, 120.3)], "walk")
    example = documented("table")
    assert table is not None
    assert [list(row) for row in table.durations_s] == example["durations"]
    assert [list(row) for row in table.distances_m] == example["distances"]
    assert table.waypoints == tuple(LatLon(s["location"][1], s["location"][0]) for s in example["sources"])
    assert route is not None
    assert [(leg.distance_m, leg.duration_s) for leg in route.legs] == [(30.0, 100.0), (60.0, 200.0)]
    assert route.path == tuple(LatLon(10.0, lon) for lon in (120.0, 120.1, 120.2, 120.3))
    assert [path.split("/")[1] for path, _ in replay.requests] == ["table", "route"]


@pytest.mark.parametrize("name", ["route-polyline", *ERRORS])
async def test_each_documented_refusal_and_a_polyline_answer_leave_the_estimate_to_answer(client, in_app, name):
    estimate = (await client.get("/api/routes", params=ROUTE)).json()
    # a gate each, as a failed engine is left alone for a while and the second request would not reach it
    with osrm_replay(answer=name) as replay:
        with engine(client, in_app, replay.url):
            route = await client.get("/api/routes", params=ROUTE)
        with engine(client, in_app, replay.url):
            plan = await client.post("/api/itineraries", json=PLAN)
    assert route.status_code == 200 and route.json() == estimate
    assert route.json()["engine"] == "estimate"
    assert plan.status_code == 200, plan.text
    assert plan.json()["engine"] == "estimate"
    assert [path.split("/")[1] for path, _ in replay.requests] == ["route", "table"]


async def test_a_request_the_set_holds_no_answer_to_leaves_the_estimate_to_answer(client, in_app):
    with osrm_replay() as replay:
        with engine(client, in_app, replay.url):
            route = await client.get("/api/routes", params=ROUTE)
        with engine(client, in_app, replay.url):
            plan = await client.post("/api/itineraries", json=PLAN)
        async with httpx.AsyncClient(base_url=replay.url) as http:
            unparsed = await http.get("/route/v1/car/here;there")
            unknown = await http.get("/isochrone/v1/car/13.38886,52.517037")
    assert route.json()["engine"] == plan.json()["engine"] == "estimate"
    assert len(replay.requests) == 4
    assert (unparsed.status_code, unparsed.json()["code"]) == (400, "InvalidUrl")
    assert (unknown.status_code, unknown.json()["code"]) == (400, "InvalidService")


async def test_a_slow_answer_is_given_up_on_for_the_estimate(client, in_app):
    with osrm_replay(delay_s=5.0) as replay, engine(client, in_app, replay.url, timeout_s=0.5):
        began = time.monotonic()
        body = (await client.get("/api/routes", params=BERLIN_ROUTE)).json()
        waited = time.monotonic() - began
    assert body["engine"] == "estimate" and body["features"][0]["properties"]["geometry_source"] == "straight"
    assert waited < 2.5, "the 0.5 s timeout bounds the wait, not the replay's 5 s"


@pytest.mark.slow
def test_a_server_started_with_LEHOI_OSRM_URL_reads_the_replay(tmp_path):
    with osrm_replay() as replay:
        live = LiveServer(tmp_path, env={"LEHOI_OSRM_URL": replay.url, "LEHOI_OSRM_TIMEOUT_S": "2"})
        try:
            live.start()
            route = httpx.get(f"{live.url}/api/routes", params=BERLIN_ROUTE, timeout=10).json()
            plan = httpx.post(f"{live.url}/api/itineraries", json=PLAN, timeout=30)
        finally:
            live.stop()
    assert route["engine"] == "osrm" and route["features"][0]["properties"]["geometry_source"] == "engine"
    assert plan.status_code == 200 and plan.json()["engine"] == "estimate", "its Hanoi table is not recorded"
