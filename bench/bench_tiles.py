"""The offline basemap under load: random 16 KB ranges of the PMTiles archive, as a phone's map reads tiles,
through `lehoi serve` and through nginx serving the same file from a temporary config, in the same run.

Target: a tile request's p99 through lehoi at least 0.5x nginx's on the same bytes (nginx p99 / lehoi p99 >= 0.5),
measured as phones load a map: a browser holds at most 6 connections to one host, so 6 connections, each
waiting PACE_MS after an answer, send at a set pace well below either server's capacity; the p99 is then the
time to answer one tile, not the length of a queue. Beside it, for each server: p50, p99 and req/s, and the
same 6 connections sending as fast as answered (one phone's burst).

Also printed: saturation with 32 busy connections, where each p99 is mostly connections ÷ throughput and the
scheduler's, so its ratio swings widely from run to run and says little about one phone's wait; the archive's
size (target: at most 3 MB); and a bare ASGI app sending one fixed 16 KB answer, the floor of any Python server
here. Every load runs the same Lua script (its per-request cost is wrk's, on the same cores).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

import httpx
from harness import DURATION_S, ROOT, _ms, bare_server, lehoi_server, wait_until_answering, wrk

from tests.support.live_server import free_port

ARCHIVE = ROOT / "fixtures" / "osm" / "hanoi-centre.pmtiles"
PATH = "/tiles/hanoi-centre.pmtiles"
SCRIPT = Path(__file__).resolve().parent / "ranges.lua"
#: the connections a browser opens to one host
PHONE_CONNECTIONS = 6
#: each connection's pause between an answer and its next request: about 6 x 1000 / 30 = 200 requests a second
PACE_MS = 30
NGINX_CONF = """
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    types {{ application/vnd.pmtiles pmtiles; }}
    server {{
        listen 127.0.0.1:{port};
        root {prefix}/www;
    }}
}}
"""


@contextmanager
def nginx_server():
    """nginx (one worker, like one lehoi process) serving a copy of the archive at the same path."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    prefix = Path(tempfile.mkdtemp(prefix="lehoi-bench-nginx-"))
    prefix.chmod(0o755)  # started as root, nginx's worker reads as an unprivileged user
    (prefix / "www" / "tiles").mkdir(parents=True)
    shutil.copyfile(ARCHIVE, prefix / "www" / "tiles" / ARCHIVE.name)
    port = free_port()
    (prefix / "nginx.conf").write_text(NGINX_CONF.format(prefix=prefix, port=port))
    process = subprocess.Popen([nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf")], stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(url + PATH)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(prefix, ignore_errors=True)


def _check(url: str) -> None:
    response = httpx.get(url + PATH, headers={"range": "bytes=100-16483"})
    assert response.status_code == 206 and response.content == ARCHIVE.read_bytes()[100:16484], url


class Latency:
    """wrk's figures for one load: req/s, p50 and p99."""

    def __init__(self, out: str) -> None:
        self.rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        self.p50_ms = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))
        self.p99_ms = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))
        self.errors = sum(
            int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|Socket errors:.*?timeout)\s*:?\s*(\d+)", out)
        )

    def __str__(self) -> str:
        return f"p50 {self.p50_ms:.2f} ms, p99 {self.p99_ms:.2f} ms, {self.rps:,.0f} req/s"


def phone_load(url: str, pace_ms: int) -> Latency:
    """PHONE_CONNECTIONS connections of random ranges, each pausing `pace_ms` between requests (0: none)."""
    args = ["wrk", "-t1", f"-c{PHONE_CONNECTIONS}", f"-d{DURATION_S}s", "--latency", "-s", str(SCRIPT), url + PATH]
    env = {**os.environ, "RANGES_LENGTH": str(ARCHIVE.stat().st_size), "RANGES_DELAY_MS": str(pace_ms)}
    return Latency(subprocess.run(args, capture_output=True, text=True, check=True, env=env).stdout)


def main() -> None:
    size = ARCHIVE.stat().st_size
    print(f"basemap archive {ARCHIVE.name}: {size:,} bytes (target <= 3 MB)")
    env = {"RANGES_LENGTH": str(size)}
    with lehoi_server() as server:
        _check(server.url)
        ours_paced, ours_burst = phone_load(server.url, PACE_MS), phone_load(server.url, 0)
        ours = wrk(server.url + PATH, script=SCRIPT, env=env)
    with nginx_server() as nginx_url:
        _check(nginx_url)
        theirs_paced, theirs_burst = phone_load(nginx_url, PACE_MS), phone_load(nginx_url, 0)
        theirs = wrk(nginx_url + PATH, script=SCRIPT, env=env)
    # the floor of any Python answer here: a bare ASGI app on uvicorn sending one fixed 16 KB 206
    with bare_server(
        206,
        {"content-type": "application/vnd.pmtiles", "accept-ranges": "bytes", "content-range": f"bytes 0-16383/{size}"},
        ARCHIVE.read_bytes()[:16384],
    ) as bare_url:
        bare = wrk(bare_url, script=SCRIPT, env=env)  # the same Lua per request as the others
    for name, lehoi, nginx, target in [
        (f"{PHONE_CONNECTIONS} connections, {PACE_MS} ms apart", ours_paced, theirs_paced, "  (target >= 0.5)"),
        (f"{PHONE_CONNECTIONS} connections, back to back", ours_burst, theirs_burst, ""),
    ]:
        print(
            f"GET {PATH} random 16 KB ranges, {name}: lehoi {lehoi} | nginx {nginx} | "
            f"p99 ratio (nginx/lehoi) {nginx.p99_ms / lehoi.p99_ms:.2f}{target}"
        )
        if lehoi.errors or nginx.errors:
            print(f"  errors: lehoi {lehoi.errors}, nginx {nginx.errors}")
    print(
        f"  saturation, 32 connections: lehoi {ours} | nginx {theirs} | "
        f"p99 ratio (nginx/lehoi) {theirs.p99_ms / ours.p99_ms:.2f} | req/s ratio {ours.rps / theirs.rps:.2f}"
    )
    print(f"  bare ASGI, one fixed 16 KB 206: {bare} | lehoi/bare req/s {ours.rps / bare.rps:.2f}")
    if ours.errors or theirs.errors:
        print(f"errors: lehoi {ours.errors}, nginx {theirs.errors}")


if __name__ == "__main__":
    main()
