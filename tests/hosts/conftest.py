"""Several hosts of one deployment: `lehoi serve` processes on ports of their own (standing for machines) that
share one PostgreSQL database and their keys, and nothing else (each has its own data directory)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.support.live_server import LiveServer


def require_postgres() -> None:
    if not os.environ.get("LEHOI_DATABASE_URL"):
        pytest.skip("several hosts share one PostgreSQL database: set LEHOI_DATABASE_URL (SQLite is one host's file)")


def query(server: LiveServer, sql: str, *args) -> list[dict]:
    """Rows of `sql` read straight from the hosts' database, as an operator's psql would."""

    async def run() -> list[dict]:
        connection = await asyncpg.connect(server.database_url)
        try:
            return [dict(row) for row in await connection.fetch(sql, *args)]
        finally:
            await connection.close()

    return asyncio.run(run())


@pytest.fixture
def hosts(tmp_path: Path) -> Iterator[Callable[..., list[LiveServer]]]:
    """`hosts(n, now=…, env=…)`: n started hosts of one deployment; all stopped, their database dropped, after."""
    require_postgres()
    made: list[LiveServer] = []

    def make(n: int = 2, **options) -> list[LiveServer]:
        first = LiveServer(tmp_path, **options)
        made.append(first)
        made.extend(LiveServer(tmp_path, host_of=first, **options) for _ in range(n - 1))
        for server in made:
            server.start()
        return list(made)

    yield make
    for server in reversed(made):  # the first host, which owns the database, last
        server.stop()
