"""The two kinds of transaction lehoi needs, spelled once for both engines, and the locks taken inside them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from piccolo.engine.base import Engine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from server.db.engine import is_postgres


@asynccontextmanager
async def write_transaction(engine: Engine) -> AsyncIterator[None]:
    """A writing transaction; on SQLite it takes the write lock up front so it never fails mid-way."""
    if isinstance(engine, SQLiteEngine):
        async with engine.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with engine.transaction():
            yield


@asynccontextmanager
async def snapshot_transaction(engine: Engine) -> AsyncIterator[None]:
    """A read-only transaction in which every query sees the same committed state."""
    async with engine.transaction():
        if is_postgres(engine):
            await engine.run_ddl("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


#: a transaction-scoped advisory lock on a name (PostgreSQL, asyncpg's placeholder), released at commit or rollback
ADVISORY_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext($1))"


async def lock_names(engine: Engine, names: Iterable[str]) -> None:
    """Inside a writing transaction: locks on names, taken in sorted order so two holders never deadlock.

    PostgreSQL only: on SQLite the write transaction already holds the one writer lock."""
    if not is_postgres(engine):
        return
    connection = engine.current_transaction.get().connection
    for name in sorted(set(names)):
        await connection.execute(ADVISORY_LOCK_SQL, name)
