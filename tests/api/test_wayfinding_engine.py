"""The external routing engine through the API: a fake OSRM server on 127.0.0.1 answering in OSRM's
documented shapes, then one that is unreachable, one that is slow and one that talks nonsense. Whatever
the engine does, the API answers, and says which computed the times (`engine`)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from server.settings import load_settings
from server.wayfinding.engine_gate import EngineGate
from server.wayfinding.osrm import OsrmClient
from server.wayfinding.wayfinder import Wayfinder
from tests.api.test_wayfinding_itineraries import FAVOURITES, assert_consistent, at
from tests.api.test_wayfinding_routes import assert_rfc7946
from tests.support.fake_osrm import corner, fake_osrm, seconds, street_m
from tests.support.live_server import LiveServer

OPERA_HOUSE = (105.8574, 21.0244)
BAT_TRANG = (105.917, 20.983)
ROUTE = {"from": "nha-hat-lon", "to": "bat-trang", "mode": "car", "depart_at": at("10:00")}


@contextmanager
def engine(client, in_app, url: str, timeout_s: float = 2.0) -> Iterator[EngineGate]:
    """The session app's wayfinder talking to `url`, as it does when started with LEHOI_OSRM_URL."""
    wayfinder = client.app.state.wayfinder
    before = wayfinder.engine
    gate = EngineGate(OsrmClient(url, timeout_s=timeout_s))
    wayfinder.engine = gate
    try:
        yield gate
    finally:
        wayfinder.engine = before
        in_app(gate.client.aclose)


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def whole(x: float) -> int:
    return int(x + 0.5)


async def test_routes_come_from_the_engine_when_it_answers(client, in_app):
    with fake_osrm() as fake, engine(client, in_app, fake.url):
        body = (await client.get("/api/routes", params=ROUTE)).json()
    assert body["engine"] == "osrm"
    assert_rfc7946(body)
    [leg] = body["features"]
    props = leg["properties"]
    assert props["geometry_source"] == "engine"
    assert leg["geometry"]["coordinates"] == [list(OPERA_HOUSE), list(corner(OPERA_HOUSE, BAT_TRANG)), list(BAT_TRANG)]
    assert props["duration_s"] == whole(seconds(OPERA_HOUSE, BAT_TRANG, "car"))
    assert props["distance_m"] == whole(street_m(OPERA_HOUSE, BAT_TRANG))
    [(path, query)] = fake.requests
    assert path == "/route/v1/car/105.857400,21.024400;105.917000,20.983000"
    assert query == {"overview": ["full"], "geometries": ["geojson"]}


async def test_a_trail_leg_keeps_its_drawn_path_with_the_engines_times(client, in_app):
    with fake_osrm() as fake, engine(client, in_app, fake.url):
        body = (await client.get("/api/routes", params={"from": "cung-thieu-nhi", "to": "bac-bo-phu"})).json()
        assert fake.requests[0][0].startswith("/route/v1/foot/")
    assert body["engine"] == "osrm"
    props = body["features"][0]["properties"]
    assert props["geometry_source"] == "trail"
    assert props["duration_s"] == whole(seconds((105.8547, 21.0264), (105.8558, 21.0262), "foot"))


async def test_itineraries_take_the_engines_table_and_draw_its_streets(client, in_app):
    with fake_osrm() as fake, engine(client, in_app, fake.url):
        response = await client.post(
            "/api/itineraries",
            json={"start": "cung-thieu-nhi", "start_at": at("09:00"), "mode": "car", "events": FAVOURITES},
        )
    assert response.status_code == 200, response.text
    itinerary = response.json()
    assert_consistent(itinerary)
    assert itinerary["engine"] == "osrm" and itinerary["geojson"]["engine"] == "osrm"
    assert [s["id"] for s in itinerary["stops"]] == FAVOURITES
    assert fake.services() == ["table", "route"], "one table for the plan, one route for its lines"
    table_path = fake.requests[0][0]
    assert table_path.startswith("/table/v1/car/") and table_path.count(";") == 3  # the start and three venues
    places = [(105.8547, 21.0264)] + [(s["lon"], s["lat"]) for s in itinerary["stops"]]
    pairs = zip(places, places[1:], strict=False)
    for (a, b), leg, feature in zip(pairs, itinerary["legs"], itinerary["geojson"]["features"], strict=True):
        assert leg["duration_s"] == whole(seconds(a, b, "car"))
        assert leg["distance_m"] == whole(street_m(a, b))
        assert leg["geometry_source"] == "engine"
        assert feature["geometry"]["coordinates"] == [list(a), list(corner(a, b)), list(b)]


