"""Statements on the current transaction's connection through the driver itself, for the hottest writers.

Piccolo builds a Table object per row and bundles every value through its QueryString, which costs tens of
microseconds a row; a batch of 500 mutations spent more time there than in the database. And inside a transaction
on SQLite each Piccolo query is four hops between the event loop and the connection's thread (a PRAGMA, the
statement, the fetch, closing the cursor), each waiting for a time slice on a busy machine: a one-mutation upload
spent most of its time in those hops (py-spy under wrk). Here a statement is one hop, written once with the
driver's placeholders and its values handed over as they are (SQLite's adapters, which Piccolo registers, still
convert dates and times).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from piccolo.engine.base import Engine

from server.db.engine import is_postgres

#: bound parameters per statement, under SQLite's 32766 and asyncpg's 32767
MAX_PARAMS = 30_000
_NUMBERED = re.compile(r"\$(\d+)")


def _connection(engine: Engine):
    transaction = engine.current_transaction.get()
    if transaction is None:
        raise RuntimeError("the driver's statements run inside a transaction")
    return transaction.connection


async def fetch(engine: Engine, sql: str, *args: Any) -> list:
    """The rows of one statement (placeholders `$1`, `$2`, …) in the current transaction, each readable by column
    name; one round trip to the driver."""
    connection = _connection(engine)
    if is_postgres(engine):
        return await connection.fetch(sql, *args)
    # SQLite numbers its placeholders `?1`, `?2`, …
    return list(await connection.execute_fetchall(_NUMBERED.sub(r"?\1", sql), args))


def placeholders(first: int, count: int) -> str:
    """`$first, …` for `count` values: the placeholders of an IN list."""
    return ", ".join(f"${n}" for n in range(first, first + count))


async def insert_rows(
    engine: Engine,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    skip_conflicts_on: str | None = None,
) -> None:
    """Insert `rows` (tuples in `columns` order) into `table`, inside the current transaction.

    With `skip_conflicts_on` (a unique column), a row whose value is already stored is skipped.
    """
    if not rows:
        return
    connection = _connection(engine)
    postgres = is_postgres(engine)
    width = len(columns)
    per_chunk = max(1, MAX_PARAMS // width)
    head = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES '
    tail = f" ON CONFLICT ({skip_conflicts_on}) DO NOTHING" if skip_conflicts_on else ""
    for start in range(0, len(rows), per_chunk):
        chunk = rows[start : start + per_chunk]
        args = [value for row in chunk for value in row]
        if postgres:
            marks = ", ".join(
                "(" + ", ".join(f"${n}" for n in range(i * width + 1, i * width + width + 1)) + ")"
                for i in range(len(chunk))
            )
            await connection.execute(head + marks + tail, *args)
        else:
            marks = ", ".join(["(" + ", ".join("?" * width) + ")"] * len(chunk))
            await connection.execute_fetchall(head + marks + tail, args)
