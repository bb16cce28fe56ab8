"""A real `lehoi serve` holding a generated city-sized festival instead of the demo, as an operator would set it up:
`lehoi generate-festival`, `lehoi migrate`, `lehoi load-fixtures FILE`, then serve (the demo goes only into an
empty database)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.live_server import ROOT, LiveServer


def lehoi(server: LiveServer, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        cwd=ROOT,
        env=server.env,
        check=True,
        capture_output=True,
        timeout=600,
    )


def city_server(workdir: Path, venues: int = 950, events: int = 1400, **kwargs) -> tuple[LiveServer, dict]:
    """A started LiveServer with a festival of `venues` and `events`, and that festival file's content."""
    path = workdir / f"city-{venues}-{events}.json"
    server = LiveServer(workdir, **kwargs)
    lehoi(server, "generate-festival", "--venues", str(venues), "--events", str(events), "--out", str(path))
    lehoi(server, "migrate")
    lehoi(server, "load-fixtures", str(path))
    server.start(timeout=300)  # it imports the demo streets first, slow on a busy machine
    return server, json.loads(path.read_text())
