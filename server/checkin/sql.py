"""Raw SQL the hot paths need, spelled once for SQLite and PostgreSQL.

Piccolo's raw queries take `{}` placeholders on both engines. On SQLite a value read through an expression (a
subselect, not a plain column) arrives as the stored text: `server.db.times` parses it back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from piccolo.table import Table

from server.db import bulk
from server.db.engine import is_postgres

#: the namespace of the keys `device_scoped_id` derives
_DEVICE_SCOPED = uuid.UUID("5b0f4c2e-8a8e-4c1e-9a55-6c6568f1a2d1")


def device_scoped_id(device_id: str, client_id: str) -> str:
    """The primary key of a row a device named with an id of its own (a scan id, a mutation id).

    Phones make their ids, so two devices may make the same one: keyed by the pair, each device's row is its own,
    and the same device sending the same id again lands on the same key (its insert is skipped).
    """
    return str(uuid.uuid5(_DEVICE_SCOPED, f"{device_id}/{client_id}"))


async def insert_rows(table: type[Table], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A multi-row INSERT into `table` inside the current transaction; a row whose id is stored is skipped."""
    await bulk.insert_rows(table._meta.db, table._meta.tablename, columns, rows, skip_conflicts_on="id")


async def lock_keys(table: type[Table], keys: Iterable[str]) -> None:
    """Transaction-scoped locks on names, taken in sorted order so two holders never deadlock.

    PostgreSQL only: on SQLite the write transaction already holds the one writer lock.
    """
    if not is_postgres(table._meta.db):
        return
    for name in sorted(set(keys)):
        await table.raw("SELECT pg_advisory_xact_lock(hashtext({}))", name)
