"""The OSRM client against OSRM's documented response shapes (http.md in the docs of Project-OSRM/osrm-backend:
"Route service", "Table service", "Route object", "RouteLeg object", "Waypoint object")."""

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest

from server.wayfinding.osrm import PROFILE_FOR_MODE, EngineLeg, OsrmClient
from server.wayfinding.travel import LatLon

CHILDRENS_PALACE = LatLon(21.0264, 105.8547)
HISTORY_MUSEUM = LatLon(21.02465, 105.8597)
INDOCHINA_UNIVERSITY = LatLon(21.0218, 105.8582)


def waypoint(lon: float, lat: float, name: str) -> dict:
    return {
        "hint": "KSoKADRYroqUBAEAEAAAABkAAAAGAAAAAAAAABhnCQCLtwAA",
        "distance": 4.15,
        "name": name,
        "location": [lon, lat],
    }


ROUTE_BODY = {
    "code": "Ok",
    "routes": [
        {
            "geometry": {
                "type": "LineString",
                "coordinates": [
                    [105.854712, 21.026389],
                    [105.8566, 21.0251],
                    [105.859689, 21.024663],
                    [105.8583, 21.0219],
                ],
            },
            "legs": [
                {"steps": [], "summary": "", "weight": 143.2, "duration": 143.2, "distance": 812.4},
                {"steps": [], "summary": "", "weight": 80.0, "duration": 80.0, "distance": 402.1},
            ],
            "weight_name": "routability",
            "weight": 223.2,
            "duration": 223.2,
            "distance": 1214.5,
        }
    ],
    "waypoints": [
        waypoint(105.854712, 21.026389, "Lý Thái Tổ"),
        waypoint(105.859689, 21.024663, "Tràng Tiền"),
        waypoint(105.8583, 21.0219, "Lê Thánh Tông"),
    ],
}

TABLE_BODY = {
    "code": "Ok",
    "sources": [waypoint(105.854712, 21.026389, "Lý Thái Tổ"), waypoint(105.859689, 21.024663, "Tràng Tiền")],
    "destinations": [waypoint(105.854712, 21.026389, "Lý Thái Tổ"), waypoint(105.859689, 21.024663, "Tràng Tiền")],
    "durations": [[0, 143.2], [151.7, 0]],
    "distances": [[0, 812.4], [860.3, 0]],
}


def client_answering(handler: Callable[[httpx.Request], httpx.Response], **options) -> OsrmClient:
    return OsrmClient("http://osrm.test/", transport=httpx.MockTransport(handler), **options)


async def test_route_asks_the_route_service_in_lon_lat_order_and_reads_the_documented_answer():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=ROUTE_BODY)

    async with client_answering(handler) as client:
        route = await client.route([CHILDRENS_PALACE, HISTORY_MUSEUM, INDOCHINA_UNIVERSITY], "car")

    assert seen[0].url.path == "/route/v1/car/105.854700,21.026400;105.859700,21.024650;105.858200,21.021800"
    assert dict(seen[0].url.params) == {"overview": "full", "geometries": "geojson"}
    assert route is not None
    assert (route.distance_m, route.duration_s) == (1214.5, 223.2)
    assert route.legs == (EngineLeg(812.4, 143.2), EngineLeg(402.1, 80.0))
    assert route.path[0] == LatLon(21.026389, 105.854712) and route.path[-1] == LatLon(21.0219, 105.8583)
    # Waypoints come back in request order, snapped: each is the one nearest its requested point.
    assert route.waypoints == (
        LatLon(21.026389, 105.854712),
        LatLon(21.024663, 105.859689),
        LatLon(21.0219, 105.8583),
    )


async def test_table_asks_for_durations_and_distances_and_keeps_row_major_order():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=TABLE_BODY)

    async with client_answering(handler) as client:
        table = await client.table([CHILDRENS_PALACE, HISTORY_MUSEUM], "walk")

    assert seen[0].url.path == "/table/v1/foot/105.854700,21.026400;105.859700,21.024650"
    assert dict(seen[0].url.params) == {"annotations": "duration,distance"}
    assert table is not None
    # durations[i][j]: from the i-th point to the j-th.
    assert table.durations_s[0][1] == 143.2 and table.durations_s[1][0] == 151.7
    assert table.distances_m[0][1] == 812.4 and table.distances_m[1][0] == 860.3
    assert table.waypoints == (LatLon(21.026389, 105.854712), LatLon(21.024663, 105.859689))


