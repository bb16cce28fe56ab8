"""Who is calling: resolved once per request from the bearer token."""

from __future__ import annotations

import json
from typing import Literal

import msgspec
from litestar.connection import ASGIConnection

from server.accounts.tables import Device, OrganiserToken
from server.accounts.tokens import DEVICE_PREFIX, ORGANISER_PREFIX, token_hash
from server.db.engine import SQLITE_BUSY_TIMEOUT_S, is_postgres
from server.db.kept import KeptSqlite

Role = Literal["organiser", "attendee", "volunteer"]


class Principal(msgspec.Struct, frozen=True):
    role: Role
    #: organiser user id or device id
    subject: str
    venues: tuple[str, ...] = ()
    #: a device an organiser revoked: refused everywhere (403) except the mutation upload, which keeps its
    #: check-in scans for review and answers each mutation `rejected` with reason `device_revoked`
    revoked: bool = False


def bearer_token(connection: ASGIConnection) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def resolve_principal(connection: ASGIConnection, *, allow_revoked: bool = False) -> Principal | None:
    """The caller behind the bearer token, or None when there is none or it is not valid (any more).

    A revoked device is None too, unless `allow_revoked`: then it comes back with `revoked=True`.
    """
    state = connection.scope.setdefault("state", {})
    if "principal" in state:
        principal = state["principal"]
    else:
        principal = await _lookup(bearer_token(connection), connection.app.state.clock.now())
        state["principal"] = principal
    if principal is not None and principal.revoked and not allow_revoked:
        return None
    return principal


async def _lookup(token: str | None, now) -> Principal | None:
    if not token:
        return None
    digest = token_hash(token)
    if token.startswith(ORGANISER_PREFIX):
        row = await OrganiserToken.select(OrganiserToken.user, OrganiserToken.expires_at).where(
            OrganiserToken.token_hash == digest
        ).first()
        if row is None or row["expires_at"] <= now:
            return None
        return Principal(role="organiser", subject=str(row["user"]))
    if token.startswith(DEVICE_PREFIX):
        row = await _device(digest)
        if row is None:
            return None
        return Principal(role=row["role"], subject=row["id"], venues=tuple(row["venues"] or ()),
                         revoked=row["revoked_at"] is not None)
    return None


#: per engine, the kept SQLite connection device lookups run on (server/db/kept.py): every device request asks,
#: and a Piccolo query outside a transaction opens a connection and a thread of its own
_kept: dict[int, KeptSqlite] = {}
_DEVICE_SQL = "SELECT id, role, venues, revoked_at FROM device WHERE token_hash = ?"


async def _device(digest: str) -> dict | None:
    engine = Device._meta.db
    if is_postgres(engine):
        return await Device.select(Device.id, Device.role, Device.venues, Device.revoked_at).where(
            Device.token_hash == digest
        ).output(load_json=True).first()
    kept = _kept.get(id(engine))
    if kept is None:
        kept = _kept[id(engine)] = KeptSqlite(engine.path, SQLITE_BUSY_TIMEOUT_S)
    row = await kept.run(lambda connection: connection.execute(_DEVICE_SQL, (digest,)).fetchone())
    if row is None:
        return None
    row = dict(row)
    if isinstance(row["venues"], str):
        row["venues"] = json.loads(row["venues"])
    return row


async def close_lookups(_state=None) -> None:
    """Close the kept connections (an app's shutdown hook)."""
    for kept in list(_kept.values()):
        await kept.close()
