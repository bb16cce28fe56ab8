"""Engine choice and tuning: SQLite (WAL, busy timeout) by default, PostgreSQL with a pool by URL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from server.settings import Settings

#: seconds a writer waits for SQLite's lock before giving up (sqlite3's busy timeout).
SQLITE_BUSY_TIMEOUT_S = 15
T = TypeVar("T")


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
    if isinstance(exc, pg.InterfaceError) and "connection is closed" in str(exc):
        # a transaction's COMMIT or ROLLBACK on a connection the server terminated under it (a restart)
        return True
    if isinstance(exc, OSError) and (
        exc.errno in (errno.ECONNREFUSED, errno.ECONNRESET, errno.EHOSTUNREACH, errno.ENETUNREACH)
        or "Connect call failed" in str(exc)  # asyncio's error when every address refused
    ):
        return True
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


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