async def test_a_pair_without_route_is_none_in_the_table():
    body = {**TABLE_BODY, "durations": [[0, None], [151.7, 0]], "distances": [[0, None], [860.3, 0]]}
    async with client_answering(lambda request: httpx.Response(200, json=body)) as client:
        table = await client.table([CHILDRENS_PALACE, HISTORY_MUSEUM], "car")
    assert table is not None and table.durations_s[0][1] is None and table.distances_m[0][1] is None


@pytest.mark.parametrize(
    ("mode", "profile"), [("walk", "foot"), ("bicycle", "bike"), ("motorbike", "car"), ("car", "car"), ("bus", "car")]
)
async def test_modes_map_to_osrm_profiles(mode, profile):
    assert PROFILE_FOR_MODE[mode] == profile
    paths: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        return httpx.Response(200, json=ROUTE_BODY)

    async with client_answering(handler) as client:
        await client.route([CHILDRENS_PALACE, HISTORY_MUSEUM], mode)
    assert paths[0].startswith(f"/route/v1/{profile}/")


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(400, json={"code": "InvalidQuery", "message": "Query string malformed close to position 28"}),
        httpx.Response(200, json={"code": "NoRoute", "message": "Impossible route between points"}),
        httpx.Response(200, json={"code": "NoSegment", "message": "Could not find a matching segment"}),
        httpx.Response(503, text="upstream unavailable"),
        httpx.Response(200, text="<html>not json</html>"),
        httpx.Response(200, json={"code": "Ok", "routes": [{"legs": "nope"}]}),
        httpx.Response(200, json={"code": "Ok", "routes": [], "waypoints": []}),
    ],
)
async def test_any_refusal_or_odd_answer_gives_none(response):
    async with client_answering(lambda request: response) as client:
        assert await client.route([CHILDRENS_PALACE, HISTORY_MUSEUM], "car") is None
        assert await client.table([CHILDRENS_PALACE, HISTORY_MUSEUM], "car") is None


async def test_an_answer_of_another_shape_than_asked_gives_none():
    three_waypoints = httpx.Response(200, json=ROUTE_BODY)
    async with client_answering(lambda request: three_waypoints) as client:
        assert await client.route([CHILDRENS_PALACE, HISTORY_MUSEUM], "car") is None
    async with client_answering(lambda request: httpx.Response(200, json=TABLE_BODY)) as client:
        assert await client.table([CHILDRENS_PALACE, HISTORY_MUSEUM, INDOCHINA_UNIVERSITY], "car") is None


async def test_a_table_router_without_distances_gives_none():
    body = {"code": "NotImplemented", "message": "Distance Table is not implemented for MLD"}
    async with client_answering(lambda request: httpx.Response(400, json=body)) as client:
        assert await client.table([CHILDRENS_PALACE, HISTORY_MUSEUM], "car") is None


@asynccontextmanager
async def tiny_server(delay_s: float, body: dict) -> AsyncIterator[str]:
    """A real HTTP/1.1 server on 127.0.0.1 that answers every request with `body` after `delay_s`."""

    handlers: set[asyncio.Task] = set()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handlers.add(asyncio.current_task())
        try:
            await reader.readuntil(b"\r\n\r\n")
            await asyncio.sleep(delay_s)
            payload = json.dumps(body).encode()
            head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
            writer.write(head.encode() + payload)
            await writer.drain()
        finally:
            writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        for handler in handlers:
            handler.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        await server.wait_closed()


async def test_a_real_server_answers_through_the_whole_stack():
    async with tiny_server(0.0, TABLE_BODY) as url, OsrmClient(url, timeout_s=2.0) as client:
        table = await client.table([CHILDRENS_PALACE, HISTORY_MUSEUM], "car")
    assert table is not None and table.durations_s == ((0, 143.2), (151.7, 0))


async def test_a_slow_server_gives_none_within_the_timeout():
    async with tiny_server(5.0, ROUTE_BODY) as url, OsrmClient(url, timeout_s=0.3) as client:
        began = time.monotonic()
        assert await client.route([CHILDRENS_PALACE, HISTORY_MUSEUM], "car") is None
        assert time.monotonic() - began < 2.0


async def test_an_unreachable_server_gives_none():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with OsrmClient(f"http://127.0.0.1:{port}", timeout_s=1.0) as client:
        assert await client.route([CHILDRENS_PALACE, HISTORY_MUSEUM], "walk") is None
        assert await client.table([CHILDRENS_PALACE, HISTORY_MUSEUM], "walk") is None


async def test_a_route_needs_two_points():
    async with client_answering(lambda request: httpx.Response(200, json=ROUTE_BODY)) as client:
        with pytest.raises(ValueError):
            await client.route([CHILDRENS_PALACE], "car")
