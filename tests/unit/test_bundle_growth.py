"""No part of the bundle grows faster than the programme: doubling venues and events at most about doubles each
part (the venue × venue matrix grew fourfold), and a city-sized programme fits the phones' budget."""

from __future__ import annotations

import asyncio

import brotli
import msgspec

from server.programme import offline, schemas
from server.programme.generate import generate
from server.programme.snapshot import Snapshot
from server.wayfinding.wayfinder import Wayfinder
from sync import bundle
from sync.bundle import BROTLI_QUALITY


def snapshot_of(venues: int, events: int) -> Snapshot:
    raw = generate(venues, events, seed=11)

    def read(items: list, given: type, held: type) -> list:  # as the loader reads them, as the snapshot holds them
        return [msgspec.convert(msgspec.to_builtins(msgspec.convert(item, given)), held) for item in items]

    venue_list = read(raw["venues"], schemas.VenueCreate, schemas.Venue)
    event_list = sorted(read(raw["events"], schemas.EventCreate, schemas.Event), key=lambda e: (e.starts_at, e.id))
    trails = read(raw["trails"], schemas.TrailCreate, schemas.Trail)
    return Snapshot(
        version=1,
        festival=None,
        venues={v.id: v for v in venue_list},
        events=event_list,
        trails={t.id: t for t in trails},
        announcements=[],
    )


def parts_of(snapshot: Snapshot) -> dict[str, bytes]:
    async def content() -> dict:
        return {**await offline.bundle_part(snapshot), **await Wayfinder().bundle_part(snapshot)}

    return {key: msgspec.json.encode(value) for key, value in asyncio.run(content()).items()}


def test_every_part_grows_at_most_linearly():
    small, large = parts_of(snapshot_of(475, 700)), parts_of(snapshot_of(950, 1400))
    assert set(small) == set(large)
    for key in small:
        assert len(large[key]) <= 2.3 * max(len(small[key]), 64), (key, len(small[key]), len(large[key]))
    assert len(large["travel"]) == len(small["travel"])  # constants, whatever the venues


def test_a_city_sized_bundle_is_within_the_phones_budget():
    snapshot = snapshot_of(950, 1400)
    raw = bundle.encode(1, {k: msgspec.json.decode(v) for k, v in parts_of(snapshot).items()})
    size = len(brotli.compress(raw, quality=BROTLI_QUALITY, mode=brotli.MODE_TEXT))
    assert size <= 250 * 1024, f"{size} bytes brotli at 950 venues and 1,400 events"
