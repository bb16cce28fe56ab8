"""Volunteer enrolment: organisers make codes for venues; a phone that presents one becomes a volunteer device
scoped to those venues; organisers list and revoke volunteer devices.

A code is 16 letters and digits from an alphabet without look-alikes (about 78 bits), shown as a QR code that
opens the app's enrolment screen. Only its SHA-256 is stored. A code serves every volunteer who presents it
until it expires, or `max_uses` times when that is set.

A revoked device is refused everywhere with 403 `device_revoked`, except its mutation upload: the scans it made
are kept for review and each is answered `rejected` / `device_revoked` (see server/domain.py).
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from piccolo.engine.base import Engine

from server.accounts.devices import register_device
from server.accounts.tables import Device, EnrolmentCode
from server.auth import token_hash
from server.db.transactions import write_transaction
from server.errors import Conflict, Gone, Invalid, NotFound
from server.programme.tables import Venue

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16
#: an enrolment code lives at most this long
MAX_CODE_LIFETIME = timedelta(days=30)
_SEPARATORS = re.compile(r"[\s-]+")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise(code: str) -> str:
    """Codes are read case-insensitively, with any dashes or spaces a person typed between groups."""
    return _SEPARATORS.sub("", code).upper()


def enrol_url(base_url: str, code: str) -> str:
    """What the code's QR holds: the app's enrolment screen with the code."""
    return f"{base_url}/#/enrol/{code}"


async def create_code(
    venue_ids: list[str], known_venues: set[str], expires_at: datetime, max_uses: int | None, by: str, now: datetime
) -> str:
    unknown = sorted(set(venue_ids) - known_venues)
    if unknown:
        raise Invalid(f"venue_ids: no venue {', '.join(repr(v) for v in unknown)}")
    if expires_at <= now:
        raise Invalid("expires_at must be in the future")
    if expires_at > now + MAX_CODE_LIFETIME:
        raise Invalid(f"expires_at is more than {MAX_CODE_LIFETIME.days} days away")
    code = new_code()
    await EnrolmentCode.insert(
        EnrolmentCode(
            code_hash=token_hash(code),
            venues=sorted(set(venue_ids)),
            created_by=by,
            created_at=now,
            expires_at=expires_at,
            max_uses=max_uses,
            uses=0,
        )
    )
    return code


async def usable_code(code: str, now: datetime) -> dict:
    """The stored code: 404 when unknown, 410 when expired or used up."""
    row = (
        await EnrolmentCode.select()
        .where(EnrolmentCode.code_hash == token_hash(normalise(code)))
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NotFound("no such enrolment code: check it with the organiser")
    if row["expires_at"] <= now:
        raise Gone(f"this enrolment code expired at {row['expires_at'].isoformat()}: ask an organiser for a new one")
    if row["max_uses"] is not None and row["uses"] >= row["max_uses"]:
        raise Gone("this enrolment code has been used as often as it may: ask an organiser for a new one")
    return row


async def enrol(engine: Engine, code: str, now: datetime) -> tuple[str, str, list[str]]:
    """A new volunteer device for the code's venues that are still in the programme: (device_id, token, venues).

    A venue deleted since the code was made is left out; a code none of whose venues is left enrols nobody (410),
    and is not counted as used."""
    async with write_transaction(engine):
        row = await usable_code(code, now)
        existing = {r["id"] for r in await Venue.select(Venue.id).where(Venue.id.is_in(list(row["venues"])))}
        venues = [v for v in row["venues"] if v in existing]
        if not venues:
            raise Gone(
                f"the venues of this enrolment code ({', '.join(row['venues'])}) are no longer in the "
                f"programme: ask an organiser for a new code"
            )
        await EnrolmentCode.update({EnrolmentCode.uses: EnrolmentCode.uses + 1}).where(EnrolmentCode.id == row["id"])
        device_id, token = await register_device(now, role="volunteer", venues=venues)
    return device_id, token, venues


async def volunteers() -> list[dict]:
    return (
        await Device.select(Device.id, Device.venues, Device.created_at, Device.revoked_at)
        .where(Device.role == "volunteer")
        .order_by(Device.created_at)
        .output(load_json=True)
    )


async def revoke_volunteer(engine: Engine, device_id: str, now: datetime) -> datetime:
    """Revoke a volunteer device (again: no change); returns when it was revoked."""
    async with write_transaction(engine):
        row = await Device.select(Device.role, Device.revoked_at).where(Device.id == device_id).first()
        if row is None:
            raise NotFound(f"no device {device_id!r}")
        if row["role"] != "volunteer":
            raise Conflict(f"device {device_id!r} is an {row['role']} device, not a volunteer's")
        if row["revoked_at"] is not None:
            return row["revoked_at"]
        await Device.update({Device.revoked_at: now}).where(Device.id == device_id)
    return now
