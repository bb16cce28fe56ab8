"""The write transaction of the live check-in, the gate's hot path: read the facts, decide, insert.

On SQLite the three run on a kept connection's thread (server/db/kept.py): one hop from the event loop instead of a new
connection and seven hops, which cost ten times the check-in's own work. Scans that arrive while a commit is in flight
are committed together in the next transaction (group commit), each in a savepoint of its own, so a slow fsync delays a
queue of scans once rather than once per scan (server/db/group_commit.py); each is still decided after the ones before
it, so a pass scanned at two gates at once is accepted once. On PostgreSQL they run on a pooled connection in Piccolo's
transaction, after a transaction-scoped advisory lock on the venue so two processes cannot both accept one pass
(SQLite's writer lock does that there).

Statements are written with `{}` placeholders and compiled here to the driver's (`?` or `$n`).
"""

from __future__ import annotations

import itertools
import re
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from piccolo.engine.base import Engine

from server.db import kept
from server.db.group_commit import GroupCommit
from server.db.kept import kept_connection
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
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._kept = kept_connection(engine)
        self._commits: GroupCommit[tuple, Any] = GroupCommit(self._commit_group)

    async def close(self) -> None:
        if self._kept is not None:
            await self._kept.close()

    async def run(self, lock: str, facts_sql: str, facts_args: Sequence[Any], decide: Decide[T], insert: str) -> T:
        """In one transaction: the one row of `facts_sql`, `decide` on it, and its row inserted if it gives one."""
        if self._kept is not None:
            job = (facts_sql.replace("{}", "?"), tuple(facts_args), decide, insert.replace("{}", "?"))
            return await self._commits.submit(job)
        async with self.engine.transaction() as transaction:
            connection = transaction.connection
            await connection.execute(ADVISORY_LOCK_SQL, lock)
            facts = dict(await connection.fetchrow(_numbered(facts_sql), *facts_args))
            answer, row = decide(facts)
            if row is not None:
                await connection.execute(_numbered(insert), *row)
            return answer

    async def _commit_group(self, jobs: list[tuple]) -> list[Any]:
        """The queued scans in one transaction on the kept connection, each in a savepoint of its own."""
        assert self._kept is not None
        return await self._kept.run(kept.transaction, _sqlite_group, jobs)


def _sqlite_group(connection: sqlite3.Connection, jobs: list[tuple]) -> list[Any]:
    """Each job in a savepoint of its own: one that raises is undone alone and its caller gets the error."""
    outcomes = []
    for facts_sql, facts_args, decide, insert in jobs:
        connection.execute("SAVEPOINT scan")
        try:
            facts = dict(connection.execute(facts_sql, facts_args).fetchone())
            answer, row = decide(facts)
            if row is not None:
                connection.execute(insert, tuple(row))
        except Exception as exc:  # noqa: BLE001 - handed to the caller that asked
            connection.execute("ROLLBACK TO scan")
            outcomes.append(exc)
        else:
            outcomes.append(answer)
        connection.execute("RELEASE scan")
    return outcomes
