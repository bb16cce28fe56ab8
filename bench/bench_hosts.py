"""Several hosts on one PostgreSQL: how reads scale from one server process to two, how soon an edit through one
host shows on another, and what nginx serving the bundle files takes off lehoi.

Needs PostgreSQL: HOSTS_POSTGRES_URL (or LEHOI_DATABASE_URL) names a server and database beside which the bench
makes a throwaway database; without one it says so and measures nothing.

1. Reads, one process against two: two deployments' worth of `lehoi serve` on the same database, one with
   `--workers 1`, one with `--workers 2`; wrk (one thread: on a 2-core machine the load generator needs a core's
   share too) plays each read path against each in turn, twice, and the best of each is compared. Goal: two
   processes >= 1.6x one.
   Each worker listens on a socket of its own (SO_REUSEPORT, server/workers.py) so the kernel spreads wrk's
   connections over them; the bench prints how they were spread. On a shared 2-core machine the ratio also
   measures what else runs: wrk (one thread, so it takes at most one core's share), the other engineers' runs. So
   each run also prints what load hardly distorts: the server processes' CPU time per 1,000 answers (from /proc,
   every process of the server: workers, supervisor, build process) and wrk's own CPU. Two workers that cost no
   more CPU per answer than one scale with the cores they are given.
   Then the same reads through nginx (docs/nginx.conf) to one host, then to two hosts (two `lehoi serve
   --workers 1` on the same database).
2. An edit through one host (PATCH an event) until the other's GET /api/festival shows its version, ten times.
3. The bundle, by digest from nginx (docs/nginx.conf) against GET /api/sync/bundle from lehoi, both brotli.
BENCH_SECONDS sets each wrk run's length (default 8); HOSTS_CONNECTIONS the connections (default 64).
"""

from __future__ import annotations

import collections
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from harness import DURATION_S, wrk

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.live_server import LiveServer  # noqa: E402
from tests.support.nginx import Nginx, nginx_binary  # noqa: E402
from tests.support.processes import cpu_seconds, process_tree  # noqa: E402

CONNECTIONS = int(os.environ.get("HOSTS_CONNECTIONS", "64"))
READS = [
    ("GET /api/festival", "/api/festival", {}),
    ("GET /api/events?day=2024-11-12", "/api/events?day=2024-11-12", {}),
    ("GET /api/sync/bundle (br)", "/api/sync/bundle", {"Accept-Encoding": "br"}),
]


def spread(port: int) -> str:
    """How many of the connections to `port` each server process holds (ss), as "a+b"."""
    out = subprocess.run(
        ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"], capture_output=True, text=True
    )
    counts = sorted(collections.Counter(re.findall(r"pid=(\d+)", out.stdout)).values(), reverse=True)
    return "+".join(map(str, counts)) or "?"


def server_cpu(servers) -> float:
    """CPU seconds used so far by every process of `servers` (user + system)."""
    return cpu_seconds([pid for server in servers for pid in process_tree(server.process.pid)])


