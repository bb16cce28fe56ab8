"""Database triggers that log every programme write, whichever path made it (API, /admin, CLI, fixtures).

Table name → change kind. The version counter is bumped in the writing transaction itself, so a
rolled-back write leaves no gap and concurrent writers serialise on the counter row.
"""

from __future__ import annotations

#: tables whose rows phones mirror, with the kind name used on the wire
LOGGED_TABLES: dict[str, str] = {
    "festival": "festival",
    "venue": "venue",
    "event": "event",
    "trail": "trail",
    "announcement": "announcement",
}

_POSTGRES_FUNCTION = """
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

_SQLITE_BUMP = "UPDATE programme_version SET version = version + 1 WHERE id = 1;"
_SQLITE_LOG = (
    "INSERT INTO change_log (version, kind, record_id, op) "
    "SELECT version, '{kind}', {ref}.id, '{op}' FROM programme_version WHERE id = 1;"
)


#: logged tables of other domains, which install their triggers in their own migrations (after their tables
#: exist) with `postgres_statements(tables)` / `sqlite_statements(tables)`; listed here so the kinds are known
DOMAIN_LOGGED_TABLES: dict[str, str] = {
    "revoked_pass": "revoked_pass",  # server.checkin: revocations reach phones' offline verifiers
    "pass_key": "pass_key",  # server.checkin: public signing keys, so a rotation reaches phones
}


def postgres_statements(tables: dict[str, str] | None = None) -> list[str]:
    statements = [_POSTGRES_FUNCTION]
    for table, kind in (LOGGED_TABLES if tables is None else tables).items():
        statements.append(f"DROP TRIGGER IF EXISTS {table}_log_change ON {table}")
        statements.append(
            f"CREATE TRIGGER {table}_log_change AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION lehoi_log_change('{kind}')"
        )
    return statements


def sqlite_statements(tables: dict[str, str] | None = None) -> list[str]:
    statements = []
    for table, kind in (LOGGED_TABLES if tables is None else tables).items():
        upsert = _SQLITE_BUMP + _SQLITE_LOG.format(kind=kind, ref="NEW", op="upsert")
        delete = _SQLITE_BUMP + _SQLITE_LOG.format(kind=kind, ref="OLD", op="delete")
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_log_insert",
            f"DROP TRIGGER IF EXISTS {table}_log_update",
            f"DROP TRIGGER IF EXISTS {table}_log_rename",
            f"DROP TRIGGER IF EXISTS {table}_log_delete",
            f"CREATE TRIGGER {table}_log_insert AFTER INSERT ON {table} BEGIN {upsert} END",
            f"CREATE TRIGGER {table}_log_rename AFTER UPDATE OF id ON {table} WHEN OLD.id <> NEW.id "
            f"BEGIN {delete} END",
            f"CREATE TRIGGER {table}_log_update AFTER UPDATE ON {table} BEGIN {upsert} END",
            f"CREATE TRIGGER {table}_log_delete AFTER DELETE ON {table} BEGIN {delete} END",
        ]
    return statements
