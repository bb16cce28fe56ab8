"""The change feed: what changed after a phone's version, with records as the snapshot holds them.

Every phone asks on every sync, nearly always from the current version or a few behind, and the answer from a
version to the current one never changes until the programme moves on: so each process keeps the encoded answers
per cursor for the version it holds (`ChangeFeed`), and a phone that is up to date costs no database work at all.
"""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec

from server.db.transactions import snapshot_transaction, write_transaction
from server.domain import FeedRecords, Versioned
from server.syncing.tables import ChangeLog, ProgrammeVersion
from sync.changes import ChangeRow, check_cursor, collapse
from sync.messages import Changes

#: cursors whose answers a process keeps per programme version; the rest are read each time
KEPT_CURSORS = 256
_encoder = msgspec.json.Encoder()


class ChangeFeed:
    """The encoded change feed of one process, kept per cursor for the snapshot's version."""

    def __init__(self, engine, sources: dict[str, FeedRecords]) -> None:
        self._engine = engine
        self._sources = sources
        self._version: int | None = None
        self._kept: dict[int, asyncio.Future[bytes]] = {}

    async def encoded(self, snapshot: Versioned, since: int) -> bytes:
        """The JSON of `changes_since(snapshot, since)`; raises CursorGone as it does."""
        if snapshot.version != self._version:
            self._version, self._kept = snapshot.version, {}
        kept = self._kept.get(since)
        if kept is not None:
            return await asyncio.shield(kept)
        if since == snapshot.version:  # up to date: nothing changed, whatever the log holds
            body = _encoder.encode(Changes(from_=since, to=since))
            self._keep(since, body)
            return body
        # one reading per cursor, however many phones ask for it at once
        future = asyncio.get_running_loop().create_future()
        if len(self._kept) < KEPT_CURSORS:
            self._kept[since] = future
        try:
            body = _encoder.encode(await changes_since(self._engine, snapshot, since, self._sources))
        except BaseException as exc:
            self._kept.pop(since, None)
            future.set_exception(exc)
            future.exception()  # retrieved: the raise below reports it
            raise
        future.set_result(body)
        return body

    def _keep(self, since: int, body: bytes) -> None:
        if len(self._kept) < KEPT_CURSORS:
            future = asyncio.get_running_loop().create_future()
            future.set_result(body)
            self._kept[since] = future


async def changes_since(engine, snapshot: Versioned, since: int, sources: dict[str, FeedRecords]) -> Changes:
    """Upserts and tombstones in (since, snapshot.version]; raises CursorGone for a cursor out of range.

    `sources` read each logged kind's records as they are at the snapshot's version (the domains' feed_records);
    a kind no domain reads is sent as deleted.
    """
    async with snapshot_transaction(engine):
        state = await ProgrammeVersion.select(ProgrammeVersion.pruned_through).where(ProgrammeVersion.id == 1).first()
        check_cursor(since, state["pruned_through"] if state else 0, snapshot.version)
        rows = (
            await ChangeLog.select()
            .where((ChangeLog.version > since) & (ChangeLog.version <= snapshot.version))
            .order_by(ChangeLog.version)
        )
    feed = collapse(ChangeRow(**row) for row in rows)
    upserts: dict[str, list[Any]] = {}
    deletes = {kind: list(ids) for kind, ids in feed.deletes.items()}
    for kind, ids in feed.upserts.items():
        source = sources.get(kind)
        found = await source(snapshot, ids) if source is not None else {}
        for record_id in ids:
            record = found.get(record_id)
            if record is None:  # gone again by the snapshot's version
                deletes.setdefault(kind, []).append(record_id)
            else:
                upserts.setdefault(kind, []).append(record)
    return Changes(from_=since, to=snapshot.version, upserts=upserts, deletes=deletes)


async def prune(keep: int) -> int:
    """Drop change-log rows older than the last `keep` versions; phones behind that take the bundle."""
    async with write_transaction(ChangeLog._meta.db):
        row = await ProgrammeVersion.select(ProgrammeVersion.version).where(ProgrammeVersion.id == 1).first()
        through = max(0, row["version"] - keep)
        await ChangeLog.delete().where(ChangeLog.version <= through)
        await ProgrammeVersion.update({ProgrammeVersion.pruned_through: through}).where(
            (ProgrammeVersion.id == 1) & (ProgrammeVersion.pruned_through < through)
        )
    return through
