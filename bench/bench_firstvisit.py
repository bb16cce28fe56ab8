"""The first visit to `/` on the demo festival: bytes on the wire and requests, service-worker precache included.

Chromium (Playwright) opens `/` in a fresh profile; every response's `Network.loadingFinished` `encodedDataLength`
(headers and body as they crossed the wire, compressed when they were) is summed, the page's and the service
worker's alike, until the service worker is ready and the network has been idle for a second. Also printed: the
bytes fetched twice (the same URL by the page and by the precache). Goal ≤ 250 KB.
"""

from __future__ import annotations

import os
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


def first_visit(url: str) -> tuple[int, int, Counter]:
    """Bytes and requests of one first visit, and the URLs fetched more than once."""
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
            # sizes() reads Network.loadingFinished's encodedDataLength: headers and body as sent
            size = sum(r.sizes()["responseHeadersSize"] + r.sizes()["responseBodySize"] for r in wire)
            fetched = Counter(r.url for r in wire)
            return size, len(wire), Counter({u: n for u, n in fetched.items() if n > 1})
        finally:
            browser.close()


def _from_cache(request) -> bool:
    response = request.response()
    return (
        response is None
        or response.from_service_worker
        or request.sizes()["responseBodySize"] <= 0
        and response.status == 200
    )


def main() -> None:
    with lehoi_server() as server:
        size, requests, twice = first_visit(server.url)
    print(f"first visit: {size / 1000:,.0f} KB on the wire, {requests} requests", end="")
    print(f" (before: {BASELINE}; goal ≤ {GOAL_KB} KB)")
    again = sum(twice.values()) - len(twice)
    print(f"  fetched twice: {again} ({', '.join(sorted(twice)) or 'none'})")


if __name__ == "__main__":
    main()
