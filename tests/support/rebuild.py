"""A city-sized festival behind a real `lehoi serve`, and a cheap route polled while everything derived from the
programme rebuilds after an edit: the slowest answer says whether anything held up the event loop.

Shared by tests/api/test_never_block.py (which bounds it) and bench/bench_rebuild.py (which reports it).
"""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass, field

import httpx

from tests.support.live_server import LiveServer

#: what an edit must reach before the rebuild counts as done: (path, request headers)
DERIVED = [
    ("/api/programme.ics", {}),
    ("/api/schedule.xml", {}),
    ("/api/venues.geojson", {}),
    ("/api/search?q=", {}),
    ("/api/sync/bundle", {"accept-encoding": "identity"}),
]


@dataclass
class Rebuild:
    #: seconds from the edit until every derived answer carried it
    rebuilt_s: float
    #: the polled route's answers meanwhile, and the slowest of them in seconds
    answers: int
    slowest_s: float
    failures: int
    waits: list[float] = field(default_factory=list)


def poll_during_rebuild(server: LiveServer, path: str = "/health", interval_s: float = 0.05) -> Rebuild:
    """Rename a venue, then ask for every derived answer until each carries the new name (the search index, the
    exports, the bundle), while another process asks for `path` every `interval_s` and times each answer."""
    venue = httpx.get(server.url + "/api/venues", timeout=60).json()[0]
    organiser = server.organiser()  # signed in before: what is timed is the rebuild
    for derived, headers in DERIVED:  # everything built at the current version first
        httpx.get(
            server.url + derived + (venue["name"]["en"] if derived.endswith("q=") else ""), headers=headers, timeout=60
        ).raise_for_status()
    # the poller is a process of its own: in a thread it would share this process's interpreter lock with the loop
    # below, which decodes multi-megabyte exports, and time that lock's waits as the server's (a 460 ms "slowest
    # answer" in one bench run that the server's own log did not show)
    spawn = multiprocessing.get_context("spawn")
    stop = spawn.Event()
    results = spawn.Queue()
    poller = spawn.Process(target=_poll, args=(server.url, path, interval_s, stop, results), daemon=True)
    poller.start()
    try:
        if not results.get(timeout=60):  # the poller's first answer: it is running
            raise AssertionError(f"{path} did not answer before the edit")
        time.sleep(5 * interval_s)
        marker = f"Renamed {time.monotonic_ns()}"
        edited = time.monotonic()
        httpx.patch(
            server.url + f"/api/venues/{venue['id']}",
            json={"name": {"vi": marker, "en": marker}},
            headers=organiser,
            timeout=60,
        ).raise_for_status()
        pending = dict(DERIVED)
        with httpx.Client(base_url=server.url, timeout=60) as http:
            deadline = edited + 120
            while pending and time.monotonic() < deadline:
                for derived, headers in list(pending.items()):
                    url = derived + (marker if derived.endswith("q=") else "")
                    if marker.encode() in http.get(url, headers=headers).content:
                        del pending[derived]
                time.sleep(interval_s)
        rebuilt = time.monotonic()
        time.sleep(5 * interval_s)
    finally:
        stop.set()
    waits, failures = results.get(timeout=60)
    poller.join(timeout=60)
    if pending:
        raise AssertionError(f"still without the edit after 120 s: {sorted(pending)}")
    during = [took for asked, took in waits if edited <= asked <= rebuilt]
    return Rebuild(
        rebuilt_s=rebuilt - edited,
        answers=len(during),
        slowest_s=max(during, default=0.0),
        failures=failures,
        waits=during,
    )


def _poll(url: str, path: str, interval_s: float, stop, results) -> None:
    """Ask for `path` every `interval_s` until `stop` is set; put True after the first answer, then the list of
    (when it was asked, how long the answer took), in monotonic seconds (one clock for every process), and the
    count of failures."""
    waits: list[tuple[float, float]] = []
    failures = 0
    with httpx.Client(base_url=url, timeout=30) as http:
        while not stop.is_set():
            asked = time.monotonic()
            try:
                ok = http.get(path).status_code == 200
            except httpx.HTTPError:
                ok = False
            took = time.monotonic() - asked
            if not waits:
                results.put(ok)
            waits.append((asked, took))
            failures += not ok
            stop.wait(max(0.0, interval_s - took))
    results.put((waits, failures))
