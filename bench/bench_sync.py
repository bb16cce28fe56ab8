"""Sync: bundle and change-feed sizes, and mutation upload throughput on SQLite.

Targets: bundle at most 80 KB brotli; the change feed after editing one event at most 2 KB;
10,000 favourite.set mutations in batches of 500 applied in at most 2 s.
"""

from __future__ import annotations

import gzip
import time
import uuid

import brotli
import httpx
from harness import lehoi_server


def sizes(server) -> None:
    raw = httpx.get(server.url + "/api/sync/bundle", headers={"accept-encoding": "identity"}).content
    print(f"bundle raw: {len(raw):,} bytes")
    print(f"bundle gzip: {len(gzip.compress(raw, 9)):,} bytes")
    br = len(brotli.compress(raw, quality=11))
    print(f"bundle br: {br:,} bytes  (target <= 80,000: {'ok' if br <= 80_000 else 'MISSED'})")


def feed_after_one_edit(server) -> None:
    version = httpx.get(server.url + "/api/festival").json()["version"]
    event = httpx.get(server.url + "/api/events", params={"day": "2024-11-12"}).json()[0]
    headers = server.organiser()
    httpx.patch(server.url + f"/api/events/{event['id']}", json={"capacity": 99}, headers=headers).raise_for_status()
    time.sleep(0.6)  # another request may hold the previous snapshot for up to half a second
    feed = httpx.get(server.url + "/api/sync/changes", params={"since": version}).content
    print(
        f"change feed after editing one event: {len(feed):,} bytes  (target <= 2,048: "
        f"{'ok' if len(feed) <= 2048 else 'MISSED'})"
    )


def upload(server, total: int = 10_000, batch: int = 500, devices: int = 10) -> None:
    events = [e["id"] for e in httpx.get(server.url + "/api/events").json()]
    phones = [httpx.post(server.url + "/api/devices").json() for _ in range(devices)]
    batches = []
    for n in range(total // batch):
        phone = phones[n % devices]
        mutations = [
            {
                "id": str(uuid.uuid4()),
                "name": "favourite.set",
                "args": {"event_id": events[(n * batch + i) % len(events)]},
            }
            for i in range(batch)
        ]
        batches.append((phone, {"client_id": phone["device_id"], "mutations": mutations}))
    with httpx.Client(timeout=60) as http:
        started = time.perf_counter()
        for phone, body in batches:
            response = http.post(
                server.url + "/api/sync/push", json=body, headers={"Authorization": f"Bearer {phone['token']}"}
            )
            response.raise_for_status()
            assert all(r["status"] == "applied" for r in response.json()["results"])
        elapsed = time.perf_counter() - started
    print(
        f"{total:,} favourite.set in batches of {batch} over HTTP: {elapsed:.2f} s, {total / elapsed:,.0f}/s  "
        f"(target <= 2 s: {'ok' if elapsed <= 2 else 'MISSED'})"
    )


def main() -> None:
    with lehoi_server() as server:
        sizes(server)
        upload(server)
        feed_after_one_edit(server)


if __name__ == "__main__":
    main()
