"""server/db/engine.py writer_turn: a process's SQLite writers wait for one another in arrival order, on the event
loop, rather than in SQLite's busy handler on their connection's thread."""

from __future__ import annotations

import asyncio

from piccolo.engine.sqlite import SQLiteEngine

from server.db.engine import SQLITE_BUSY_TIMEOUT_S, writer_lock
from server.db.kept import KeptSqlite
from server.db.transactions import write_transaction


def _insert(connection, n: int, order: list[int]) -> None:
    connection.execute("INSERT INTO t VALUES (?)", (n,))
    order.append(n)


async def test_a_kept_writer_waits_its_turn_without_holding_its_thread(tmp_path):
    path = str(tmp_path / "turn.sqlite")
    engine = SQLiteEngine(path=path, timeout=SQLITE_BUSY_TIMEOUT_S)
    await engine.run_ddl("PRAGMA journal_mode=WAL")
    await engine.run_ddl("CREATE TABLE t (n INTEGER)")
    kept = KeptSqlite(path, SQLITE_BUSY_TIMEOUT_S)
    order: list[int] = []
    try:
        async with write_transaction(engine):
            await engine.run_ddl("INSERT INTO t VALUES (1)")
            order.append(1)
            second = asyncio.ensure_future(kept.write(_insert, 2, order))
            third = asyncio.ensure_future(kept.write(_insert, 3, order))
            for _ in range(5):
                await asyncio.sleep(0)
            assert writer_lock(path).locked() and not second.done() and not third.done()
            # the waiting writers hold neither the kept connection's thread nor SQLite's lock: a read on that
            # connection is answered now (from the last commit), instead of after the busy timeout
            count = await kept.run(lambda connection: connection.execute("SELECT count(*) FROM t").fetchone()[0])
            assert count == 0
        await asyncio.gather(second, third)
        rows = await kept.run(lambda connection: connection.execute("SELECT n FROM t ORDER BY rowid").fetchall())
        assert [r[0] for r in rows] == [1, 2, 3] == order
        assert not writer_lock(path).locked()
    finally:
        await kept.close()
