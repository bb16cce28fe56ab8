"""A kept SQLite connection for hot paths: one sqlite3 connection on one thread of its own.

Piccolo opens a new aiosqlite connection (a new thread) for every query or transaction outside one, and every
statement is a hop between the event loop and that thread; on a busy machine each hop waits for a time slice,
so a request of a dozen hops takes tens of milliseconds doing almost nothing. A kept connection runs a whole
function on its thread in one hop, and never opens a connection per request.

Use it for short, hot work only (a principal lookup, a gate check-in): calls queue one after another on the
thread. Write transactions begin with `BEGIN IMMEDIATE`, as every lehoi writer does, and so serialise with
Piccolo's writers through SQLite's lock (the busy timeout is the engine's). Importing Piccolo's SQLite engine has
registered the adapters, so dates and times are stored exactly as Piccolo stores them.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from piccolo.engine.base import Engine

from server.db.engine import SQLITE_BUSY_TIMEOUT_S, is_postgres

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
