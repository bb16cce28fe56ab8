"""The write transaction of the live check-in, the gate's hot path: read the facts, decide, insert.

On SQLite the three run on the process's writer (server/db/kept.py `SqliteWriter`): one hop from the event loop to
its kept connection's thread instead of a new connection and seven hops, which cost ten times the check-in's own work.
Scans (and mutation uploads) that arrive while a commit is in flight are committed together in the next transaction,
each in a savepoint of its own, so a slow fsync delays a queue of scans once rather than once per scan; each is still
decided after the ones before it, so a pass scanned at two gates at once is accepted once. On PostgreSQL they run on
a pooled connection in Piccolo's transaction, after a transaction-scoped advisory lock on the venue so two processes
cannot both accept one pass (SQLite's writer lock does that there).

Statements are written with `{}` placeholders and compiled here to the driver's (`?` or `$n`).
"""

from __future__ import annotations

import itertools
import re
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from piccolo.engine.base import Engine

from server.db.kept import SqliteWriter
from server.db.transactions import ADVISORY_LOCK_SQL

T = TypeVar("T")
#: decide(facts) → (the answer, the row to insert or None)
Decide = Callable[[dict[str, Any]], tuple[T, Sequence[Any] | None]]
_MARK = re.compile(r"\{\}")


def _numbered(sql: str) -> str:
    counter = itertools.count(1)
    return _MARK.sub(lambda _: f"${next(counter)}", sql)


def insert_sql(table: str, columns: Sequence[str]) -> str:
    """One row; a row whose id is already stored is skipped."""
    return (
        f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join(["{}"] * len(columns))}) '
        f"ON CONFLICT (id) DO NOTHING"
    )


class GateWriter:
    def __init__(self, engine: Engine, writer: SqliteWriter | None) -> None:
        """`writer`: the process's SQLite writer (None on PostgreSQL)."""
        self.engine = engine
        self._writer = writer

    async def run(self, lock: str, facts_sql: str, facts_args: Sequence[Any], decide: Decide[T], insert: str) -> T:
        """In one transaction: the one row of `facts_sql`, `decide` on it, and its row inserted if it gives one."""
        if self._writer is not None:
            return await self._writer.transact(
                _sqlite_scan, facts_sql.replace("{}", "?"), tuple(facts_args), decide, insert.replace("{}", "?")
            )
        async with self.engine.transaction() as transaction:
            connection = transaction.connection
            await connection.execute(ADVISORY_LOCK_SQL, lock)
            facts = dict(await connection.fetchrow(_numbered(facts_sql), *facts_args))
            answer, row = decide(facts)
            if row is not None:
                await connection.execute(_numbered(insert), *row)
            return answer


def _sqlite_scan(
    connection: sqlite3.Connection, facts_sql: str, facts_args: tuple, decide: Decide[T], insert: str
) -> T:
    facts = dict(connection.execute(facts_sql, facts_args).fetchone())
    answer, row = decide(facts)
    if row is not None:
        connection.execute(insert, tuple(row))
    return answer
