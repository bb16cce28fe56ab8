"""The per-process programme snapshot: a request made after a write (in this process) always sees it."""

from __future__ import annotations

import asyncio

from server.programme import snapshot as module
from server.programme.snapshot import Snapshot, SnapshotCache


def fake_database(monkeypatch) -> tuple[dict, asyncio.Event]:
    """The version the database holds, and a gate that holds every version read until it opens."""
    db = {"version": 1}
    gate = asyncio.Event()
    gate.set()

    async def current_version() -> int:
        await gate.wait()
        return db["version"]

    async def load_snapshot(engine) -> Snapshot:
        return Snapshot(version=db["version"], festival=None, venues={}, events=[], trails={}, announcements=[])

    monkeypatch.setattr(module, "current_version", current_version)
    monkeypatch.setattr(module, "load_snapshot", load_snapshot)
    return db, gate


async def test_a_write_is_seen_even_while_the_watcher_is_refreshing(monkeypatch):
    db, gate = fake_database(monkeypatch)
    cache = SnapshotCache(engine=None)
    cache._watching = True  # as while the app runs: requests trust the held snapshot until invalidated
    assert (await cache.get()).version == 1

    db["version"] = 2  # a write commits in this process, then invalidates
    cache.invalidate()
    gate.clear()  # the watcher's next tick begins a refresh, slow to read the version
    tick = asyncio.create_task(cache.refresh())
    await asyncio.sleep(0)
    request = asyncio.create_task(cache.get())
    await asyncio.sleep(0)
    gate.set()
    assert (await request).version == 2
    await tick
    assert (await cache.get()).version == 2


async def test_an_invalidation_during_a_refresh_is_not_lost(monkeypatch):
    db, gate = fake_database(monkeypatch)
    cache = SnapshotCache(engine=None)
    cache._watching = True
    await cache.get()
    gate.clear()
    tick = asyncio.create_task(cache.refresh())  # reads the version before the write below commits
    await asyncio.sleep(0)
    gate.set()
    await asyncio.sleep(0)
    db["version"] = 2
    cache.invalidate()
    await tick
    assert (await cache.get()).version == 2


async def test_only_the_writer_waits_for_the_reload_after_its_write(monkeypatch):
    db, gate = fake_database(monkeypatch)
    cache = SnapshotCache(engine=None)
    cache._watching = True
    await cache.get()
    db["version"] = 2  # the writer's transaction committed
    gate.clear()  # the reload is slow (a city-sized programme)
    writer = asyncio.create_task(cache.written())
    await asyncio.sleep(0)
    # everyone else is answered at once from the version held, not made to wait behind the reload
    other = await asyncio.wait_for(cache.get(), 1)
    assert other.version == 1
    assert not writer.done()
    gate.set()
    await writer
    assert (await cache.get()).version == 2  # the writer's next request reads its write
