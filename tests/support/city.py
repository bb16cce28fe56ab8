"""A live server holding a generated city-sized festival instead of the demo: `lehoi generate-festival` writes it
and `lehoi load-fixtures` loads it before `lehoi serve` starts (which then finds the database not empty)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.live_server import ROOT, LiveServer


def city_server(workdir: Path, venues: int = 950, events: int = 1400, **options) -> LiveServer:
    """A started LiveServer (keyword options as LiveServer's) whose festival has `venues` venues and `events` events."""
    server = LiveServer(workdir, **options)
    festival = workdir / f"city-{venues}.json"
    for command in (
        ["generate-festival", "--venues", str(venues), "--events", str(events), "--out", str(festival)],
        ["migrate"],
        ["load-fixtures", str(festival)],
    ):
        subprocess.run(
            [sys.executable, "-m", "server.cli", *command], cwd=ROOT, env=server.env, check=True, capture_output=True
        )
    server.start()
    return server
