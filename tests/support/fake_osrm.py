"""A fake OSRM server on 127.0.0.1 for API tests, answering the `route` and `table` services in OSRM's
documented shapes (http.md in the docs of Project-OSRM/osrm-backend, as in tests/unit/test_wayfinding_osrm.py).

It runs in its own threads: Litestar's test client blocks the test's event loop while the app handles a
request, so a server on that loop would never answer. Its streets are an L between two points (east-west
first, then north-south), driven at a fixed speed per profile, so tests can tell its figures and lines
from the estimate's. `delay_s` makes it slow; `reply` replaces every answer (for refusals and nonsense).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol, TypeVar
from urllib.parse import parse_qs, urlsplit

from server.wayfinding.travel import LatLon, distance_m
from tests.unit.test_wayfinding_osrm import waypoint

_Fake = TypeVar("_Fake", bound="JsonServer")

#: metres per second by OSRM profile
SPEEDS = {"foot": 1.5, "bike": 4.0, "car": 9.0}


def corner(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    """The L's corner between [lon, lat] positions: east-west first."""
    return (b[0], a[1])


def street_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The length of the L from a to b."""
    c = corner(a, b)
    return distance_m(LatLon(a[1], a[0]), LatLon(c[1], c[0])) + distance_m(LatLon(c[1], c[0]), LatLon(b[1], b[0]))


def seconds(a: tuple[float, float], b: tuple[float, float], profile: str) -> float:
    return street_m(a, b) / SPEEDS[profile]


class FakeOsrm:
    def __init__(self, delay_s: float = 0.0, reply: tuple[int, dict | str] | None = None) -> None:
        self.delay_s = delay_s
        self.reply = reply
        self.requests: list[tuple[str, dict[str, list[str]]]] = []
        self.url = ""

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, dict | str]:
        self.requests.append((path, query))
        if self.reply is not None:
            return self.reply
        parts = path.strip("/").split("/")
        if len(parts) != 4 or parts[1] != "v1" or parts[2] not in SPEEDS:
            return 400, {"code": "InvalidUrl", "message": f"URL string malformed close to position 1: {path}"}
        service, profile = parts[0], parts[2]
        try:
            points = [tuple(float(x) for x in pair.split(",")) for pair in parts[3].split(";")]
        except ValueError:
            return 400, {"code": "InvalidQuery", "message": "Query string malformed"}
        snapped = [waypoint(lon, lat, "phố") for lon, lat in points]
        if service == "route":
            coordinates = [list(points[0])]
            legs = []
            for a, b in zip(points, points[1:], strict=False):
                coordinates += [list(corner(a, b)), list(b)]
                metres = street_m(a, b)
                legs.append(
                    {
                        "steps": [],
                        "summary": "",
                        "weight": metres,
                        "duration": metres / SPEEDS[profile],
                        "distance": metres,
                    }
                )
            route = {
                "geometry": {"type": "LineString", "coordinates": coordinates},
                "legs": legs,
                "weight_name": "routability",
                "weight": sum(leg["weight"] for leg in legs),
                "duration": sum(leg["duration"] for leg in legs),
                "distance": sum(leg["distance"] for leg in legs),
            }
            return 200, {"code": "Ok", "routes": [route], "waypoints": snapped}
        if service == "table":
            return 200, {
                "code": "Ok",
                "sources": snapped,
                "destinations": snapped,
                "durations": [[seconds(a, b, profile) for b in points] for a in points],
                "distances": [[street_m(a, b) for b in points] for a in points],
            }
        return 400, {"code": "InvalidService", "message": f"Service {service} not found!"}

    def services(self) -> list[str]:
        return [path.strip("/").split("/")[0] for path, _ in self.requests]


class JsonServer(Protocol):
    """What `serving` needs of a fake: an answer per request, a delay before each, and a place for its URL."""

    delay_s: float
    url: str

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, dict | str]: ...


@contextmanager
def fake_osrm(delay_s: float = 0.0, reply: tuple[int, dict | str] | None = None) -> Iterator[FakeOsrm]:
    """A FakeOsrm serving on 127.0.0.1 (its `url`) for the duration of the block."""
    with serving(FakeOsrm(delay_s, reply)) as fake:
        yield fake


@contextmanager
def serving(fake: _Fake) -> Iterator[_Fake]:
    """`fake` answering HTTP GETs on 127.0.0.1 in its own threads, its `url` set, for the duration of the block."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            split = urlsplit(self.path)
            status, body = fake.answer(split.path, parse_qs(split.query))
            if fake.delay_s:
                time.sleep(fake.delay_s)
            payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:  # the client gave up waiting
                pass

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
