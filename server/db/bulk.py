"""Multi-row INSERTs for batches (hundreds of rows per statement), on the current transaction's connection.

Piccolo builds a Table object per row and bundles every value through its QueryString, which costs tens of
microseconds a row; a batch of 500 mutations spent more time there than in the database. Here the statement is
written once with the driver's own placeholders and its values handed over as they are (SQLite's adapters, which
Piccolo registers, still convert dates and times).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from piccolo.engine.base import Engine

from server.db.engine import is_postgres

#: bound parameters per statement, under SQLite's 32766 and asyncpg's 32767
MAX_PARAMS = 30_000


async def insert_rows(
    engine: Engine,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    skip_conflicts_on: str | None = None,
) -> None:
    """Insert `rows` (tuples in `columns` order) into `table`, inside the current transaction.

    With `skip_conflicts_on` (a unique column), a row whose value is already stored is skipped.
    """
    if not rows:
        return
    transaction = engine.current_transaction.get()
    if transaction is None:
        raise RuntimeError("insert_rows must run inside a transaction")
    postgres = is_postgres(engine)
    width = len(columns)
    per_chunk = max(1, MAX_PARAMS // width)
    head = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES '
    tail = f" ON CONFLICT ({skip_conflicts_on}) DO NOTHING" if skip_conflicts_on else ""
    connection = transaction.connection
    for start in range(0, len(rows), per_chunk):
        chunk = rows[start : start + per_chunk]
        args = [value for row in chunk for value in row]
        if postgres:
            marks = ", ".join(
                "(" + ", ".join(f"${n}" for n in range(i * width + 1, i * width + width + 1)) + ")"
                for i in range(len(chunk))
            )
            await connection.execute(head + marks + tail, *args)
        else:
            marks = ", ".join(["(" + ", ".join("?" * width) + ")"] * len(chunk))
            cursor = await connection.execute(head + marks + tail, args)
            await cursor.close()
