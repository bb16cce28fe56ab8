"""Never block: the slowest answer of a cheap route while everything derived from the programme rebuilds.

A real `lehoi serve` on SQLite holds a synthetic festival at city size (`lehoi generate-festival`: 950 venues,
1,400 events) and at twice that. After one venue is renamed, the snapshot and its search index, the iCalendar and
frab XML exports, the GeoJSON and the offline bundle all rebuild; meanwhile GET /health and GET /api/festival are
each asked every 50 ms. Goal: the slowest of those answers <= 250 ms at both sizes. Printed beside it, as the
baseline measured in the same run, how long the rebuild took (what a request would have waited behind a build on
the event loop).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import harness  # noqa: F401 - puts the repository on sys.path

from tests.support.city import city_server
from tests.support.rebuild import poll_during_rebuild

SIZES = [(950, 1400), (1900, 2800)]
GOAL_S = 0.25

#: a fixed festival clock, so nothing but the edit changes the programme while it is watched
FESTIVAL_NOW = "fixed:2024-11-12T10:00+07:00"


def main() -> None:
    for venues, events in SIZES:
        workdir = Path(tempfile.mkdtemp(prefix="lehoi-bench-rebuild-"))
        server = city_server(workdir, venues, events, now=FESTIVAL_NOW)
        try:
            for path in ("/health", "/api/festival"):
                r = poll_during_rebuild(server, path)
                waits = sorted(r.waits)
                median = waits[len(waits) // 2] if waits else 0.0
                print(
                    f"{venues} venues, {events} events, {path} every 50 ms during the rebuild: {r.answers} answers, "
                    f"median {median * 1000:.0f} ms, slowest {r.slowest_s * 1000:.0f} ms, {r.failures} failed | "
                    f"rebuild took {r.rebuilt_s * 1000:.0f} ms | slowest/rebuild {r.slowest_s / r.rebuilt_s:.2f}  "
                    f"(target slowest <= {GOAL_S * 1000:.0f} ms: {'ok' if r.slowest_s <= GOAL_S else 'MISSED'})",
                    flush=True,
                )
        finally:
            server.stop()
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
