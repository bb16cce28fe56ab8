"""Change-log triggers on every programme table, and the version counter row."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from server.db.engine import is_postgres
from server.syncing import triggers

ID = "2026-11-26T07:12:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "change-log triggers"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="syncing", description=DESCRIPTION)

    async def install() -> None:
        engine = engine_finder()
        await engine.run_ddl(
            "INSERT INTO programme_version (id, version, pruned_through) "
            "SELECT 1, 0, 0 WHERE NOT EXISTS (SELECT 1 FROM programme_version WHERE id = 1)"
        )
        statements = triggers.postgres_statements() if is_postgres(engine) else triggers.sqlite_statements()
        for statement in statements:
            await engine.run_ddl(statement)

    manager.add_raw(install)
    return manager
