"""server/db/bulk.py `in_one_step`: a writer whose awaits are the driver's statements runs to its end on a kept
connection's thread, inside that connection's transaction; one that awaits anything else is refused and leaves
nothing written."""

from __future__ import annotations

import asyncio
import sqlite3
import threading

import pytest
from piccolo.engine.sqlite import SQLiteEngine

from server.db import kept
from server.db.bulk import fetch, in_one_step, insert_rows
from server.db.kept import kept_connection


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "one_step.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)")
    return path


def stored(path) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT id, body FROM note ORDER BY id").fetchall()


async def test_a_writer_of_driver_statements_runs_in_one_step_on_the_kept_thread(database):
    engine = SQLiteEngine(path=str(database))
    connection = kept_connection(engine)
    threads: set[str] = set()

    async def write() -> list[str]:
        threads.add(threading.current_thread().name)
        await insert_rows(engine, "note", ("id", "body"), [(1, "a"), (2, "b")], skip_conflicts_on="id")
        await fetch(engine, "UPDATE note SET body = $1 WHERE id = $2", "c", 2)
        threads.add(threading.current_thread().name)
        return [row["body"] for row in await fetch(engine, "SELECT body FROM note ORDER BY id")]

    try:
        assert await connection.run(kept.transaction, in_one_step, write) == ["a", "c"]
    finally:
        await connection.close()
    assert len(threads) == 1 and threads.pop().startswith("lehoi-sqlite")
    assert stored(database) == [(1, "a"), (2, "c")]


async def test_a_writer_that_awaits_anything_else_is_refused_and_rolled_back(database):
    engine = SQLiteEngine(path=str(database))
    connection = kept_connection(engine)

    async def write() -> None:
        await insert_rows(engine, "note", ("id", "body"), [(1, "a")])
        await asyncio.sleep(0)  # would need the event loop, which the connection's thread does not run

    try:
        with pytest.raises(RuntimeError, match="one step"):
            await connection.run(kept.transaction, in_one_step, write)
    finally:
        await connection.close()
    assert stored(database) == []