async def test_an_unreachable_engine_leaves_the_estimate_to_answer(client, in_app):
    estimate = (await client.get("/api/routes", params=ROUTE)).json()
    with engine(client, in_app, f"http://127.0.0.1:{unused_port()}"):
        body = (await client.get("/api/routes", params=ROUTE)).json()
        response = await client.post(
            "/api/itineraries", json={"start": "cung-thieu-nhi", "start_at": at("09:00"), "events": FAVOURITES}
        )
    assert body == estimate and body["engine"] == "estimate"
    assert body["features"][0]["properties"]["geometry_source"] == "straight"
    assert response.status_code == 200 and response.json()["engine"] == "estimate"


async def test_a_slow_engine_is_given_up_on_after_its_timeout(client, in_app):
    with fake_osrm(delay_s=5.0) as fake, engine(client, in_app, fake.url, timeout_s=0.5):
        began = time.monotonic()
        body = (await client.get("/api/routes", params=ROUTE)).json()
        first = time.monotonic() - began
        began = time.monotonic()
        again = (await client.get("/api/routes", params=ROUTE)).json()
        second = time.monotonic() - began
        assert len(fake.requests) == 1, "a failed engine is left alone for a while"
    assert body["engine"] == again["engine"] == "estimate"
    assert first < 2.5, "the 0.5 s timeout bounds the wait, not the engine's 5 s"
    assert second < 1.0


@pytest.mark.parametrize(
    "reply",
    [
        (200, {"code": "NoRoute", "message": "Impossible route between points"}),
        (400, {"code": "InvalidQuery", "message": "Query string malformed close to position 28"}),
        (503, "upstream unavailable"),
        (200, "<html>not json</html>"),
        # an answer in the right shape whose positions are not on Earth, and one with negative figures
        (
            200,
            {
                "code": "Ok",
                "waypoints": [{"location": [105.8574, 21.0244]}, {"location": [105.917, 20.983]}],
                "routes": [
                    {
                        "distance": 1.0,
                        "duration": 1.0,
                        "geometry": {"coordinates": [[500.0, 100.0]]},
                        "legs": [{"distance": 1.0, "duration": 1.0}],
                    }
                ],
            },
        ),
        (
            200,
            {
                "code": "Ok",
                "waypoints": [{"location": [105.8574, 21.0244]}, {"location": [105.917, 20.983]}],
                "routes": [
                    {
                        "distance": -5.0,
                        "duration": -1.0,
                        "geometry": {"coordinates": [[105.8574, 21.0244]]},
                        "legs": [{"distance": -5.0, "duration": -1.0}],
                    }
                ],
            },
        ),
    ],
)
async def test_an_engine_talking_nonsense_leaves_the_estimate_to_answer(client, in_app, reply):
    with fake_osrm(reply=reply) as fake, engine(client, in_app, fake.url):
        response = await client.get("/api/routes", params=ROUTE)
        plan = await client.post(
            "/api/itineraries", json={"start": "cung-thieu-nhi", "start_at": at("09:00"), "events": FAVOURITES}
        )
    assert response.status_code == 200 and response.json()["engine"] == "estimate"
    assert plan.status_code == 200 and plan.json()["engine"] == "estimate"


async def test_the_setting_starts_and_stops_the_engine():
    settings = load_settings({"LEHOI_OSRM_URL": "http://127.0.0.1:5000", "LEHOI_OSRM_TIMEOUT_S": "1.5"})
    wayfinder = Wayfinder(settings.osrm_url, timeout_s=settings.osrm_timeout_s)
    await wayfinder.start()
    assert wayfinder.engine is not None and wayfinder.engine.client._timeout_s == 1.5
    await wayfinder.stop()
    assert wayfinder.engine is None
    unset = Wayfinder(load_settings({}).osrm_url)
    await unset.start()
    assert unset.engine is None


@pytest.mark.slow
def test_a_server_started_with_LEHOI_OSRM_URL_routes_through_the_engine(tmp_path):
    with fake_osrm() as fake:
        live = LiveServer(tmp_path, env={"LEHOI_OSRM_URL": fake.url, "LEHOI_OSRM_TIMEOUT_S": "2"})
        try:
            live.start()
            body = httpx.get(f"{live.url}/api/routes", params=ROUTE, timeout=10).json()
        finally:
            live.stop()
    assert body["engine"] == "osrm" and body["features"][0]["properties"]["geometry_source"] == "engine"
    assert fake.requests[0][0].startswith("/route/v1/car/")
