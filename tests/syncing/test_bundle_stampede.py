"""A stampede: a thousand phones ask for the offline bundle at the moment a new programme version arrives, on a
city-sized festival. The process builds that version's bundle once (the server logs each build), everyone is
answered (the previous bundle while the new one builds), and a cheap route polled all the while keeps answering:
nobody waits on the event loop."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import httpx
import pytest

from server.programme.generate import encode, generate
from tests.support.live_server import ROOT, LiveServer

PHONES = 1000
BUILT = re.compile(r"process (\d+) built the offline bundle of version (\d+) in ([\d.]+) s")


def builds(server: LiveServer) -> list[tuple[str, int]]:
    """(process, version) of every bundle build the server's log tells of, in order."""
    text = server.log_path.read_text(errors="replace")
    return [(pid, int(version)) for pid, version, _ in BUILT.findall(text)]


def build_seconds(server: LiveServer, version: int) -> float:
    text = server.log_path.read_text(errors="replace")
    return max(float(s) for _, v, s in BUILT.findall(text) if int(v) == version)


@pytest.mark.slow
def test_a_thousand_phones_at_a_new_version_make_one_build_and_the_loop_keeps_answering(tmp_path):
    path = tmp_path / "city.json"
    path.write_bytes(encode(generate(950, 1400, seed=11)))
    server = LiveServer(tmp_path)
    server.cli("migrate", timeout=300).check_returncode()
    server.cli("load-fixtures", str(path), timeout=300).check_returncode()
    server.start(timeout=120)
    try:
        http = httpx.Client(base_url=server.url, timeout=60)
        first = http.get("/api/sync/bundle", headers={"accept-encoding": "br"})
        assert first.status_code == 200
        old_etag = first.headers["etag"]
        old = http.get("/api/festival").json()["version"]
        assert builds(server) == [(str(server.process.pid), old)]

        stampede = subprocess.Popen(
            [sys.executable, "-m", "tests.support.stampede", server.url, "/api/sync/bundle", str(PHONES)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert stampede.stdout.readline().strip() == "ready"
            event = http.get("/api/events").json()[0]["id"]
            edited = http.patch(f"/api/events/{event}", json={"capacity": 9}, headers=server.organiser())
            assert edited.status_code == 200, edited.text
            deadline = time.monotonic() + 30
            while (new := http.get("/api/festival").json()["version"]) == old:
                assert time.monotonic() < deadline, "the edit never reached the snapshot"
                time.sleep(0.05)
            # the moment the new version is there, every phone asks for its bundle at once
            stampede.stdin.write("go\n")
            stampede.stdin.flush()
            went = time.monotonic()
            polled, slowest = 0, 0.0
            while stampede.poll() is None:
                began = time.monotonic()
                assert http.get("/api/festival").status_code == 200
                slowest = max(slowest, time.monotonic() - began)
                polled += 1
                time.sleep(0.05)
            answers = json.loads(stampede.stdout.read())
            lasted = time.monotonic() - went
        finally:
            if stampede.poll() is None:
                stampede.kill()
        assert answers["statuses"] == {"200": PHONES}, answers
        deadline = time.monotonic() + 60
        while (latest := http.get("/api/sync/bundle", headers={"accept-encoding": "br"})).headers["etag"] == old_etag:
            assert time.monotonic() < deadline, "the new bundle never came"
            began = time.monotonic()  # the build may outlast the stampede: the poller goes on until it ends
            assert http.get("/api/festival").status_code == 200
            slowest = max(slowest, time.monotonic() - began)
            polled += 1
            time.sleep(0.05)
        # each phone got the previous bundle (while the new one was being built) or the new one, nothing else
        assert set(answers["etags"]) <= {old_etag, latest.headers["etag"]}, answers["etags"]
        pid = str(server.process.pid)
        assert builds(server) == [(pid, old), (pid, new)], "one build per version in this process"
        # The poller was answered all along, a thousand bundles sent and the new one built meanwhile: a loop held by
        # the build would have kept it waiting for about the whole build (the same bound as test_city_scale's).
        built_in = build_seconds(server, new)
        assert polled >= 3, (polled, lasted)
        assert slowest <= max(0.5, built_in / 2), (
            f"/api/festival took {slowest:.2f} s during the {lasted:.2f} s stampede and the {built_in:.2f} s build"
        )
        assert "Traceback" not in server.log()
        http.close()
    finally:
        server.stop()
