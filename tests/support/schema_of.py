"""One empty database built either by the migrations or from the Table classes, and its schema as JSON.

    python -m tests.support.schema_of migrated|declared OUT.json [--fresh-from POSTGRES_URL]

Run as a process of its own by tests/unit/test_migrations.py: PICCOLO_CONF=server.db.piccolo_conf picks the
engine from LEHOI_DATA_DIR / LEHOI_DATABASE_URL when it is imported, so each database needs its own process.
The database must start empty: an SQLite data directory without a file, or, with --fresh-from (a URL of
the same PostgreSQL server to connect to meanwhile), the database of LEHOI_DATABASE_URL, which is created
here and dropped again once its schema is written.

The schema is read from the database's own catalogue (sqlite_master and PRAGMAs; pg_catalog), never from
Piccolo, so both builds are described the same way.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import sys
from pathlib import Path
from urllib.parse import urlsplit

#: Piccolo's record of applied migrations, which only the migrated database has
BOOKKEEPING = {"migration"}


async def build(how: str) -> None:
    os.environ["PICCOLO_CONF"] = "server.db.piccolo_conf"
    if how == "migrated":
        from server.db.migrate import migrate_all

        await migrate_all()
    elif how == "declared":
        from piccolo.conf.apps import Finder
        from piccolo.table import create_db_tables

        await create_db_tables(*Finder().get_table_classes())
    else:
        raise SystemExit(f"build how? {how!r}")


def sqlite_schema(path: Path) -> dict:
    db = sqlite3.connect(path)
    try:
        tables = {}
        names = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        for table in names:
            if table in BOOKKEEPING:
                continue
            columns = {
                name: {"type": kind, "not null": bool(not_null), "default": default, "primary key": bool(pk)}
                for _, name, kind, not_null, default, pk in db.execute(f'PRAGMA table_info("{table}")')
            }
            indexes = {}
            for _, name, unique, origin, partial in db.execute(f'PRAGMA index_list("{table}")'):
                keys = ", ".join(row[2] for row in db.execute(f'PRAGMA index_info("{name}")'))
                where = ""
                if partial:
                    (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()
                    where = " WHERE " + sql.split(" WHERE ", 1)[1]
                # SQLite numbers the indexes of UNIQUE / PRIMARY KEY columns by column position: not a name to compare
                shown = f"({origin})" if name.startswith("sqlite_autoindex_") else name
                definition = f"{'UNIQUE ' if unique else ''}INDEX {shown} ON {table} ({keys}){where}"
                indexes[definition if shown.startswith("(") else name] = definition
            constraints = sorted(
                f"FOREIGN KEY ({source}) REFERENCES {target}({target_column}) ON UPDATE {on_update} "
                f"ON DELETE {on_delete}"
                for _, _, target, source, target_column, on_update, on_delete, _ in db.execute(
                    f'PRAGMA foreign_key_list("{table}")'
                )
            )
            tables[table] = {"columns": columns, "indexes": indexes, "constraints": constraints}
        triggers = {
            name: {"table": table, "definition": sql}
            for name, table, sql in db.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        }
        return {"tables": tables, "triggers": triggers, "functions": [], "programme_version": rows(db.execute, names)}
    finally:
        db.close()


def rows(execute, names) -> list | None:
    return [list(row) for row in execute("SELECT * FROM programme_version")] if "programme_version" in names else None


async def postgres_schema(url: str) -> dict:
    import asyncpg

    db = await asyncpg.connect(url)
    try:
        tables = {}
        names = [
            r["relname"]
            for r in await db.fetch(
                "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'"
            )
        ]
        for table in sorted(set(names) - BOOKKEEPING):
            columns = {
                r["column_name"]: {
                    "type": r["udt_name"] + (f"({n})" if (n := r["character_maximum_length"]) else ""),
                    "not null": r["is_nullable"] == "NO",
                    "default": r["column_default"],
                }
                for r in await db.fetch(
                    "SELECT column_name, udt_name, character_maximum_length, is_nullable, column_default "
                    "FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
                    table,
                )
            }
            primary = await db.fetch(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = $1::regclass AND i.indisprimary",
                table,
            )
            for name, column in columns.items():
                column["primary key"] = name in {r["attname"] for r in primary}
            indexes = {
                r["indexname"]: r["indexdef"]
                for r in await db.fetch(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = $1", table
                )
            }
            constraints = sorted(
                f"{r['conname']}: {r['definition']}"
                for r in await db.fetch(
                    "SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint "
                    "WHERE conrelid = $1::regclass",
                    table,
                )
            )
            tables[table] = {"columns": columns, "indexes": indexes, "constraints": constraints}
        triggers = {
            r["tgname"]: {"table": r["table"], "definition": r["definition"]}
            for r in await db.fetch(
                "SELECT tgname, tgrelid::regclass::text AS table, pg_get_triggerdef(oid) AS definition "
                "FROM pg_trigger WHERE NOT tgisinternal"
            )
        }
        functions = sorted(
            r["proname"]
            for r in await db.fetch("SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace")
        )
        version = None
        if "programme_version" in names:
            version = [list(r.values()) for r in await db.fetch("SELECT * FROM programme_version")]
        return {"tables": tables, "triggers": triggers, "functions": functions, "programme_version": version}
    finally:
        await db.close()


async def main(how: str, out: Path, fresh_from: str | None) -> None:
    url = os.environ.get("LEHOI_DATABASE_URL", "")
    if not url:
        path = Path(os.environ["LEHOI_DATA_DIR"]) / "lehoi.sqlite"
        assert not path.exists(), f"{path} is not empty"
        await build(how)
        schema = sqlite_schema(path)
    else:
        assert fresh_from, "a PostgreSQL build needs --fresh-from, to create its database"
        import asyncpg

        name = urlsplit(url).path.lstrip("/")
        admin = await asyncpg.connect(fresh_from)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{name}"')
            try:
                await build(how)
                from piccolo.engine import engine_finder

                engine = engine_finder()
                if engine.pool is not None:
                    await engine.close_connection_pool()
                schema = await postgres_schema(url)
            finally:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
    out.write_text(json.dumps(schema, indent=1, sort_keys=True), encoding="utf-8")


if __name__ == "__main__":
    args = sys.argv[1:]
    fresh = None
    if "--fresh-from" in args:
        at = args.index("--fresh-from")
        fresh = args[at + 1]
        del args[at : at + 2]
    asyncio.run(main(args[0], Path(args[1]), fresh))
