"""Composite unique index: a replayed mutation must hit it rather than be stored twice."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T07:18:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite unique index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="syncing", description=DESCRIPTION)

    async def unique_index() -> None:
        await engine_finder().run_ddl("CREATE UNIQUE INDEX IF NOT EXISTS applied_mutation_client_mutation ON applied_mutation (client_id, mutation_id)")

    manager.add_raw(unique_index)
    return manager
