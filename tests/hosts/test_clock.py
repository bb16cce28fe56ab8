"""Hosts of one demo at festival time read one clock: given the anchored value `lehoi serve --now` prints, hosts
started seconds apart answer the same festival time (a bare `--now` would start anew in each, seconds apart)."""

from __future__ import annotations

from datetime import datetime

import httpx

from server.clock import anchored


def festival_time(url: str) -> datetime:
    return datetime.fromisoformat(httpx.get(url + "/api/festival", timeout=10).headers["x-lehoi-now"])


def test_hosts_started_apart_share_an_anchored_festival_clock(hosts):
    a, b = hosts(2, now=anchored("2024-11-12T10:00+07:00"))  # b starts after a is up: seconds later
    gap = (festival_time(b.url) - festival_time(a.url)).total_seconds()
    # read one after the other: the gap is the time between the two reads, not between the two starts
    assert -1 < gap < 1, gap
