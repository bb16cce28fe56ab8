"""A kept SQLite connection for hot paths: one sqlite3 connection on one thread of its own.

Piccolo opens a new aiosqlite connection (a new thread) for every query or transaction outside one, and every
statement is a hop between the event loop and that thread; on a busy machine each hop waits for a time slice,
so a request of a dozen hops takes tens of milliseconds doing almost nothing. A kept connection runs a whole
function on its thread in one hop, and never opens a connection per request.

Use it for short, hot work only (a principal lookup, a gate check-in): calls queue one after another on the
thread. The hot writers share one (`SqliteWriter`), whose transactions begin with `BEGIN IMMEDIATE`, as every
lehoi writer does, and so serialise with Piccolo's writers through SQLite's lock (the busy timeout is the
engine's). Importing Piccolo's SQLite engine has registered the adapters, so dates and times are stored exactly
as Piccolo stores them.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from piccolo.engine.base import Engine

from server.db.engine import SQLITE_BUSY_TIMEOUT_S, is_postgres
from server.db.group_commit import GroupCommit

T = TypeVar("T")


class KeptSqlite:
    def __init__(self, path: str, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self._executor: ThreadPoolExecutor | None = None
        self._connection: sqlite3.Connection | None = None

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """`work(connection, *args)` on the connection's thread."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lehoi-sqlite")
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._call, work, args)

    def submit(self, work: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """Start `work(connection, *args)` on the connection's thread now; await the future for its result.

        Unlike `run`, the work starts before the caller yields to the event loop, so it can overlap CPU work the
        caller does meanwhile (SQLite releases the GIL while it reads)."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lehoi-sqlite")
        return asyncio.get_running_loop().run_in_executor(self._executor, self._call, work, args)

    def _call(self, work: Callable[..., T], args: tuple) -> T:
        if self._connection is None:
            # isolation_level=None: statements autocommit unless the work writes BEGIN … COMMIT itself
            self._connection = sqlite3.connect(
                self.path,
                timeout=self.timeout,
                isolation_level=None,
                detect_types=sqlite3.PARSE_DECLTYPES,
                check_same_thread=False,
            )
            self._connection.row_factory = sqlite3.Row
        return work(self._connection, *args)

    async def close(self) -> None:
        executor, self._executor = self._executor, None
        if executor is None:
            return
        connection, self._connection = self._connection, None
        if connection is not None:
            await asyncio.get_running_loop().run_in_executor(executor, connection.close)
        executor.shutdown(wait=False)


def kept_connection(engine: Engine) -> KeptSqlite | None:
    """A kept connection to the engine's SQLite file, or None on PostgreSQL, whose pool already keeps connections.

    The one place a long-lived SQLite connection is opened; each caller keeps and closes its own, so a slow
    reader never queues behind a writer's work on one thread.
    """
    return None if is_postgres(engine) else KeptSqlite(engine.path, SQLITE_BUSY_TIMEOUT_S)


class SqliteWriter:
    """The process's one writer on the SQLite file: the hot writers' transactions (mutation uploads, live
    check-ins) queue on one kept connection and commit together.

    With a kept connection each, the two writers met in SQLite's lock: one waited in the busy handler, which sleeps
    up to 100 ms between tries, while the other committed, and each paid a flush to disk of its own (py-spy at half
    load: the writers' threads spent most of their time in COMMIT and in BEGIN IMMEDIATE). Here a work submitted
    while a transaction is being written joins the next one (group commit), each work in a savepoint of its own, so
    one that raises is undone alone and only its caller gets the error.
    """

    def __init__(self, path: str, timeout: float) -> None:
        self._kept = KeptSqlite(path, timeout)
        self._commits: GroupCommit[tuple[Callable[..., Any], tuple], Any] = GroupCommit(self._commit)

    async def transact(self, work: Callable[..., T], *args: Any) -> T:
        """`work(connection, *args)` inside a write transaction, durable once this returns; rolled back if it
        raises."""
        return await self._commits.submit((work, args))

    async def _commit(self, jobs: list[tuple[Callable[..., Any], tuple]]) -> list[Any]:
        return await self._kept.run(transaction, _each_in_a_savepoint, jobs)

    async def close(self) -> None:
        await self._kept.close()


def sqlite_writer(engine: Engine) -> SqliteWriter | None:
    """The writer of the engine's SQLite file, or None on PostgreSQL (its writers take a pooled connection each and
    lock what they need); the app makes one and hands it to every hot writer."""
    return None if is_postgres(engine) else SqliteWriter(engine.path, SQLITE_BUSY_TIMEOUT_S)


def transaction(connection: sqlite3.Connection, work: Callable[..., T], *args: Any) -> T:
    """`work(connection, *args)` inside BEGIN IMMEDIATE … COMMIT, rolled back if it raises."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        result = work(connection, *args)
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    return result


def _each_in_a_savepoint(connection: sqlite3.Connection, jobs: list[tuple[Callable[..., Any], tuple]]) -> list[Any]:
    """Each job in a savepoint of its own: its answer, or the exception it raised (and whatever it wrote undone)."""
    outcomes: list[Any] = []
    for work, args in jobs:
        connection.execute("SAVEPOINT work")
        try:
            outcomes.append(work(connection, *args))
        except Exception as exc:  # noqa: BLE001 - handed to the caller that asked
            connection.execute("ROLLBACK TO work")
            outcomes.append(exc)
        connection.execute("RELEASE work")
    return outcomes
