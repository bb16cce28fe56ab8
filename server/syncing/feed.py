"""The change feed: what changed after a phone's version, with records as the snapshot holds them."""

from __future__ import annotations

from typing import Any

from server.db.transactions import snapshot_transaction
from server.domain import FeedRecords, Versioned
from server.syncing.tables import ChangeLog, ProgrammeVersion
from sync.changes import ChangeRow, check_cursor, collapse
from sync.messages import Changes


async def changes_since(engine, snapshot: Versioned, since: int, sources: dict[str, FeedRecords]) -> Changes:
    """Upserts and tombstones in (since, snapshot.version]; raises CursorGone for a cursor out of range.

    `sources` read each logged kind's records as they are at the snapshot's version (the domains' feed_records);
    a kind no domain reads is sent as deleted.
    """
    async with snapshot_transaction(engine):
        state = await ProgrammeVersion.select(ProgrammeVersion.pruned_through).where(ProgrammeVersion.id == 1).first()
        check_cursor(since, state["pruned_through"] if state else 0, snapshot.version)
        rows = await ChangeLog.select().where(
            (ChangeLog.version > since) & (ChangeLog.version <= snapshot.version)
        ).order_by(ChangeLog.version)
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
    row = await ProgrammeVersion.select(ProgrammeVersion.version).where(ProgrammeVersion.id == 1).first()
    through = max(0, row["version"] - keep)
    await ChangeLog.delete().where(ChangeLog.version <= through)
    await ProgrammeVersion.update({ProgrammeVersion.pruned_through: through}).where(
        (ProgrammeVersion.id == 1) & (ProgrammeVersion.pruned_through < through)
    )
    return through
