"""A replay of OSRM's documented HTTP answers (tests/data/osrm/, see its README), served on 127.0.0.1.

Not a live OSRM: no routing happens here. A GET is parsed as osrm-routed parses it, `/{service}/v1/{profile}/
{lon,lat;...}?options`, and answered with the recorded exchange whose request means the same: the same service,
coordinates (to OSRM's 6 decimals) and options, options left out taking OSRM's documented defaults, and
`annotations` in any order. The profile is not compared: a stock osrm-routed serves the one profile it was
prepared with whatever the URL says. Otherwise it answers as osrm-routed does: 400 `InvalidUrl` for a path it
cannot parse, 400 `InvalidService` or `InvalidVersion`; and 404 `NotRecorded` for a well-formed request the
set holds no answer to (a live OSRM would compute one). `answer` names a recorded error given to every request
instead; `delay_s` makes every answer late.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.support.fake_osrm import serving

EXCHANGES = Path(__file__).resolve().parent.parent / "data" / "osrm" / "exchanges.json"
SERVICES = {"route", "table", "nearest", "match", "trip", "tile"}
#: the options lehoi's client sends, with OSRM's defaults when left out (http.md, "Route service", "Table service")
DEFAULTS = {
    "route": {"overview": "simplified", "geometries": "polyline"},
    "table": {"annotations": "duration"},
}

Key = tuple[str, tuple[tuple[float, float], ...], frozenset[tuple[str, str]]]


def recorded() -> dict[str, dict]:
    """The recorded exchanges by name."""
    return {e["name"]: e for e in json.loads(EXCHANGES.read_text())["exchanges"]}


def request_key(service: str, coordinates: str, query: dict[str, list[str]]) -> Key | None:
    """What a request means to OSRM, or None if its coordinates do not parse."""
    try:
        points = tuple(
            (round(float(lon), 6), round(float(lat), 6))
            for lon, lat in (pair.split(",") for pair in coordinates.split(";"))
        )
    except ValueError:
        return None
    options = {**DEFAULTS.get(service, {}), **{name: values[-1] for name, values in query.items()}}
    if "annotations" in options:
        options["annotations"] = ",".join(sorted(options["annotations"].split(",")))
    return service, points, frozenset(options.items())


def invalid_url(path: str) -> tuple[int, dict]:
    """osrm-routed's answer to a path it cannot parse; the replay does not find the position, so names the start."""
    return 400, {"code": "InvalidUrl", "message": f'URL string malformed close to position 0: "{path[:3]}"'}


class OsrmReplay:
    def __init__(self, answer: str | None = None, delay_s: float = 0.0) -> None:
        self.exchanges = recorded()
        self.forced = None if answer is None else self.exchanges[answer]
        self.delay_s = delay_s
        self.requests: list[tuple[str, dict[str, list[str]]]] = []
        self.url = ""
        self._by_request: dict[Key, dict] = {}
        for exchange in self.exchanges.values():
            if exchange["request"] is not None:
                split = urlsplit(exchange["request"])
                service, _version, _profile, coordinates = split.path.strip("/").split("/")
                self._by_request[request_key(service, coordinates, parse_qs(split.query))] = exchange

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, dict]:
        self.requests.append((path, query))
        if self.forced is not None:
            return self.forced["status"], self.forced["response"]
        parts = path.strip("/").split("/")
        if len(parts) != 4:
            return invalid_url(path)
        service, version, _profile, coordinates = parts
        if service not in SERVICES:
            return 400, {"code": "InvalidService", "message": f"Service {service} not found!"}
        if version != "v1":
            return 400, {"code": "InvalidVersion", "message": f"Service {service} not found!"}
        key = request_key(service, coordinates, query)
        if key is None:
            return invalid_url(path)
        exchange = self._by_request.get(key)
        if exchange is None:
            return 404, {"code": "NotRecorded", "message": "the recorded set holds no answer to this request"}
        return exchange["status"], exchange["response"]


@contextmanager
def osrm_replay(answer: str | None = None, delay_s: float = 0.0) -> Iterator[OsrmReplay]:
    """An OsrmReplay serving on 127.0.0.1 (its `url`) for the duration of the block."""
    with serving(OsrmReplay(answer, delay_s)) as replay:
        yield replay
