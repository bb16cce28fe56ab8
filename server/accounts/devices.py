"""Anonymous attendee devices: a random id and a bearer token, nothing personal."""

from __future__ import annotations

import uuid
from datetime import datetime

from server.accounts.tables import Device, Favourite
from server.accounts.tokens import DEVICE_PREFIX, new_token


async def register_device(now: datetime, role: str = "attendee", venues: list[str] | None = None) -> tuple[str, str]:
    """A new device; returns (device_id, token). Only the token's hash is stored."""
    device_id = str(uuid.uuid4())
    token, digest = new_token(DEVICE_PREFIX)
    await Device.insert(Device(id=device_id, role=role, token_hash=digest, venues=venues or [], created_at=now))
    return device_id, token


async def device_state(device_id: str) -> dict:
    """What the server holds for a device: its favourites and settings."""
    device = await Device.select(Device.lang, Device.reminder_minutes).where(Device.id == device_id).first()
    favourites = (
        await Favourite.select(Favourite.event_id).where(Favourite.device == device_id).order_by(Favourite.event_id)
    )
    return {
        "device_id": device_id,
        "favourites": [f["event_id"] for f in favourites],
        "settings": {"lang": device["lang"], "reminder_minutes": device["reminder_minutes"]},
    }
