"""The server's key ring at run time, and its public half mirrored into the database for phones.

The ring is loaded when the app starts (`<data_dir>/keys/`, or `LEHOI_SIGNING_KEYS`), so a bad key configuration
stops start-up with a clear message. Its public keys are mirrored into `pass_key`, whose writes the change log
records (kind `pass_key`): a rotation or a retirement bumps the programme version, so the bundle is rebuilt with
the new `pass_keys` and phones following the change feed get the key before the first pass it signs reaches a
gate. The mirror is refreshed at start-up and by `lehoi keys rotate|retire`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from piccolo.engine.base import Engine

from server.checkin.keys import KeyRing, PublicKey
from server.checkin.tables import PassKey, RevokedPass
from server.db.transactions import lock_names, write_transaction


class KeyRingRef:
    """The ring of this process, for objects built before the app starts (mutation handlers)."""

    def __init__(self, directory: Path, configured: str = "") -> None:
        self.directory = directory
        #: the setting LEHOI_SIGNING_KEYS, which wins over the directory when set
        self.configured = configured
        self._ring: KeyRing | None = None

    def load(self, now: datetime) -> KeyRing:
        self._ring = KeyRing.load(self.directory, self.configured, now=now)
        return self._ring

    @property
    def ring(self) -> KeyRing:
        if self._ring is None:
            raise RuntimeError("the key ring is not loaded: the app has not started")
        return self._ring


async def mirror_public_keys(engine: Engine, ring: KeyRing, now: datetime) -> bool:
    """Make `pass_key` match the ring; returns whether anything changed.

    A key the table knows but the ring no longer holds (removed from LEHOI_SIGNING_KEYS) is marked retired.
    """
    wanted = {key.id: key for key in ring.public_keys()}
    changed = False
    async with write_transaction(engine):
        await lock_names(engine, ["lehoi.pass_key"])
        stored = {row["id"]: row for row in await PassKey.select()}
        for key_id, key in wanted.items():
            row = stored.get(key_id)
            if row is None:
                await PassKey.insert(
                    PassKey(id=key_id, alg=key.alg, public_key=key.public_key, retired_at=key.retired_at)
                )
                changed = True
            elif (row["public_key"], row["retired_at"]) != (key.public_key, key.retired_at):
                await PassKey.update({PassKey.public_key: key.public_key, PassKey.retired_at: key.retired_at}).where(
                    PassKey.id == key_id
                )
                changed = True
        for key_id, row in stored.items():
            if key_id not in wanted and row["retired_at"] is None:
                await PassKey.update({PassKey.retired_at: now}).where(PassKey.id == key_id)
                changed = True
    return changed


def _public(row: dict[str, Any]) -> PublicKey:
    return PublicKey(id=row["id"], alg="Ed25519", public_key=row["public_key"], retired_at=row["retired_at"])


async def bundle_part(_snapshot: Any) -> dict[str, Any]:
    """`pass_keys` (every verification key, retired ones with `retired_at`) and `revoked_passes` (pass ids)."""
    keys = await PassKey.select().order_by(PassKey.id)
    revoked = await RevokedPass.select(RevokedPass.id).order_by(RevokedPass.id)
    return {"pass_keys": [_public(row) for row in keys], "revoked_passes": [row["id"] for row in revoked]}


async def pass_key_records(_snapshot: Any, ids: list[str]) -> dict[str, Any]:
    """Change-feed records of kind `pass_key`: the key as the bundle lists it."""
    rows = await PassKey.select().where(PassKey.id.is_in(ids))
    return {row["id"]: _public(row) for row in rows}


async def revoked_pass_records(_snapshot: Any, ids: list[str]) -> dict[str, Any]:
    """Change-feed records of kind `revoked_pass`: `{"id": pass id, "revoked_at": …}`."""
    rows = await RevokedPass.select(RevokedPass.id, RevokedPass.revoked_at).where(RevokedPass.id.is_in(ids))
    return {row["id"]: {"id": row["id"], "revoked_at": row["revoked_at"]} for row in rows}
