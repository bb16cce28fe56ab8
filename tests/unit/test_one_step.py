"""server/db/bulk.py `in_one_step`: a writer whose awaits are the driver's statements runs to its end on a kept
connection's thread, inside the process writer's transaction; one that awaits anything else is refused and leaves
nothing written."""

from __future__ import annotations

import asyncio
import sqlite3
import threading

import pytest
from piccolo.engine.sqlite import SQLiteEngine

from server.db.bulk import fetch, in_one_step, insert_rows
from server.db.kept import sqlite_writer


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
    writer = sqlite_writer(engine)
    threads: set[str] = set()

    async def write() -> list[str]:
        threads.add(threading.current_thread().name)
        await insert_rows(engine, "note", ("id", "body"), [(1, "a"), (2, "b")], skip_conflicts_on="id")
        await fetch(engine, "UPDATE note SET body = $1 WHERE id = $2", "c", 2)
        threads.add(threading.current_thread().name)
        return [row["body"] for row in await fetch(engine, "SELECT body FROM note ORDER BY id")]

    try:
        assert await writer.transact(in_one_step, write) == ["a", "c"]
    finally:
        await writer.close()
    assert len(threads) == 1 and threads.pop().startswith("lehoi-sqlite")
    assert stored(database) == [(1, "a"), (2, "c")]


async def test_a_writer_that_awaits_anything_else_is_refused_and_rolled_back(database):
    engine = SQLiteEngine(path=str(database))
    writer = sqlite_writer(engine)

    async def write() -> None:
        await insert_rows(engine, "note", ("id", "body"), [(1, "a")])
        await asyncio.sleep(0)  # would need the event loop, which the connection's thread does not run

    try:
        with pytest.raises(RuntimeError, match="one step"):
            await writer.transact(in_one_step, write)
    finally:
        await writer.close()
    assert stored(database) == []


async def test_works_queued_together_commit_together_and_one_that_raises_is_undone_alone(database):
    """The writer's group commit: works submitted while none is being written share one transaction, each in a
    savepoint, so a failing work leaves nothing and its neighbours are still committed, with one COMMIT."""
    writer = sqlite_writer(SQLiteEngine(path=str(database)))
    statements: list[str] = []

    def insert(connection: sqlite3.Connection, n: int) -> None:
        if n == 1:  # from here on, every statement the writer's connection runs
            connection.set_trace_callback(statements.append)
        connection.execute("INSERT INTO note (id, body) VALUES (?, ?)", (n, f"n{n}"))
        if n == 3:
            raise ValueError("the third fails")

    try:
        outcomes = await asyncio.gather(*(writer.transact(insert, n) for n in range(1, 6)), return_exceptions=True)
    finally:
        await writer.close()
    assert [type(o).__name__ for o in outcomes] == ["NoneType", "NoneType", "ValueError", "NoneType", "NoneType"]
    assert stored(database) == [(1, "n1"), (2, "n2"), (4, "n4"), (5, "n5")]
    assert statements.count("COMMIT") == 1 and "BEGIN IMMEDIATE" not in statements
    assert statements.count("ROLLBACK TO work") == 1
