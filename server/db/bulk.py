"""Statements on the current transaction's connection through the driver itself, for the hottest writers.

Piccolo builds a Table object per row and bundles every value through its QueryString, which costs tens of
microseconds a row; a batch of 500 mutations spent more time there than in the database. And inside a transaction
on SQLite each Piccolo query is four hops between the event loop and the connection's thread (a PRAGMA, the
statement, the fetch, closing the cursor), each waiting for a time slice on a busy machine: a one-mutation upload
spent most of its time in those hops (py-spy under wrk). Here a statement is one hop, written once with the
driver's placeholders and its values handed over as they are (SQLite's adapters, which Piccolo registers, still
convert dates and times).

On SQLite a writer can also run its whole transaction in one step (`in_one_step`): written as a coroutine whose
only awaits are this module's statements, it runs to its end on a kept connection's thread (server/db/kept.py),
each statement there and then, without ever going back to the event loop. The write lock is then held for the
microseconds of the work, not across a dozen round trips through a busy event loop, during which every other
writer (the gate's check-ins) waited in SQLite's busy handler, sleeping up to 100 ms between tries.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Coroutine, Sequence
from contextvars import ContextVar
from typing import Any, TypeVar

from piccolo.engine.base import Engine

from server.db.engine import is_postgres

#: bound parameters per statement, under SQLite's 32766 and asyncpg's 32767
MAX_PARAMS = 30_000
_NUMBERED = re.compile(r"\$(\d+)")
T = TypeVar("T")
#: the kept connection the statements of a writer running in one step go to, on that connection's thread
_ONE_STEP: ContextVar[sqlite3.Connection | None] = ContextVar("lehoi_one_step", default=None)


def in_one_step(connection: sqlite3.Connection, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """On a kept connection's thread (inside its transaction): `work()` to its end, its statements on `connection`.

    Raises if the work awaits anything but this module's statements, which would need the event loop; its
    transaction is then rolled back by the caller."""
    coroutine = work()
    token = _ONE_STEP.set(connection)
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    finally:
        _ONE_STEP.reset(token)
    coroutine.close()
    raise RuntimeError("a writer run in one step awaited something other than server/db/bulk.py's statements")


def _connection(engine: Engine):
    transaction = engine.current_transaction.get()
    if transaction is None:
        raise RuntimeError("the driver's statements run inside a transaction")
    return transaction.connection


async def fetch(engine: Engine, sql: str, *args: Any) -> list:
    """The rows of one statement (placeholders `$1`, `$2`, …) in the current transaction, each readable by column
    name; one round trip to the driver."""
    kept = _ONE_STEP.get()
    if kept is not None:
        return kept.execute(_NUMBERED.sub(r"?\1", sql), args).fetchall()
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
    kept = _ONE_STEP.get()
    connection = kept or _connection(engine)
    postgres = kept is None and is_postgres(engine)
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
            if kept is not None:
                kept.execute(head + marks + tail, args)
            else:
                await connection.execute_fetchall(head + marks + tail, args)
