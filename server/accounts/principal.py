"""Who is calling: resolved once per request from the bearer token."""

from __future__ import annotations

from typing import Literal

import msgspec
from litestar.connection import ASGIConnection

from server.accounts.tables import Device, OrganiserToken
from server.accounts.tokens import DEVICE_PREFIX, ORGANISER_PREFIX, token_hash

Role = Literal["organiser", "attendee", "volunteer"]


class Principal(msgspec.Struct, frozen=True):
    role: Role
    #: organiser user id or device id
    subject: str
    venues: tuple[str, ...] = ()


def bearer_token(connection: ASGIConnection) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def resolve_principal(connection: ASGIConnection) -> Principal | None:
    """The caller behind the bearer token, or None when there is none or it is not valid (any more)."""
    if "principal" in connection.scope.get("state", {}):
        return connection.scope["state"]["principal"]
    principal = await _lookup(bearer_token(connection), connection.app.state.clock.now())
    connection.scope.setdefault("state", {})["principal"] = principal
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
        row = await Device.select(Device.id, Device.role, Device.venues, Device.revoked_at).where(
            Device.token_hash == digest
        ).output(load_json=True).first()
        if row is None or row["revoked_at"] is not None:
            return None
        return Principal(role=row["role"], subject=row["id"], venues=tuple(row["venues"] or ()))
    return None
