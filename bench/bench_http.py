"""HTTP hot paths against a bare ASGI app serving the same bytes on the same server, in the same run.

- GET /api/events?day=2024-11-12 and GET /api/search?q=gom (target: p99 under 25 ms at 32 connections, SQLite)
- GET /api/sync/bundle as 200 gzip and as 304 (target: at least 0.75x the bare app)
"""

from __future__ import annotations

import httpx
from harness import bare_server, compare, lehoi_server, wrk

READS = ["/api/events?day=2024-11-12", "/api/search?q=gom"]


def main() -> None:
    with lehoi_server() as server:
        for path in READS:
            response = httpx.get(server.url + path)
            response.raise_for_status()
            ours = wrk(server.url + path)
            with bare_server(200, {"content-type": "application/json"}, response.content) as bare_url:
                bare = wrk(bare_url)
            compare(f"GET {path}", ours, bare, "p99 < 25 ms")

        gz = {"accept-encoding": "gzip"}
        response = httpx.get(server.url + "/api/sync/bundle", headers=gz)
        etag = response.headers["etag"]
        headers = {
            k: response.headers[k] for k in ("content-type", "etag", "cache-control", "vary", "content-encoding")
        }
        with httpx.stream("GET", server.url + "/api/sync/bundle", headers=gz) as raw:
            compressed = b"".join(raw.iter_raw())
        ours = wrk(server.url + "/api/sync/bundle", headers=gz)
        with bare_server(200, headers, compressed) as bare_url:
            bare = wrk(bare_url, headers=gz)
        compare(f"GET /api/sync/bundle 200 gzip ({len(compressed):,} bytes)", ours, bare, ">= 0.75")

        not_modified = {**gz, "if-none-match": etag}
        assert httpx.get(server.url + "/api/sync/bundle", headers=not_modified).status_code == 304
        ours = wrk(server.url + "/api/sync/bundle", headers=not_modified)
        head304 = {k: v for k, v in headers.items() if k in ("etag", "cache-control", "vary")}
        with bare_server(304, head304, b"") as bare_url:
            bare = wrk(bare_url, headers=not_modified)
        compare("GET /api/sync/bundle 304", ours, bare, ">= 0.75")


if __name__ == "__main__":
    main()