def wrk_cpu() -> float:
    """CPU seconds used so far by this process's ended children (each wrk run)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def reads(label: str, urls: tuple[str, str], names: tuple[str, str], servers, direct: bool = True) -> None:
    """Each read path against urls[0] and urls[1] in turn, twice; the best of each, and their ratio, and for each
    the CPU ms per 1,000 answers of the lehoi processes behind it (`servers`) and of wrk (and, when wrk talks to
    lehoi `direct`ly, how its connections were spread over the processes)."""
    print(f"{label}, wrk -t1 -c{CONNECTIONS}, {DURATION_S} s a run, best of two each, interleaved:", flush=True)
    for name, path, headers in READS:
        best: list = [None, None]
        spreads = ["", ""]
        costs = ["", ""]
        per_answer = [0.0, 0.0]  # CPU ms per 1,000 answers of lehoi and wrk together, of each best run
        for _ in range(2):
            for i, url in enumerate(urls):
                port = int(url.rsplit(":", 1)[1])
                found: list[str] = []
                watch = threading.Timer(DURATION_S / 2, lambda p=port, f=found: f.append(spread(p)))
                watch.start()
                before = server_cpu(servers[i]), wrk_cpu()
                load = wrk(url + path, connections=CONNECTIONS, headers=headers)
                answers = load.rps * DURATION_S / 1000
                cost = (server_cpu(servers[i]) - before[0]) / answers * 1000, (wrk_cpu() - before[1]) / answers * 1000
                watch.join()
                if best[i] is None or load.rps > best[i].rps:
                    best[i], spreads[i] = load, found[0] if found else "?"
                    costs[i] = f"lehoi {cost[0]:.0f} + wrk {cost[1]:.0f} CPU ms per 1,000"
                    per_answer[i] = cost[0] + cost[1]
        ratio = best[1].rps / best[0].rps
        # what the machine's cores allow the second run at its own CPU per answer (lehoi's and wrk's alike), against
        # the first run's rate: a ratio near this is the cores' limit, not the server's
        ceiling = (os.cpu_count() or 1) * 1e6 / per_answer[1] / best[0].rps if per_answer[1] else 0.0
        spread_note = f" (connections per process {spreads[1]})" if direct else ""
        print(
            f"  {name}: {names[0]} {best[0]} ({costs[0]}); {names[1]} {best[1]} ({costs[1]}){spread_note}; "
            f"{ratio:.2f}x (goal >= 1.6x; {os.cpu_count()} cores at these costs allow {ceiling:.2f}x); "
            f"{best[0].errors + best[1].errors} errors; load {os.getloadavg()[0]:.1f}",
            flush=True,
        )


def edit_lag(writer, reader) -> None:
    event = httpx.get(writer.url + "/api/events").json()[0]
    lags = []
    with httpx.Client(base_url=reader.url) as http:
        for n in range(10):
            title = {"vi": f"Sửa {n}", "en": f"Edit {n}"}
            httpx.patch(f"{writer.url}/api/events/{event['id']}", json={"title": title}, headers=writer.organiser())
            written = time.monotonic()
            version = httpx.get(writer.url + "/api/festival").json()["version"]
            while http.get("/api/festival").json()["version"] < version:
                time.sleep(0.005)
            lags.append(time.monotonic() - written)
            time.sleep(0.3)  # edits apart, so each meets the reader's half-second poll at a different moment
    print(
        f"an edit through one host shown by the other: median {statistics.median(lags):.2f} s, "
        f"worst {max(lags):.2f} s of 10 (goal <= 1 s)",
        flush=True,
    )


def nginx_bundle(server, workdir: Path) -> None:
    if nginx_binary() is None:
        print("nginx is missing: the bundle through nginx was not measured (apt-get install nginx-light)")
        return
    nginx = Nginx(workdir / "nginx", [f"127.0.0.1:{server.port}"], server.data_dir)
    try:
        answer = httpx.get(server.url + "/api/sync/bundle", headers={"Accept-Encoding": "br"})
        digest = answer.headers["etag"].strip('"').removesuffix("-br")
        br = {"Accept-Encoding": "br"}
        lehoi = wrk(server.url + "/api/sync/bundle", connections=CONNECTIONS, headers=br)
        static = wrk(f"{nginx.url}/bundles/bundle-{digest}.json", connections=CONNECTIONS, headers=br)
        print(
            f"the bundle ({answer.headers['content-length']} B br): lehoi {lehoi}; nginx by digest {static}; "
            f"{static.rps / lehoi.rps:.2f}x",
            flush=True,
        )
    finally:
        nginx.stop()


def main() -> None:
    base = os.environ.get("HOSTS_POSTGRES_URL") or os.environ.get("LEHOI_DATABASE_URL", "")
    if not base.startswith(("postgresql://", "postgres://")):
        print(
            "skipped: set HOSTS_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/<db> (several hosts need PostgreSQL)"
        )
        return
    os.environ["LEHOI_DATABASE_URL"] = base  # LiveServer makes its throwaway database beside this one
    print(f"load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (shared)", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="lehoi-hosts-"))
    one = LiveServer(workdir)
    two = LiveServer(workdir, host_of=one, args=("--workers", "2"))
    other = LiveServer(workdir, host_of=one)
    balancers = []
    try:
        for server in (one, two, other):
            server.start(120)
        reads(
            "reads from one server process to two", (one.url, two.url), ("--workers 1", "--workers 2"), ([one], [two])
        )
        if nginx_binary() is not None:
            upstreams = [f"127.0.0.1:{one.port}"], [f"127.0.0.1:{one.port}", f"127.0.0.1:{other.port}"]
            balancers = [Nginx(workdir / f"nginx{i}", u, one.data_dir) for i, u in enumerate(upstreams)]
            urls = (balancers[0].url, balancers[1].url)
            hosts = ([one], [one, other])
            reads("reads through nginx from one host to two", urls, ("one host", "two hosts"), hosts, direct=False)
        edit_lag(one, other)
        nginx_bundle(one, workdir)
    finally:
        for balancer in balancers:
            balancer.stop()
        for server in (other, two, one):
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
