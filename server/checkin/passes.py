"""Attendee passes: one active pass per device, valid until the day after the festival ends; organisers revoke.

"Active" is neither revoked nor past its `valid_until`: asking again returns the active pass; a device whose
pass was revoked (or ran out) is given a new one. Revocations live in `revoked_pass`, whose rows the change log
records, so they reach volunteer phones through the bundle (`revoked_passes`) and the feed (`revoked_pass`).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.engine.base import Engine

from server.checkin.keys import KeyRing
from server.checkin.tables import Pass, RevokedPass
from server.checkin.tokens import issue_pass, new_pass_id
from server.db.engine import is_postgres
from server.db.transactions import write_transaction
from server.errors import Conflict, NotFound
from server.programme.schemas import Festival

ATTENDEE = "a"


def valid_until(festival: Festival) -> datetime:
    """The last second of the day after the festival's last day, in the festival's zone."""
    zone = ZoneInfo(festival.timezone)
    return datetime.combine(festival.ends_on + timedelta(days=2), time(0), zone) - timedelta(seconds=1)


async def _active(device_id: str, now: datetime) -> dict[str, Any] | None:
    revoked = RevokedPass.select(RevokedPass.id)
    return (
        await Pass.select()
        .where((Pass.device == device_id) & (Pass.valid_until > now) & Pass.id.not_in(revoked))
        .order_by(Pass.issued_at, ascending=False)
        .first()
    )


async def issue_or_get(
    engine: Engine, ring: KeyRing, festival: Festival | None, device_id: str, now: datetime
) -> tuple[dict[str, Any], bool]:
    """The device's active pass and False, or a new one and True."""
    if festival is None:
        raise Conflict("no festival is loaded, so no pass can be issued")
    until = valid_until(festival)
    if now >= until:
        raise Conflict(f"the festival is over: passes were valid until {until.isoformat()}")
    async with write_transaction(engine):
        if is_postgres(engine):  # two requests of one device must not both issue
            await Pass.raw("SELECT id FROM device WHERE id = {} FOR UPDATE", device_id)
        row = await _active(device_id, now)
        if row is not None:
            return row, False
        pass_id = new_pass_id()
        while await Pass.exists().where(Pass.id == pass_id):  # 41 bits: a clash is rare, never fatal
            pass_id = new_pass_id()
        token = issue_pass(ring, pass_id=pass_id, kind=ATTENDEE, valid_until=until, now=now)
        row = {
            "id": pass_id,
            "device": device_id,
            "kind": ATTENDEE,
            "token": token,
            "key_id": ring.signing_key_id,
            "issued_at": now.replace(microsecond=0),
            "valid_until": until,
        }
        await Pass.insert(Pass(**row))
    return row, True


async def find(pass_id: str) -> dict[str, Any]:
    row = await Pass.select().where(Pass.id == pass_id).first()
    if row is None:
        raise NotFound(f"no pass with id {pass_id!r}")
    return row


async def revoked_at(pass_id: str) -> datetime | None:
    row = await RevokedPass.select(RevokedPass.revoked_at).where(RevokedPass.id == pass_id).first()
    return row["revoked_at"] if row else None


async def revoke(engine: Engine, pass_id: str, by: str, reason: str, now: datetime) -> datetime:
    """Revoke a pass (again: no change); returns when it was revoked."""
    async with write_transaction(engine):
        if not await Pass.exists().where(Pass.id == pass_id):
            raise NotFound(f"no pass with id {pass_id!r}")
        earlier = await revoked_at(pass_id)
        if earlier is not None:
            return earlier
        await RevokedPass.insert(RevokedPass(id=pass_id, revoked_at=now, revoked_by=by, reason=reason))
    return now
