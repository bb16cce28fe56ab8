"""An organiser's edit through one host is in every other host's festival answer, bundle and change feed within a
second: each process follows the shared change log (polling its version every half second), none is told by
another."""

from __future__ import annotations

import time

import httpx
import pytest

#: the promise to organisers: an edit is in every host's festival answer and change feed within this
WITHIN_S = 1.0
#: the bundle is built again per version in each process, off the event loop, after the process sees the version:
#: a second more on a loaded machine (seen: 1.1 s in all on the shared 2-core test machine)
BUNDLE_WITHIN_S = WITHIN_S + 1.0


class Reader:
    """A phone's view of one host: its festival version, its change feed and its bundle (taken again only when its
    ETag moves, so polling costs the host little)."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=5)
        self.etag = ""

    def shows(self, version: int, event_id: str, title: str) -> dict[str, bool]:
        def retitled(events: list[dict]) -> bool:
            return any(e["id"] == event_id and e["title"]["en"] == title for e in events)

        festival = self.http.get("/api/festival").json()
        changes = self.http.get("/api/sync/changes", params={"since": version - 1}).json()
        bundle = self.http.get("/api/sync/bundle", headers={"If-None-Match": self.etag})
        fresh = bundle.status_code == 200 and bundle.json()["version"] >= version
        if fresh:
            assert retitled(bundle.json()["events"])
            self.etag = bundle.headers["etag"]
        return {
            "festival": festival["version"] >= version,
            "changes": changes["to"] >= version and retitled(changes["upserts"].get("event", [])),
            "bundle": fresh,
        }


@pytest.mark.slow
def test_an_edit_through_one_host_reaches_the_others_within_a_second(hosts):
    servers = hosts(2)
    event = httpx.get(servers[0].url + "/api/events", timeout=5).json()[0]
    readers = {s.url: Reader(s.url) for s in servers}
    lags = []
    for round_ in range(4):
        writer, reader = servers[round_ % 2], readers[servers[1 - round_ % 2].url]
        reader.etag = reader.http.get("/api/sync/bundle").headers["etag"]
        title = f"Moved, round {round_}"
        edit = {"title": {"vi": f"Đổi, lượt {round_}", "en": title}}
        response = httpx.patch(f"{writer.url}/api/events/{event['id']}", json=edit, headers=writer.organiser())
        written = time.monotonic()
        assert response.status_code == 200, response.text
        version = httpx.get(writer.url + "/api/festival").json()["version"]
        seen: dict[str, bool] = {}
        while not all(seen.values()) or not seen:
            seen = {k: v or seen.get(k, False) for k, v in reader.shows(version, event["id"], title).items()}
            waited = time.monotonic() - written
            assert waited < BUNDLE_WITHIN_S and (waited < WITHIN_S or seen["festival"] and seen["changes"]), (
                f"after {waited:.2f} s the other host shows only {seen}"
            )
            time.sleep(0.02)
        lags.append(time.monotonic() - written)
    # the same version is the same bundle, byte for byte, on every host: a CDN may cache either's
    written = time.monotonic()
    while True:
        bundles = [r.http.get("/api/sync/bundle").json() for r in readers.values()]
        if all(b["version"] == version for b in bundles):
            break
        assert time.monotonic() - written < BUNDLE_WITHIN_S, "a host still serves the bundle of an older version"
        time.sleep(0.02)
    assert bundles[0] == bundles[1], [k for k in bundles[0] if bundles[0][k] != bundles[1].get(k)]
    tags = {r.http.get("/api/sync/bundle", headers={"Accept-Encoding": "br"}).headers["etag"] for r in readers.values()}
    assert len(tags) == 1, tags
    print(f"an edit reached the other host in {min(lags):.2f}–{max(lags):.2f} s")
