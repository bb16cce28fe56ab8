"""Check-in indexes the auto migration cannot express, and the change-log triggers of the mirrored tables."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from server.db.engine import is_postgres
from server.syncing import triggers

ID = "2026-11-26T07:25:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "check-in indexes and change-log triggers"

INDEXES = [
    # the invariant of the duplicate rule: one accepted scan per pass, venue and festival day
    "CREATE UNIQUE INDEX IF NOT EXISTS scan_accepted_once ON scan (pass_id, venue_id, day) WHERE status = 'accepted'",
    # occupancy: accepted scans at a venue in a recent window
    "CREATE INDEX IF NOT EXISTS scan_venue_time ON scan (venue_id, scanned_at)",
    "CREATE INDEX IF NOT EXISTS scan_day_hour ON scan (day, hour)",
    # the passport: one stamp per device and venue
    "CREATE UNIQUE INDEX IF NOT EXISTS stamp_device_venue ON stamp (device_id, venue_id)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="checkin", description=DESCRIPTION)

    async def install() -> None:
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)
        tables = triggers.DOMAIN_LOGGED_TABLES
        statements = triggers.postgres_statements(tables) if is_postgres(engine) else triggers.sqlite_statements(tables)
        for statement in statements:
            await engine.run_ddl(statement)

    manager.add_raw(install)
    return manager
