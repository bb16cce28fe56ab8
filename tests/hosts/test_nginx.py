"""docs/nginx.conf, started with Debian's nginx as an ordinary process: it serves the bundle's content-addressed
files itself (brotli, gzip or plain, cached for a year) and passes the rest to lehoi with the X-Forwarded-* headers
lehoi believes."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.live_server import ROOT, LiveServer, free_port

CONFIG = ROOT / "docs" / "nginx.conf"
IMMUTABLE = "public, max-age=31536000, immutable"


def nginx_binary() -> str:
    binary = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
    if binary is None:
        message = "the nginx tests did not run: nginx is missing (apt-get install nginx-light)"
        if os.environ.get("LEHOI_REQUIRE_ALL_TESTS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return binary


def render(values: dict[str, str]) -> str:
    """The configuration with its ${…} filled, as envsubst would fill them; nginx's own $variables stay."""
    text = CONFIG.read_text()
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    unfilled = [line for line in text.splitlines() if "${" in line and not line.lstrip().startswith("#")]
    assert not unfilled, f"placeholders of docs/nginx.conf left: {unfilled}"
    return text


class Nginx:
    def __init__(self, prefix: Path, upstreams: list[str], data_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.prefix = prefix
        for folder in ("logs", "tmp"):
            (prefix / folder).mkdir(parents=True, exist_ok=True)
        config = render(
            {
                "NGINX_LISTEN": f"127.0.0.1:{self.port}",
                "NGINX_WORKERS": "1",
                "LEHOI_UPSTREAM": upstreams[0],
                "LEHOI_DATA_DIR": str(data_dir),
            }
        )
        # more hosts: one `server` line each, as the configuration's comment says
        others = "".join(f"        server {u} max_fails=1 fail_timeout=5s;\n" for u in upstreams[1:])
        config = config.replace("        keepalive 32;\n", others + "        keepalive 32;\n", 1)
        self.config = prefix / "nginx.conf"
        self.config.write_text(config)
        # started by root, nginx's workers would become nobody, who may not read the test's private folders
        globals_ = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
        self.process = subprocess.Popen(
            [nginx_binary(), "-p", f"{prefix}/", "-c", str(self.config), "-g", globals_],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(100):
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.process.stderr.read().decode()}")
            try:
                httpx.get(self.url + "/bundles/", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("nginx did not answer")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def proxied(tmp_path) -> Iterator[tuple[LiveServer, Nginx]]:
    nginx_binary()  # skips before a server starts for nothing
    server = LiveServer(tmp_path)
    server.start()
    nginx = None
    try:
        nginx = Nginx(tmp_path / "nginx", [f"127.0.0.1:{server.port}"], server.data_dir)
        yield server, nginx
    finally:
        if nginx is not None:
            nginx.stop()
        server.stop()


def test_the_bundle_files_are_served_by_nginx_by_their_digest(proxied):
    server, nginx = proxied
    through = httpx.get(nginx.url + "/api/sync/bundle", headers={"Accept-Encoding": "br"})
    assert through.status_code == 200 and through.headers["content-encoding"] == "br"
    digest = through.headers["etag"].strip('"').removesuffix("-br")
    raw = through.content  # httpx decodes br and gzip: the bytes compared are the JSON
    path = f"/bundles/bundle-{digest}.json"

    br = httpx.get(nginx.url + path, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert br.status_code == 200, br.text
    assert br.headers["content-encoding"] == "br"
    assert br.headers["content-type"] == "application/json"
    assert br.headers["cache-control"] == IMMUTABLE
    assert "Accept-Encoding" in br.headers["vary"]
    assert br.content == raw

    gz = httpx.get(nginx.url + path, headers={"Accept-Encoding": "gzip, br;q=0"})
    assert gz.status_code == 200 and gz.headers["content-encoding"] == "gzip"
    assert gz.headers["content-type"] == "application/json" and gz.headers["cache-control"] == IMMUTABLE
    assert gz.content == raw

    plain = httpx.get(nginx.url + path, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    assert plain.headers["content-type"] == "application/json" and plain.headers["cache-control"] == IMMUTABLE
    assert plain.content == raw

    # only bundle files by digest: no other name, no folder listing, nothing outside the bundles folder
    for bad in ("/bundles/", f"/bundles/bundle-{digest}.json.br", "/bundles/bundle-nope.json", "/bundles/../lehoi.db"):
        assert httpx.get(nginx.url + bad).status_code == 404, bad


def test_the_api_is_proxied_with_the_forwarded_headers_lehoi_believes(proxied):
    server, nginx = proxied
    festival = httpx.get(nginx.url + "/api/festival")
    assert festival.status_code == 200 and festival.json() == httpx.get(server.url + "/api/festival").json()
    event = httpx.get(nginx.url + "/api/events").json()[0]
    # links in answers are the visitor's address (Host passed on), not lehoi's port behind nginx
    ics = httpx.get(f"{nginx.url}/api/events/{event['id']}.ics", headers={"Host": "lehoi.example"})
    assert ics.status_code == 200 and "http://lehoi.example/" in ics.text and str(server.port) not in ics.text
    device = httpx.post(nginx.url + "/api/devices", json={})
    assert device.status_code == 201, device.text
