"""The two kinds of transaction lehoi needs, spelled once for both engines."""

from __future__ import annotations

from collections.abc import AsyncIterator
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
