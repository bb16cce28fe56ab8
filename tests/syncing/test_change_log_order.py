"""Concurrent programme writers never produce a version that a reader polling the feed can skip.

Writers hold their transactions open for random short times so commits interleave; a reader polls
`version > cursor` as the feed does. If a writer could commit version v after the reader had moved past v,
the reader would never see v. The triggers take the version from one counter row inside the writing
transaction, so the row lock orders commits by version and nothing is ever skipped.
"""

from __future__ import annotations

import asyncio
import os
import random
from pathlib import Path

import pytest
from conftest import DATA_DIR

WRITERS = 8
WRITES_EACH = 25


class Connection:
    """The same few statements on asyncpg (PostgreSQL) or aiosqlite (SQLite), on a connection of its own."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def __aenter__(self):
        if self.url:
            import asyncpg

            self.db = await asyncpg.connect(self.url)
        else:
            import aiosqlite

            self.db = await aiosqlite.connect(Path(DATA_DIR) / "lehoi.sqlite", timeout=30, isolation_level=None)
        return self

    async def __aexit__(self, *exc):
        await self.db.close()

    async def begin(self):
        await self.db.execute("BEGIN" if self.url else "BEGIN IMMEDIATE")

    async def commit(self):
        await self.db.execute("COMMIT")

    async def rename(self, event_id: str, title: str):
        sql = "UPDATE event SET title_en = {} WHERE id = {}"
        if self.url:
            await self.db.execute(sql.format("$1", "$2"), title, event_id)
        else:
            await self.db.execute(sql.format("?", "?"), (title, event_id))

    async def versions_after(self, cursor: int) -> list[int]:
        sql = "SELECT version FROM change_log WHERE version > {} ORDER BY version"
        if self.url:
            return [r[0] for r in await self.db.fetch(sql.format("$1"), cursor)]
        async with self.db.execute(sql.format("?"), (cursor,)) as rows:
            return [r[0] async for r in rows]


async def test_a_polling_reader_never_skips_a_version(client, fresh_programme):
    url = os.environ.get("LEHOI_DATABASE_URL", "")
    events = [e["id"] for e in (await client.get("/api/events")).json()[:WRITERS]]
    async with Connection(url) as probe:
        start = max(await probe.versions_after(0) or [0])
    done = asyncio.Event()
    seen: list[int] = []

    async def writer(n: int) -> None:
        rng = random.Random(n)
        async with Connection(url) as conn:
            for i in range(WRITES_EACH):
                await conn.begin()
                await conn.rename(events[n], f"writer {n} write {i}")
                await asyncio.sleep(rng.random() * 0.004)
                await conn.commit()

    async def reader() -> None:
        cursor = start
        async with Connection(url) as conn:
            while True:
                finished = done.is_set()
                fresh = await conn.versions_after(cursor)
                seen.extend(fresh)
                cursor = max(fresh, default=cursor)
                if finished:
                    return
                await asyncio.sleep(0.001)

    reading = asyncio.create_task(reader())
    await asyncio.gather(*(writer(n) for n in range(WRITERS)))
    done.set()
    await reading
    expected = list(range(start + 1, start + 1 + WRITERS * WRITES_EACH))
    assert seen == expected, "the reader skipped or reordered versions"


@pytest.fixture(autouse=True)
def _invalidate(client):
    yield
    client.app.state.snapshots.invalidate()
