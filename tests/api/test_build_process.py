"""The build process (server/apart.py) never outlives its server: a server killed outright (SIGKILL: no shutdown runs)
leaves no build process behind to hold memory on the host."""

from __future__ import annotations

import os
import time

import httpx

from tests.support.live_server import LiveServer
from tests.support.processes import alive, children


def test_a_killed_server_leaves_no_build_process(tmp_path):
    server = LiveServer(tmp_path)
    server.start()
    try:
        # the calendar is built in the build process (started by the first build: the bundle's, at start-up)
        assert httpx.get(server.url + "/api/programme.ics", timeout=60).status_code == 200
        builders = children(server.process.pid)
        assert builders, "the calendar was built without a build process"
        server.kill()
    finally:
        server.stop()
    deadline = time.monotonic() + 30  # it looks for its parent once a second
    while any(alive(pid) for pid in builders) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = [pid for pid in builders if alive(pid)]
    for pid in left:
        os.kill(pid, 9)
    assert not left, f"build processes {left} outlived their server"
