"""HTTP as careful clients expect it: security headers on every answer, HEAD wherever GET is, ETags and 304 on
cacheable reads, the exact Allow on every 405, one charset per Content-Type (server/headers.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from litestar.routes import HTTPRoute

from server.headers import security_headers, strong_etag
from server.settings import load_settings

#: every cacheable programme read, with one example URL each
CACHEABLE = [
    "/api/festival",
    "/api/events",
    "/api/events?day=2024-11-12",
    "/api/events/nhiep-anh-lang-huong-2024-11-09",
    "/api/venues",
    "/api/venues/cung-thieu-nhi",
    "/api/venues.geojson",
    "/api/search?q=gom",
    "/api/programme.ics",
    "/api/schedule.xml",
    "/api/trails",
]
#: the headers every answer carries (plain http here: HSTS only when the public address is https)
EVERY = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "cross-origin-opener-policy": "same-origin",
}
RESOURCE_CSP = "default-src 'none'; frame-ancestors 'none'"
#: answers of every kind, routed, fast paths (bundle, tiles), PWA files, mounted admin, OpenAPI, refusals: the URL
#: and whether it is a document (its area's full policy), a worker's script (the page's policy) or a resource
KINDS = [
    ("/", "document"),
    ("/index.html", "document"),
    ("/schema", "document"),
    ("/admin/", "document"),
    ("/sw.js", "worker"),
    ("/js/worker/bundle.js", "worker"),
    ("/js/worker/qr-decode.js", "worker"),
    ("/js/page/core/main.js", "resource"),
    ("/css/app.css", "resource"),
    ("/icons/favicon.svg", "resource"),
    ("/manifest.webmanifest", "resource"),
    ("/api/festival", "resource"),
    ("/api/programme.ics", "resource"),
    ("/api/sync/bundle", "resource"),
    ("/tiles/hanoi-centre.pmtiles", "resource"),
    ("/tiles/nothing.pmtiles", "resource"),
    ("/schema/openapi.json", "resource"),
    ("/health", "resource"),
    ("/api/nothing", "resource"),
]


def _parameterless_get_paths(app) -> list[str]:
    return sorted(
        route.path
        for route in app.routes
        if isinstance(route, HTTPRoute) and "GET" in route.methods and "{" not in route.path
    )


def assert_security_headers(response, path: str, kind: str) -> None:
    """The exact security headers of an answer of this kind (server/headers.py `security_headers`)."""
    for name, value in EVERY.items():
        assert response.headers[name] == value, (path, name)
    # camera and geolocation for this origin only, everywhere
    assert (
        response.headers["permissions-policy"] == "camera=(self), geolocation=(self), microphone=(), payment=(), usb=()"
    )
    assert "strict-transport-security" not in response.headers
    csp = response.headers["content-security-policy"]
    if kind == "resource":
        assert csp == RESOURCE_CSP, path
        return
    for directive in ("frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'", "default-src 'self'"):
        assert directive in csp, path
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    if not path.startswith("/schema"):
        assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    if kind == "worker":
        assert "worker-src 'self'" in csp and "connect-src 'self'" in csp


@pytest.mark.parametrize(("path", "kind"), KINDS)
async def test_each_kind_of_answer_gets_its_exact_security_headers(client, path, kind):
    response = await client.get(path)
    assert_security_headers(response, path, kind)
    assert response.headers.get("content-type", "").startswith("text/html") == (kind == "document"), path
    hashed = re.search(r'"(/js/page/core/main\.[0-9a-f]{10}\.js)"', (await client.get("/")).text).group(1)
    assert_security_headers(await client.get(hashed), hashed, "resource")


async def test_a_304_carries_the_headers_of_the_200_it_stands_for(client):
    """A browser merges a 304's headers into the copy it keeps: the page's must stay a page's (else the kept
    index.html, and the service worker's copy of it, would run under `default-src 'none'`)."""
    for path, kind in [("/", "document"), ("/sw.js", "worker"), ("/api/festival", "resource")]:
        first = await client.get(path)
        again = await client.get(path, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304, path
        assert_security_headers(again, path, kind)


def test_every_worker_script_is_where_it_gets_the_workers_policy():
    """Browsers give a worker the CSP of its script's own answer: every script the PWA starts as a worker lives in
    pwa/js/worker/, which server/headers.py answers with the page's policy."""
    pwa = Path(__file__).resolve().parents[2] / "pwa"
    started = set()
    for module in pwa.rglob("*.js"):
        text = module.read_text()
        if "new Worker(" in text or "new SharedWorker(" in text:
            started |= set(re.findall(r"['\"]([\w./-]*worker/[\w.-]+\.js)['\"]", text))
    assert started, "the PWA starts its workers from pwa/js/worker/"
    assert {Path(url).name for url in started} == {p.name for p in (pwa / "js" / "worker").glob("*.js")}


def test_hsts_and_tile_host_follow_the_settings():
    https = load_settings(public_url="https://lehoi.example", tile_url="https://t.example/{z}/{x}/{y}.png")
    for kind in ("document", "worker", "resource"):
        assert dict(security_headers(https, "/", kind))[b"strict-transport-security"].startswith(b"max-age=")
    page = dict(security_headers(https, "/", "document"))
    assert b"img-src 'self' data: https://t.example;" in page[b"content-security-policy"]
    plain = dict(security_headers(load_settings(public_url="http://lehoi.example", tile_url=""), "/", "document"))
    assert b"strict-transport-security" not in plain
    assert b"img-src 'self';" in plain[b"content-security-policy"]


async def test_head_wherever_get_is(client):
    for path in ["/", *_parameterless_get_paths(client.app), "/api/sync/bundle"]:
        get = await client.get(path)
        head = await client.head(path)
        assert head.status_code == get.status_code, path
        assert head.content == b"", path
        assert head.headers.get("content-type") == get.headers.get("content-type"), path


async def test_head_on_a_protected_path_without_a_token_is_401_without_a_body(client):
    for path in ("/api/me", "/api/organiser/volunteers", "/api/organiser/push/stats"):
        response = await client.head(path)
        assert response.status_code == 401, path
        assert response.content == b""


@pytest.mark.parametrize("url", CACHEABLE)
async def test_cacheable_reads_answer_304_to_their_etag(client, url):
    first = await client.get(url)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "no-cache"
    again = await client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == "no-cache"
    # a list of tags, a weak form of the same tag, and * all match (weak comparison, RFC 9110 §13.1.2)
    for header in (f'"other", {etag}', f"W/{etag.removeprefix('W/')}", "*"):
        assert (await client.get(url, headers={"If-None-Match": header})).status_code == 304, header
    head = await client.head(url, headers={"If-None-Match": etag})
    assert head.status_code == 304


@pytest.mark.parametrize("header", ['"nope"', "garbage", '"unterminated', "W/", ",,,", '"' + "x" * 5000 + '"', ""])
async def test_a_malformed_or_foreign_if_none_match_is_a_miss(client, header):
    response = await client.get("/api/events", headers={"If-None-Match": header})
    assert response.status_code == 200
    assert response.json()


async def test_the_etag_moves_with_the_programme(client, as_organiser, fresh_programme):
    before = (await client.get("/api/events/nhiep-anh-lang-huong-2024-11-09")).headers["etag"]
    ics_before = (await client.get("/api/programme.ics")).headers["etag"]
    changed = await client.patch(
        "/api/events/nhiep-anh-lang-huong-2024-11-09", json={"status": "cancelled"}, headers=as_organiser
    )
    assert changed.status_code == 200, changed.text
    client.app.state.snapshots.invalidate()
    response = await client.get("/api/events/nhiep-anh-lang-huong-2024-11-09", headers={"If-None-Match": before})
    assert response.status_code == 200 and response.headers["etag"] != before
    ics = await client.get("/api/programme.ics", headers={"If-None-Match": ics_before})
    assert ics.status_code == 200 and ics.headers["etag"] != ics_before


async def test_a_malformed_range_is_ignored_or_refused_cleanly(client):
    for header in ("bytes=oops", "bytes=5-1", "pages=0-10", "bytes=" + "1-2," * 500):
        for path in ("/api/events", "/", "/api/sync/bundle"):
            response = await client.get(path, headers={"Range": header})
            assert response.status_code in (200, 416), (path, header)


async def test_every_405_names_exactly_the_allowed_methods(client):
    # routes whose paths differ only in their parameters' names are one URL: its methods are all of theirs
    by_url: dict[str, set[str]] = {}
    for route in client.app.routes:
        if isinstance(route, HTTPRoute):
            by_url.setdefault(re.sub(r"\{[^}]*\}", "x", route.path), set()).update(route.methods)
    for url, methods in by_url.items():
        if "GET" in methods:
            methods.add("HEAD")
        unused = next(m for m in ("PUT", "PATCH", "DELETE", "POST", "GET") if m not in methods)
        response = await client.request(unused, url)
        assert response.status_code == 405, (unused, url, response.status_code)
        assert {m.strip() for m in response.headers["allow"].split(",")} == methods, url


async def test_one_charset_per_content_type(client):
    paths = [*_parameterless_get_paths(client.app), "/api/events/nhiep-anh-lang-huong-2024-11-09.ics", "/"]
    for path in paths:
        content_type = (await client.get(path)).headers.get("content-type", "")
        assert content_type.count("charset") <= 1, (path, content_type)
    assert (await client.get("/api/programme.ics")).headers["content-type"] == "text/calendar; charset=utf-8"


async def test_a_repeated_read_reuses_its_etag(client):
    # the snapshot's bytes reach the middleware as the same object each time, so the ETag is not recomputed
    await client.get("/api/events")
    hits = strong_etag.cache_info().hits
    await client.get("/api/events")
    assert strong_etag.cache_info().hits == hits + 1
