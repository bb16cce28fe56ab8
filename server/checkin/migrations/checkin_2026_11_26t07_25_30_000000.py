"""Check-in indexes the auto migration cannot express, and the change-log triggers of the mirrored tables.

Frozen: the trigger statements are the text the live code generated for revoked_pass and pass_key
when this migration was written, copied here so that later changes to live code never change what this
migration does. The trigger function is syncing's (CREATE OR REPLACE, the same text as there).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

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

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION lehoi_log_change() RETURNS trigger AS $$
DECLARE
    v bigint;
BEGIN
    IF TG_OP = 'UPDATE' AND to_jsonb(OLD) = to_jsonb(NEW) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.id <> NEW.id THEN
        UPDATE programme_version SET version = version + 1 WHERE id = 1 RETURNING version INTO v;
        INSERT INTO change_log (version, kind, record_id, op) VALUES (v, TG_ARGV[0], OLD.id::text, 'delete');
    END IF;
    UPDATE programme_version SET version = version + 1 WHERE id = 1 RETURNING version INTO v;
    IF TG_OP = 'DELETE' THEN
        INSERT INTO change_log (version, kind, record_id, op) VALUES (v, TG_ARGV[0], OLD.id::text, 'delete');
    ELSE
        INSERT INTO change_log (version, kind, record_id, op) VALUES (v, TG_ARGV[0], NEW.id::text, 'upsert');
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""

POSTGRES_STATEMENTS = [
    POSTGRES_FUNCTION,
    "DROP TRIGGER IF EXISTS revoked_pass_log_change ON revoked_pass",
    (
        "CREATE TRIGGER revoked_pass_log_change AFTER INSERT OR UPDATE OR DELETE ON revoked_pass "
        "FOR EACH ROW EXECUTE FUNCTION lehoi_log_change('revoked_pass')"
    ),
    "DROP TRIGGER IF EXISTS pass_key_log_change ON pass_key",
    (
        "CREATE TRIGGER pass_key_log_change AFTER INSERT OR UPDATE OR DELETE ON pass_key "
        "FOR EACH ROW EXECUTE FUNCTION lehoi_log_change('pass_key')"
    ),
]

SQLITE_STATEMENTS = [
    # revoked_pass: kind 'revoked_pass'
    "DROP TRIGGER IF EXISTS revoked_pass_log_insert",
    "DROP TRIGGER IF EXISTS revoked_pass_log_update",
    "DROP TRIGGER IF EXISTS revoked_pass_log_rename",
    "DROP TRIGGER IF EXISTS revoked_pass_log_delete",
    (
        "CREATE TRIGGER revoked_pass_log_insert AFTER INSERT ON revoked_pass BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'revoked_pass', NEW.id, 'upsert' FROM programme_version WHERE id = 1;"
        " END"
    ),
    (
        "CREATE TRIGGER revoked_pass_log_rename AFTER UPDATE OF id ON revoked_pass WHEN OLD.id <> NEW.id "
        "BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'revoked_pass', OLD.id, 'delete' FROM programme_version WHERE id = 1;"
        " END"
    ),
    (
        "CREATE TRIGGER revoked_pass_log_update AFTER UPDATE ON revoked_pass BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'revoked_pass', NEW.id, 'upsert' FROM programme_version WHERE id = 1;"
        " END"
    ),
    (
        "CREATE TRIGGER revoked_pass_log_delete AFTER DELETE ON revoked_pass BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'revoked_pass', OLD.id, 'delete' FROM programme_version WHERE id = 1;"
        " END"
    ),
    # pass_key: kind 'pass_key'
    "DROP TRIGGER IF EXISTS pass_key_log_insert",
    "DROP TRIGGER IF EXISTS pass_key_log_update",
    "DROP TRIGGER IF EXISTS pass_key_log_rename",
    "DROP TRIGGER IF EXISTS pass_key_log_delete",
    (
        "CREATE TRIGGER pass_key_log_insert AFTER INSERT ON pass_key BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'pass_key', NEW.id, 'upsert' FROM programme_version WHERE id = 1;"
        " END"
    ),
    (
        "CREATE TRIGGER pass_key_log_rename AFTER UPDATE OF id ON pass_key WHEN OLD.id <> NEW.id "
        "BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'pass_key', OLD.id, 'delete' FROM programme_version WHERE id = 1;"
        " END"
    ),
    (
        "CREATE TRIGGER pass_key_log_update AFTER UPDATE ON pass_key BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'pass_key', NEW.id, 'upsert' FROM programme_version WHERE id = 1;"
        " END"
    ),
    (
        "CREATE TRIGGER pass_key_log_delete AFTER DELETE ON pass_key BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'pass_key', OLD.id, 'delete' FROM programme_version WHERE id = 1;"
        " END"
    ),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="checkin", description=DESCRIPTION)

    async def install() -> None:
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)
        statements = POSTGRES_STATEMENTS if isinstance(engine, PostgresEngine) else SQLITE_STATEMENTS
        for statement in statements:
            await engine.run_ddl(statement)

    manager.add_raw(install)
    return manager
