"""Change-log triggers on every programme table, and the version counter row.

Programme's since it moved here from syncing's migrations (unchanged otherwise): the triggers are on programme's
tables and write syncing's log, an arrow down the package graph. A database that ran it as syncing's runs it once
more as programme's, which changes nothing (every statement is CREATE OR REPLACE, DROP IF EXISTS then CREATE,
or an insert of a row that is not there yet).

Frozen: the statements are the text the live code generated when this migration was written
(festival, venue, event, trail, announcement), copied here so that later changes to live code never change
what this migration does. A domain that logs a new table copies these statements, with its table and kind, into
a migration of its own (as checkin 07:25:30 did).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-26T07:12:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "change-log triggers"

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
    "DROP TRIGGER IF EXISTS festival_log_change ON festival",
    (
        "CREATE TRIGGER festival_log_change AFTER INSERT OR UPDATE OR DELETE ON festival "
        "FOR EACH ROW EXECUTE FUNCTION lehoi_log_change('festival')"
    ),
    "DROP TRIGGER IF EXISTS venue_log_change ON venue",
    (
        "CREATE TRIGGER venue_log_change AFTER INSERT OR UPDATE OR DELETE ON venue "
        "FOR EACH ROW EXECUTE FUNCTION lehoi_log_change('venue')"
    ),
    "DROP TRIGGER IF EXISTS event_log_change ON event",
    (
        "CREATE TRIGGER event_log_change AFTER INSERT OR UPDATE OR DELETE ON event "
        "FOR EACH ROW EXECUTE FUNCTION lehoi_log_change('event')"
    ),
    "DROP TRIGGER IF EXISTS trail_log_change ON trail",
    (
        "CREATE TRIGGER trail_log_change AFTER INSERT OR UPDATE OR DELETE ON trail "
        "FOR EACH ROW EXECUTE FUNCTION lehoi_log_change('trail')"
    ),
    "DROP TRIGGER IF EXISTS announcement_log_change ON announcement",
    (
        "CREATE TRIGGER announcement_log_change AFTER INSERT OR UPDATE OR DELETE ON announcement "
        "FOR EACH ROW EXECUTE FUNCTION lehoi_log_change('announcement')"
    ),
]

SQLITE_STATEMENTS = [
    # festival: kind 'festival'
    "DROP TRIGGER IF EXISTS festival_log_insert",
    "DROP TRIGGER IF EXISTS festival_log_update",
    "DROP TRIGGER IF EXISTS festival_log_rename",
    "DROP TRIGGER IF EXISTS festival_log_delete",
    (
        "CREATE TRIGGER festival_log_insert AFTER INSERT ON festival BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'festival', NEW.id, 'upsert' FROM programme_version WHERE id = 1;"
        " END"
    ),
    (
        "CREATE TRIGGER festival_log_rename AFTER UPDATE OF id ON festival WHEN OLD.id <> NEW.id "
        "BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'festival', OLD.id, 'delete' FROM programme_version WHERE id = 1;"
        " END"
    ),
    (
        "CREATE TRIGGER festival_log_update AFTER UPDATE ON festival BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'festival', NEW.id, 'upsert' FROM programme_version WHERE id = 1;"
        " END"
    ),
    (
        "CREATE TRIGGER festival_log_delete AFTER DELETE ON festival BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'festival', OLD.id, 'delete' FROM programme_version WHERE id = 1;"
        " END"
    ),
    # venue: kind 'venue'
    "DROP TRIGGER IF EXISTS venue_log_insert",
    "DROP TRIGGER IF EXISTS venue_log_update",
    "DROP TRIGGER IF EXISTS venue_log_rename",
    "DROP TRIGGER IF EXISTS venue_log_delete",
    (
        "CREATE TRIGGER venue_log_insert AFTER INSERT ON venue BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'venue', NEW.id, 'upsert' FROM programme_version WHERE id = 1;"
        " END"
    ),
    (
        "CREATE TRIGGER venue_log_rename AFTER UPDATE OF id ON venue WHEN OLD.id <> NEW.id "
        "BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'venue', OLD.id, 'delete' FROM programme_version WHERE id = 1;"
        " END"
    ),
    (
        "CREATE TRIGGER venue_log_update AFTER UPDATE ON venue BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'venue', NEW.id, 'upsert' FROM programme_version WHERE id = 1;"
        " END"
    ),
    (
        "CREATE TRIGGER venue_log_delete AFTER DELETE ON venue BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'venue', OLD.id, 'delete' FROM programme_version WHERE id = 1;"
        " END"
    ),
    # event: kind 'event'
    "DROP TRIGGER IF EXISTS event_log_insert",
    "DROP TRIGGER IF EXISTS event_log_update",
    "DROP TRIGGER IF EXISTS event_log_rename",
    "DROP TRIGGER IF EXISTS event_log_delete",
    (
        "CREATE TRIGGER event_log_insert AFTER INSERT ON event BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'event', NEW.id, 'upsert' FROM programme_version WHERE id = 1;"
        " END"
    ),
    (
        "CREATE TRIGGER event_log_rename AFTER UPDATE OF id ON event WHEN OLD.id <> NEW.id "
        "BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'event', OLD.id, 'delete' FROM programme_version WHERE id = 1;"
        " END"
    ),
    (
        "CREATE TRIGGER event_log_update AFTER UPDATE ON event BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'event', NEW.id, 'upsert' FROM programme_version WHERE id = 1;"
        " END"
    ),
    (
        "CREATE TRIGGER event_log_delete AFTER DELETE ON event BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'event', OLD.id, 'delete' FROM programme_version WHERE id = 1;"
        " END"
    ),
    # trail: kind 'trail'
    "DROP TRIGGER IF EXISTS trail_log_insert",
    "DROP TRIGGER IF EXISTS trail_log_update",
    "DROP TRIGGER IF EXISTS trail_log_rename",
    "DROP TRIGGER IF EXISTS trail_log_delete",
    (
        "CREATE TRIGGER trail_log_insert AFTER INSERT ON trail BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'trail', NEW.id, 'upsert' FROM programme_version WHERE id = 1;"
        " END"
    ),
    (
        "CREATE TRIGGER trail_log_rename AFTER UPDATE OF id ON trail WHEN OLD.id <> NEW.id "
        "BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'trail', OLD.id, 'delete' FROM programme_version WHERE id = 1;"
        " END"
    ),
    (
        "CREATE TRIGGER trail_log_update AFTER UPDATE ON trail BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'trail', NEW.id, 'upsert' FROM programme_version WHERE id = 1;"
        " END"
    ),
    (
        "CREATE TRIGGER trail_log_delete AFTER DELETE ON trail BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'trail', OLD.id, 'delete' FROM programme_version WHERE id = 1;"
        " END"
    ),
    # announcement: kind 'announcement'
    "DROP TRIGGER IF EXISTS announcement_log_insert",
    "DROP TRIGGER IF EXISTS announcement_log_update",
    "DROP TRIGGER IF EXISTS announcement_log_rename",
    "DROP TRIGGER IF EXISTS announcement_log_delete",
    (
        "CREATE TRIGGER announcement_log_insert AFTER INSERT ON announcement BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'announcement', NEW.id, 'upsert' FROM programme_version WHERE id = 1;"
        " END"
    ),
    (
        "CREATE TRIGGER announcement_log_rename AFTER UPDATE OF id ON announcement WHEN OLD.id <> NEW.id "
        "BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'announcement', OLD.id, 'delete' FROM programme_version WHERE id = 1;"
        " END"
    ),
    (
        "CREATE TRIGGER announcement_log_update AFTER UPDATE ON announcement BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'announcement', NEW.id, 'upsert' FROM programme_version WHERE id = 1;"
        " END"
    ),
    (
        "CREATE TRIGGER announcement_log_delete AFTER DELETE ON announcement BEGIN "
        "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
        "INSERT INTO change_log (version, kind, record_id, op) "
        "SELECT version, 'announcement', OLD.id, 'delete' FROM programme_version WHERE id = 1;"
        " END"
    ),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="programme", description=DESCRIPTION)

    async def install() -> None:
        engine = engine_finder()
        await engine.run_ddl(
            "INSERT INTO programme_version (id, version, pruned_through) "
            "SELECT 1, 0, 0 WHERE NOT EXISTS (SELECT 1 FROM programme_version WHERE id = 1)"
        )
        statements = POSTGRES_STATEMENTS if isinstance(engine, PostgresEngine) else SQLITE_STATEMENTS
        for statement in statements:
            await engine.run_ddl(statement)

    manager.add_raw(install)
    return manager
