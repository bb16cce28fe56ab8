"""The first visit to `/` on the demo festival: bytes on the wire and requests, service-worker precache included.

Chromium (Playwright) opens `/` in a fresh profile; every response's `Network.loadingFinished` `encodedDataLength`
(headers and body as they crossed the wire, compressed when they were) is summed, the page's and the service
worker's alike, until the service worker is ready and the network has been idle for a second. Also printed: the
bytes fetched twice (the same URL by the page and by the precache). Goal ≤ 250 KB.
`--detail` also prints each request that crossed the wire (who asked: the page or the service worker; status;
header and body bytes; URL) and the totals of headers and bodies.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter

from harness import lehoi_server
from playwright.sync_api import sync_playwright

#: the first visit before static files were compressed, hashed and split (issue 26, main 759048b)
# the worker's own fetches (its precache) are reported as the page's are
os.environ["PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS"] = "1"
BASELINE = "1,072 KB, 111 requests"
GOAL_KB = 250
IDLE_S = 1.0


def first_visit(url: str, detail: bool = False) -> tuple[int, int, Counter]:
    """Bytes and requests of one first visit, and the URLs fetched more than once; with `detail`, each request."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            context = browser.new_context(viewport={"width": 360, "height": 740})
            finished: list = []
            last = [time.monotonic()]

            def done(request) -> None:
                finished.append(request)
                last[0] = time.monotonic()

            context.on("requestfinished", done)
            context.on("request", lambda request: last.__setitem__(0, time.monotonic()))
            page = context.new_page()
            page.goto(url + "/", wait_until="load")
            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            while time.monotonic() - last[0] < IDLE_S:
                page.wait_for_timeout(100)
            # served from the HTTP cache or by the worker's cache: nothing crossed the wire
            wire = [r for r in finished if not _from_cache(r)]
            size = sum(_header_bytes(r) + _body_bytes(r) for r in wire)
            if detail:
                _print_detail(wire, url)
            # a revalidation (the precache asking again for `/`, answered 304) is a request, not a second download
            fetched = Counter(r.url for r in wire if _body_bytes(r) > 0)
            return size, len(wire), Counter({u: n for u, n in fetched.items() if n > 1})
        finally:
            browser.close()


def _header_bytes(request) -> int:
    # sizes() reads Network.loadingFinished's encodedDataLength: headers and body as sent
    return request.sizes()["responseHeadersSize"]


def _body_bytes(request) -> int:
    body = request.sizes()["responseBodySize"]
    if body == 0 and request.resource_type == "script":
        # a worker's script (/sw.js, the bundle worker): Chromium reports its body on the worker's own target, so
        # it is counted by its Content-Length, the compressed bytes sent
        return int(request.response().headers.get("content-length", 0))
    return body


def _print_detail(wire: list, origin: str) -> None:
    headers = bodies = 0
    for request in wire:
        who = "sw" if request.service_worker else "page"
        status = request.response().status
        head, body = _header_bytes(request), _body_bytes(request)
        print(f"{who:4} {status} {head:6,} {body:8,}  {request.url.removeprefix(origin)}")
        headers += head
        bodies += body
    print(f"headers {headers:,} B, bodies {bodies:,} B")


def _from_cache(request) -> bool:
    response = request.response()
    return (
        response is None
        or response.from_service_worker
        # the HTTP cache's answers report minus their headers; 0 is a worker's script or a revalidation (304)
        or request.sizes()["responseBodySize"] < 0
        and response.status == 200
    )


def main() -> None:
    with lehoi_server() as server:
        size, requests, twice = first_visit(server.url, detail="--detail" in sys.argv)
    print(f"first visit: {size / 1000:,.0f} KB on the wire, {requests} requests", end="")
    print(f" (before: {BASELINE}; goal ≤ {GOAL_KB} KB)")
    again = sum(twice.values()) - len(twice)
    print(f"  fetched twice: {again} ({', '.join(sorted(twice)) or 'none'})")


if __name__ == "__main__":
    main()
