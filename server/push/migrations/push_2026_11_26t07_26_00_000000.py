"""Composite and partial indexes: one delivery per (alert, subscription), the due-queue, topics."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T07:26:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite unique and partial indexes"

STATEMENTS = [
    # a fan-out run twice (two workers, a retried request, a reminder rescan) inserts nothing the second time
    "CREATE UNIQUE INDEX IF NOT EXISTS push_delivery_alert_subscription ON push_delivery (alert, subscription_id)",
    # the claim: queued rows in due order, leased rows included (their lease end is their next attempt)
    "CREATE INDEX IF NOT EXISTS push_delivery_due ON push_delivery (next_attempt_ms) WHERE status = 'queued'",
    # live counts per alert
    "CREATE INDEX IF NOT EXISTS push_delivery_alert_status ON push_delivery (alert, status)",
    "CREATE UNIQUE INDEX IF NOT EXISTS push_topic_subscription_topic ON push_topic (subscription, topic)",
    # alerts waiting for their send_at
    "CREATE INDEX IF NOT EXISTS push_alert_pending ON push_alert (send_at) WHERE fanned_out_at IS NULL",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="push", description=DESCRIPTION)

    async def indexes() -> None:
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(indexes)
    return manager
