"""The accounts' answer to "who holds this bearer token": organisers' sign-in tokens and devices' tokens."""

from __future__ import annotations

import json
from datetime import datetime

from server.accounts.tables import Device, OrganiserToken
from server.accounts.tokens import DEVICE_PREFIX, ORGANISER_PREFIX
from server.auth import Principal, token_hash
from server.db.kept import KeptSqlite, kept_connection

_DEVICE_SQL = "SELECT id, role, venues, revoked_at FROM device WHERE token_hash = ?"


class TokenLookup:
    """`server.auth.PrincipalLookup` over the accounts' tables.

    Every device request asks, and a Piccolo query outside a transaction opens a connection and a thread of its
    own, so on SQLite device lookups run on a kept connection (server/db/kept.py).
    """

    def __init__(self) -> None:
        self._kept: KeptSqlite | None = None

    async def lookup(self, token: str, now: datetime) -> Principal | None:
        digest = token_hash(token)
        if token.startswith(ORGANISER_PREFIX):
            row = await OrganiserToken.select(OrganiserToken.user, OrganiserToken.expires_at).where(
                OrganiserToken.token_hash == digest
            ).first()
            if row is None or row["expires_at"] <= now:
                return None
            return Principal(role="organiser", subject=str(row["user"]))
        if token.startswith(DEVICE_PREFIX):
            row = await self._device(digest)
            if row is None:
                return None
            return Principal(role=row["role"], subject=row["id"], venues=tuple(row["venues"] or ()),
                             revoked=row["revoked_at"] is not None)
        return None

    async def _device(self, digest: str) -> dict | None:
        if self._kept is None:
            self._kept = kept_connection(Device._meta.db)
        if self._kept is None:
            return await Device.select(Device.id, Device.role, Device.venues, Device.revoked_at).where(
                Device.token_hash == digest
            ).output(load_json=True).first()
        row = await self._kept.run(lambda connection: connection.execute(_DEVICE_SQL, (digest,)).fetchone())
        if row is None:
            return None
        row = dict(row)
        if isinstance(row["venues"], str):
            row["venues"] = json.loads(row["venues"])
        return row

    async def close(self, _state=None) -> None:
        """Close the kept connection (an app's shutdown hook)."""
        if self._kept is not None:
            await self._kept.close()
