"""Anonymous attendee devices: a random id and a bearer token, nothing personal."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime

from server.accounts.tables import Device, Favourite
from server.accounts.tokens import DEVICE_PREFIX, new_token
from server.db.kept import KeptSqlite


async def register_device(now: datetime, role: str = "attendee", venues: list[str] | None = None) -> tuple[str, str]:
    """A new device; returns (device_id, token). Only the token's hash is stored."""
    device_id = str(uuid.uuid4())
    token, digest = new_token(DEVICE_PREFIX)
    await Device.insert(Device(id=device_id, role=role, token_hash=digest, venues=venues or [], created_at=now))
    return device_id, token


_STATE_SQL = "SELECT lang, reminder_minutes FROM device WHERE id = ?"
_FAVOURITES_SQL = "SELECT event_id FROM favourite WHERE device = ? ORDER BY event_id"


async def device_state(device_id: str, kept: KeptSqlite | None = None) -> dict:
    """What the server holds for a device: its favourites and settings; read on `kept` when given (SQLite)."""
    if kept is None:
        device = await Device.select(Device.lang, Device.reminder_minutes).where(Device.id == device_id).first()
        favourites = [
            row["event_id"]
            for row in await Favourite.select(Favourite.event_id)
            .where(Favourite.device == device_id)
            .order_by(Favourite.event_id)
        ]
    else:
        device, favourites = await kept.run(_read_state, device_id)
    return {
        "device_id": device_id,
        "favourites": favourites,
        "settings": {"lang": device["lang"], "reminder_minutes": device["reminder_minutes"]},
    }


def _read_state(connection: sqlite3.Connection, device_id: str) -> tuple[sqlite3.Row, list[str]]:
    connection.execute("BEGIN")  # both reads at one moment, as a phone's upload commits them together
    try:
        device = connection.execute(_STATE_SQL, (device_id,)).fetchone()
        favourites = [row[0] for row in connection.execute(_FAVOURITES_SQL, (device_id,))]
    finally:
        connection.execute("COMMIT")
    return device, favourites
