"""Scan ids are unique per device: scans recorded before keep their id as their scan id, and the pair
(device_id, scan_id) gets the unique index that makes a scan exactly-once per device.

Frozen: the statements are written out here and read no live code.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T16:29:51:000000"
VERSION = "1.38.0"
DESCRIPTION = "scan ids per device: backfill and unique index"

STATEMENTS = [
    "UPDATE scan SET scan_id = id WHERE scan_id = ''",
    "CREATE UNIQUE INDEX IF NOT EXISTS scan_device_scan ON scan (device_id, scan_id)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="checkin", description=DESCRIPTION)

    async def install() -> None:
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(install)
    return manager
