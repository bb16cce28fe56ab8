"""Engine choice and tuning: SQLite (WAL, busy timeout) by default, PostgreSQL with a pool by URL."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from server.settings import Settings

#: seconds a writer waits for SQLite's lock before giving up (sqlite3's busy timeout).
SQLITE_BUSY_TIMEOUT_S = 15
T = TypeVar("T")
#: per event loop, per SQLite file: the lock a writer of this process holds while its transaction is open
#: (WeakKeyDictionary: a loop's locks go with it)
_WRITER_TURNS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def make_engine(settings: Settings) -> Engine:
    """The Piccolo engine the settings ask for."""
    if settings.uses_postgres:
        return PostgresEngine(config={"dsn": settings.database_url}, extensions=())
    if settings.database_url:
        raise ValueError(f"LEHOI_DATABASE_URL must be postgresql://…, got {settings.database_url!r}")
    settings.data_path.mkdir(parents=True, exist_ok=True)
    return SQLiteEngine(path=str(settings.sqlite_path), timeout=SQLITE_BUSY_TIMEOUT_S)


async def open_engine(engine: Engine, settings: Settings) -> None:
    """Start-of-life tuning: WAL on SQLite (persistent in the file), a pool on PostgreSQL."""
    if isinstance(engine, PostgresEngine):
        if engine.pool is None:
            await engine.start_connection_pool(min_size=1, max_size=settings.pool_size)
    else:
        await engine.run_ddl("PRAGMA journal_mode=WAL")


async def close_engine(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()


def unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be reached right now (a restart, a failover, a full pool, SQLite's
    lock held past the busy timeout): the request may be tried again, unlike a fault in the request itself."""
    import errno
    import sqlite3

    from asyncpg import exceptions as pg

    if isinstance(
        exc,
        (
            pg.PostgresConnectionError,
            pg.OperatorInterventionError,
            pg.TooManyConnectionsError,
            pg.ConnectionDoesNotExistError,
            ConnectionError,
            TimeoutError,
            # what a database closed to connections (ALLOW_CONNECTIONS false, during maintenance) answers
            pg.ObjectNotInPrerequisiteStateError,
        ),
    ):
        return True
    if isinstance(exc, pg.InternalClientError) and "another operation" in str(exc):
        # a pooled connection the server has just terminated, handed out before asyncpg saw its socket close: it
        # is still consuming the termination's error, and the pool replaces it once the close arrives
        return True
    if isinstance(exc, OSError) and (
        exc.errno in (errno.ECONNREFUSED, errno.ECONNRESET, errno.EHOSTUNREACH, errno.ENETUNREACH)
        or "Connect call failed" in str(exc)  # asyncio's error when every address refused
    ):
        return True
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


def writer_lock(path: str) -> asyncio.Lock:
    """The lock this process's writers of the SQLite file at `path` take in turn (`writer_turn`)."""
    locks = _WRITER_TURNS.setdefault(asyncio.get_running_loop(), {})
    lock = locks.get(path)
    if lock is None:
        lock = locks[path] = asyncio.Lock()
    return lock


@asynccontextmanager
async def writer_turn(path: str) -> AsyncIterator[None]:
    """This process's turn to write the SQLite file at `path`, taken in arrival order before BEGIN IMMEDIATE.

    SQLite lets one writer in at a time; one that finds the lock taken sleeps in its busy handler (1, 2, 5 … up to
    100 ms between tries) and is not woken when the lock frees, so under a mix of writers (uploads beside gate
    scans) a write waited hundreds of milliseconds while the file was free, and the writers did not take turns.
    Waiting here instead wakes the next writer the moment the previous one commits. A turn not had within the busy
    timeout fails as the busy handler would (TimeoutError: 503, try again); other processes on the same file still
    meet the busy handler."""
    lock = writer_lock(path)
    try:
        async with asyncio.timeout(SQLITE_BUSY_TIMEOUT_S):
            await lock.acquire()
    except TimeoutError:
        raise TimeoutError(f"no turn to write the database within {SQLITE_BUSY_TIMEOUT_S} s") from None
    try:
        yield
    finally:
        lock.release()


def is_postgres(engine: Engine) -> bool:
    return isinstance(engine, PostgresEngine)


async def with_engine(work: Callable[[Engine], Awaitable[T]]) -> T:
    """`work(engine)` with the configured engine open, for commands that run outside the server."""
    from piccolo.engine import engine_finder

    from server.settings import load_settings

    engine = engine_finder()
    await open_engine(engine, load_settings())
    try:
        return await work(engine)
    finally:
        await close_engine(engine)
