"""docs/nginx.conf, started with Debian's nginx as an ordinary process: it serves the bundle's content-addressed
files itself (brotli, gzip or plain, cached for a year) and passes the rest to lehoi with the X-Forwarded-* headers
lehoi believes."""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest

from tests.support.live_server import LiveServer
from tests.support.nginx import Nginx, nginx_binary

IMMUTABLE = "public, max-age=31536000, immutable"


def require_nginx() -> None:
    if nginx_binary() is None:
        message = "the nginx tests did not run: nginx is missing (apt-get install nginx-light)"
        if os.environ.get("LEHOI_REQUIRE_ALL_TESTS") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def proxied(tmp_path) -> Iterator[tuple[LiveServer, Nginx]]:
    require_nginx()
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
