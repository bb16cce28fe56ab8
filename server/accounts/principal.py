"""The accounts' answer to "who holds this bearer token": organisers' sign-in tokens and devices' tokens.

Every phone request asks, so each process keeps what it has looked up, by the token's hash. What a token names
never changes, except that a device can be revoked and an organiser's token expires: the expiry is kept with the
entry, and the set of revoked devices is kept current by `watch()`, which reads it every `REVOCATIONS_POLL_S`
(a revocation made through this process counts at once). So a phone's requests cost no database work once its
token is known.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from datetime import datetime

import msgspec

from server.accounts.tables import Device, OrganiserToken
from server.accounts.tokens import DEVICE_PREFIX, ORGANISER_PREFIX
from server.auth import Principal, token_hash
from server.db.kept import KeptSqlite, kept_connection

#: how often each process reads the revoked devices: a revocation made through another process counts within it
REVOCATIONS_POLL_S = 0.5
#: tokens a process keeps; the least recently used go first
KEPT_TOKENS = 200_000
_DEVICE_SQL = "SELECT id, role, venues, revoked_at FROM device WHERE token_hash = ?"
_REVOKED_SQL = "SELECT id FROM device WHERE revoked_at IS NOT NULL"
log = logging.getLogger(__name__)


class TokenLookup:
    """`server.auth.PrincipalLookup` over the accounts' tables.

    On SQLite the lookups run on a kept connection (server/db/kept.py): a Piccolo query outside a transaction
    opens a connection and a thread of its own.
    """

    def __init__(self) -> None:
        self._kept: KeptSqlite | None = None
        #: token hash → (principal, when it expires or None)
        self._known: OrderedDict[str, tuple[Principal, datetime | None]] = OrderedDict()
        self._revoked: set[str] = set()

    async def lookup(self, token: str, now: datetime) -> Principal | None:
        digest = token_hash(token)
        known = self._known.get(digest)
        if known is None:
            known = await self._read(token, digest)
            if known is None:
                return None
            self._known[digest] = known
            if len(self._known) > KEPT_TOKENS:
                self._known.popitem(last=False)
        else:
            self._known.move_to_end(digest)
        principal, expires_at = known
        if expires_at is not None and expires_at <= now:
            return None
        if not principal.revoked and principal.subject in self._revoked:
            return msgspec.structs.replace(principal, revoked=True)
        return principal

    def revoked(self, device_id: str) -> None:
        """A device this process just revoked: refused from the next request on."""
        self._revoked.add(device_id)

    async def watch(self) -> None:
        """Keep the revoked devices current until cancelled; a failed read is tried again at the next tick."""
        while True:
            try:
                await self.refresh_revocations()
            except Exception:  # noqa: BLE001 - keep the last set; /health reports the database
                log.warning("reading revoked devices failed", exc_info=True)
            await asyncio.sleep(REVOCATIONS_POLL_S)

    async def refresh_revocations(self) -> None:
        kept = self._connection()
        if kept is None:
            rows = await Device.select(Device.id).where(Device.revoked_at.is_not_null())
        else:  # twice a second in every process: not a connection and a thread each time
            rows = await kept.run(lambda connection: connection.execute(_REVOKED_SQL).fetchall())
        self._revoked = {row["id"] for row in rows}

    def _connection(self) -> KeptSqlite | None:
        if self._kept is None:
            self._kept = kept_connection(Device._meta.db)
        return self._kept

    async def _read(self, token: str, digest: str) -> tuple[Principal, datetime | None] | None:
        if token.startswith(ORGANISER_PREFIX):
            row = (
                await OrganiserToken.select(OrganiserToken.user, OrganiserToken.expires_at)
                .where(OrganiserToken.token_hash == digest)
                .first()
            )
            return None if row is None else (Principal(role="organiser", subject=str(row["user"])), row["expires_at"])
        if token.startswith(DEVICE_PREFIX):
            row = await self._device(digest)
            if row is None:
                return None
            if row["revoked_at"] is not None:
                self._revoked.add(row["id"])
            return Principal(role=row["role"], subject=row["id"], venues=tuple(row["venues"] or ())), None
        return None

    async def _device(self, digest: str) -> dict | None:
        if self._connection() is None:
            return (
                await Device.select(Device.id, Device.role, Device.venues, Device.revoked_at)
                .where(Device.token_hash == digest)
                .output(load_json=True)
                .first()
            )
        row = await self._kept.run(lambda connection: connection.execute(_DEVICE_SQL, (digest,)).fetchone())
        if row is None:
            return None
        row = dict(row)
        if isinstance(row["venues"], str):
            row["venues"] = json.loads(row["venues"])
        return row

    async def close(self) -> None:
        """Close the kept connection."""
        if self._kept is not None:
            await self._kept.close()
