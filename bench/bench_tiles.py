"""The offline basemap under load: random 16 KB ranges of the PMTiles archive, as a phone's map reads tiles,
through `lehoi serve` and through nginx serving the same file from a temporary config, in the same run.

Target: lehoi's p99 at least 0.5x nginx's (nginx p99 / lehoi p99 >= 0.5); the archive's size is printed too
(target: at most 3 MB), and a bare ASGI app sending one fixed 16 KB answer, the floor of any Python server here.
Every load runs the same Lua script (its per-request cost is wrk's, on the same cores). wrk keeps 32 connections
busy, so each p99 is mostly connections ÷ throughput: on a quiet machine nginx's throughput sets a p99 that no
Python server reaches within 2x; on a loaded one both p99s are the scheduler's.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
from harness import ROOT, bare_server, lehoi_server, wrk

from tests.support.live_server import free_port

ARCHIVE = ROOT / "fixtures" / "osm" / "hanoi-centre.pmtiles"
PATH = "/tiles/hanoi-centre.pmtiles"
SCRIPT = Path(__file__).resolve().parent / "ranges.lua"
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
        for _ in range(100):
            try:
                httpx.get(url + PATH, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(prefix, ignore_errors=True)


def _check(url: str) -> None:
    response = httpx.get(url + PATH, headers={"range": "bytes=100-16483"})
    assert response.status_code == 206 and response.content == ARCHIVE.read_bytes()[100:16484], url


def main() -> None:
    size = ARCHIVE.stat().st_size
    print(f"basemap archive {ARCHIVE.name}: {size:,} bytes (target <= 3 MB)")
    env = {"RANGES_LENGTH": str(size)}
    with lehoi_server() as server:
        _check(server.url)
        ours = wrk(server.url + PATH, script=SCRIPT, env=env)
    with nginx_server() as nginx_url:
        _check(nginx_url)
        theirs = wrk(nginx_url + PATH, script=SCRIPT, env=env)
    # the floor of any Python answer here: a bare ASGI app on uvicorn sending one fixed 16 KB 206
    with bare_server(
        206,
        {"content-type": "application/vnd.pmtiles", "accept-ranges": "bytes", "content-range": f"bytes 0-16383/{size}"},
        ARCHIVE.read_bytes()[:16384],
    ) as bare_url:
        bare = wrk(bare_url, script=SCRIPT, env=env)  # the same Lua per request as the others
    ratio = theirs.p99_ms / ours.p99_ms if ours.p99_ms else 0.0
    print(
        f"GET {PATH} random 16 KB ranges: lehoi {ours} | nginx {theirs} | "
        f"p99 ratio (nginx/lehoi) {ratio:.2f}  (target >= 0.5) | req/s ratio {ours.rps / theirs.rps:.2f}"
    )
    print(f"  bare ASGI, one fixed 16 KB 206: {bare} | lehoi/bare req/s {ours.rps / bare.rps:.2f}")
    if ours.errors or theirs.errors:
        print(f"errors: lehoi {ours.errors}, nginx {theirs.errors}")


if __name__ == "__main__":
    main()
