"""The Ed25519 key ring that signs pass and stamp tokens.

Keys come from one of two places.

* A directory (the server passes ``<data_dir>/keys/``): one PKCS#8 PEM file per key, ``<id>.pem``, and
  ``index.json`` listing the ids in order of creation with their ``created_at`` and ``retired_at`` times. It is
  made with one key, ``k1``, on first use. ``rotate()`` adds a key, which becomes the signing key; older keys keep
  verifying until ``retire(id)``. Several processes may share the directory: changes are made under a file lock,
  and every ring notices a changed index within a second.
* The environment variable ``LEHOI_SIGNING_KEYS``, for hosts that must share keys without sharing a disk:
  comma-separated ``<id>:<key>`` entries, where ``<key>`` is the unpadded base64url of the raw 32-byte Ed25519
  private key (the seed) and ``<id>`` is 1 to 8 of ``A-Z a-z 0-9 _ -``. The first entry signs; every entry
  verifies; a key is retired by removing it. ``KeyRing.to_env()`` writes this format, for example from a
  directory ring, and ``new_env_entry(id)`` makes one fresh entry::

      LEHOI_SIGNING_KEYS="k2:<43 base64url characters>,k1:<43 base64url characters>"

Key ids travel inside every token, and a pass token must fit a small QR code, so ids are kept short: the directory
names them ``k`` plus a base-36 counter (``k1`` … ``k9``, ``ka`` … ``kz``, ``k10`` …), two characters for the
first 35 keys.
"""

import fcntl
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import msgspec
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from server.codecs import b64url

ENV_VAR = "LEHOI_SIGNING_KEYS"
INDEX_FILE = "index.json"
_LOCK_FILE = ".lock"
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,8}")
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_COUNTED_ID = re.compile(r"k[0-9a-z]+")
# How often a directory ring looks for another process's rotation or retirement: a stat call at most this often
# keeps the verification path cheap while a new key is picked up everywhere within a second.
_REFRESH_S = 1.0


class KeyRingError(Exception):
    """The key ring cannot do what was asked: bad configuration, unknown key, or a change it refuses."""


class KeyRecord(msgspec.Struct, frozen=True, omit_defaults=True):
    """One key's entry in ``index.json``. Keys from the environment have no times."""

    id: str
    created_at: datetime | None = None
    retired_at: datetime | None = None


class _Index(msgspec.Struct):
    keys: list[KeyRecord]


class PublicKey(msgspec.Struct, frozen=True, omit_defaults=True):
    """A verification key as the offline bundle carries it; ``retired_at`` only once the key is retired."""

    id: str
    alg: Literal["Ed25519"]
    public_key: str  # unpadded base64url of the raw 32-byte public key
    retired_at: datetime | None = None


class _Key(msgspec.Struct, frozen=True):
    record: KeyRecord
    private: Ed25519PrivateKey
    public: Ed25519PublicKey


def unix_seconds(moment: datetime | int) -> int:
    """Whole unix seconds of an aware datetime, or the int itself: token times are int seconds."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError("naive datetime: give a timezone")
        return int(moment.timestamp())
    return int(moment)


def new_env_entry(key_id: str) -> str:
    """One fresh ``<id>:<key>`` entry for ``LEHOI_SIGNING_KEYS``."""
    _check_id(key_id)
    return f"{key_id}:{_raw_private(Ed25519PrivateKey.generate())}"


class KeyRing:
    """Signing key and verification keys, from a directory or from ``LEHOI_SIGNING_KEYS``.

    Build one with ``load``, ``open`` or ``from_env``.
    """

    def __init__(self, keys: list[_Key], signing_id: str, directory: Path | None = None) -> None:
        self._keys = {key.record.id: key for key in keys}
        self._signing_id = signing_id
        self._directory = directory
        self._seen: tuple[int, int] | None = None
        self._checked_at = time.monotonic()
        if directory is not None:
            self._seen = _index_stamp(directory)

    # -- building ---------------------------------------------------------------------------------------------

    @classmethod
    def load(cls, directory: Path | str, configured: str = "", *, now: datetime) -> "KeyRing":
        """The server's ring: from ``configured`` (the setting ``LEHOI_SIGNING_KEYS``) when it is set, otherwise
        from ``directory``."""
        value = configured.strip()
        if value:
            return cls.from_env(value)
        return cls.open(directory, now=now)

    @classmethod
    def open(cls, directory: Path | str, *, now: datetime) -> "KeyRing":
        """The ring kept in ``directory``, made there with one key if it has none yet."""
        directory = Path(directory)
        if not (directory / INDEX_FILE).exists():
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            with _locked(directory):
                # Re-checked under the lock: processes starting together must not each make a different k1.
                if not (directory / INDEX_FILE).exists():
                    _add_key(directory, [], _now(now))
        return cls._read(directory)

    @classmethod
    def from_env(cls, value: str) -> "KeyRing":
        """The ring written in ``value`` (the ``LEHOI_SIGNING_KEYS`` format); its first key signs."""
        keys: list[_Key] = []
        for entry in filter(None, (part.strip() for part in value.split(","))):
            key_id, colon, encoded = entry.partition(":")
            _check_id(key_id)
            if not colon:
                raise KeyRingError(f"{ENV_VAR}: entry {key_id!r} is not <id>:<base64url private key>")
            try:
                raw = b64url.decode(encoded)
                private = Ed25519PrivateKey.from_private_bytes(raw)
            except ValueError as error:
                raise KeyRingError(f"{ENV_VAR}: key {key_id!r} is not 32 bytes of base64url ({error})") from None
            if any(key.record.id == key_id for key in keys):
                raise KeyRingError(f"{ENV_VAR}: key id {key_id!r} appears twice")
            keys.append(_Key(KeyRecord(key_id), private, private.public_key()))
        if not keys:
            raise KeyRingError(f"{ENV_VAR} is set but holds no key")
        return cls(keys, keys[0].record.id)

    @classmethod
    def _read(cls, directory: Path) -> "KeyRing":
        try:
            index = msgspec.json.decode((directory / INDEX_FILE).read_bytes(), type=_Index)
        except (OSError, msgspec.DecodeError) as error:
            raise KeyRingError(f"cannot read {directory / INDEX_FILE}: {error}") from None
        keys = []
        for record in index.keys:
            _check_id(record.id)
            try:
                private = serialization.load_pem_private_key((directory / f"{record.id}.pem").read_bytes(), None)
            except (OSError, ValueError) as error:
                raise KeyRingError(f"cannot read key {record.id!r}: {error}") from None
            if not isinstance(private, Ed25519PrivateKey):
                raise KeyRingError(f"key {record.id!r} is not an Ed25519 key")
            keys.append(_Key(record, private, private.public_key()))
        # The newest key still in service signs.
        live = [key.record.id for key in keys if key.record.retired_at is None]
        if not live:
            raise KeyRingError(f"every key in {directory} is retired: rotate to make a new one")
        return cls(keys, live[-1], directory)

    # -- using ------------------------------------------------------------------------------------------------

    @property
    def signing_key_id(self) -> str:
        """The id that new tokens carry."""
        self._refresh()
        return self._signing_id

    def signing_key(self) -> tuple[str, Ed25519PrivateKey]:
        """The id and private key that sign new tokens."""
        self._refresh()
        return self._signing_id, self._keys[self._signing_id].private

    def verifying_key(self, key_id: str, now: datetime | int) -> Ed25519PublicKey | None:
        """The public key with this id, or ``None`` when there is none or it was retired by ``now``."""
        self._refresh()
        key = self._keys.get(key_id)
        if key is None or _retired(key.record, unix_seconds(now)):
            return None
        return key.public

    def public_keys(self) -> list[PublicKey]:
        """Every key for the offline bundle, so phones verify passes without the server."""
        self._refresh()
        return [
            PublicKey(
                id=key.record.id, alg="Ed25519", public_key=_raw_public(key.public), retired_at=key.record.retired_at
            )
            for key in self._keys.values()
        ]

    def to_env(self) -> str:
        """The keys still in service in the ``LEHOI_SIGNING_KEYS`` format, signing key first.

        It holds private keys: show it only to whoever configures the servers.
        """
        self._refresh()
        live = [key for key in self._keys.values() if key.record.retired_at is None]
        live.sort(key=lambda key: key.record.id != self._signing_id)  # stable: the rest keep their order
        return ",".join(f"{key.record.id}:{_raw_private(key.private)}" for key in live)

    # -- changing ---------------------------------------------------------------------------------------------

    def rotate(self, *, now: datetime) -> str:
        """Add a key to the directory and sign with it from now on; returns its id."""
        directory = self._writable()
        with _locked(directory):
            records = self._read(directory)._records()
            key_id = _add_key(directory, records, _now(now))
        self._reload()
        return key_id

    def retire(self, key_id: str, *, now: datetime) -> None:
        """Stop verifying ``key_id`` from ``now`` on. The signing key cannot be retired: rotate first."""
        directory = self._writable()
        with _locked(directory):
            current = self._read(directory)
            records = current._records()
            found = [record for record in records if record.id == key_id]
            if not found:
                raise KeyRingError(f"no key {key_id!r}")
            if key_id == current._signing_id:
                raise KeyRingError(f"{key_id!r} signs new tokens: rotate before retiring it")
            if found[0].retired_at is None:
                retired = msgspec.structs.replace(found[0], retired_at=_now(now))
                _write_index(directory, [retired if record.id == key_id else record for record in records])
        self._reload()

    # -- internals --------------------------------------------------------------------------------------------

    def _records(self) -> list[KeyRecord]:
        return [key.record for key in self._keys.values()]

    def _writable(self) -> Path:
        if self._directory is None:
            raise KeyRingError(f"keys come from {ENV_VAR}: change the variable and restart instead")
        return self._directory

    def _refresh(self) -> None:
        """Pick up another process's rotation or retirement, looking at the index at most once a second."""
        if self._directory is None or time.monotonic() - self._checked_at < _REFRESH_S:
            return
        self._checked_at = time.monotonic()
        if _index_stamp(self._directory) != self._seen:
            self._reload()

    def _reload(self) -> None:
        assert self._directory is not None
        fresh = self._read(self._directory)
        self._keys, self._signing_id, self._seen = fresh._keys, fresh._signing_id, fresh._seen
        self._checked_at = time.monotonic()


def _retired(record: KeyRecord, now: int) -> bool:
    return record.retired_at is not None and unix_seconds(record.retired_at) <= now


def _check_id(key_id: str) -> None:
    if not _KEY_ID.fullmatch(key_id):
        raise KeyRingError(f"key id {key_id!r}: use 1 to 8 of A-Z a-z 0-9 _ -")


def _now(now: datetime) -> datetime:
    """``now`` (the caller's clock, server/clock.py) in UTC to the second, as the index keeps times."""
    return datetime.fromtimestamp(unix_seconds(now), UTC)


def _raw_public(key: Ed25519PublicKey) -> str:
    return b64url.encode(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def _raw_private(key: Ed25519PrivateKey) -> str:
    return b64url.encode(
        key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    )


def _next_id(records: list[KeyRecord]) -> str:
    """``k`` plus one more than the highest base-36 counter so far."""
    highest = 0
    for record in records:
        if _COUNTED_ID.fullmatch(record.id):
            highest = max(highest, int(record.id[1:], 36))
    number, digits = highest + 1, ""
    while number:
        number, digit = divmod(number, 36)
        digits = _BASE36[digit] + digits
    return "k" + digits


def _add_key(directory: Path, records: list[KeyRecord], now: datetime) -> str:
    """Write a new key, then the index naming it, so the index never names a key that is not on disk."""
    key_id = _next_id(records)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _write_atomic(directory / f"{key_id}.pem", pem)
    _write_index(directory, [*records, KeyRecord(key_id, created_at=now)])
    return key_id


def _write_index(directory: Path, records: list[KeyRecord]) -> None:
    _write_atomic(directory / INDEX_FILE, msgspec.json.format(msgspec.json.encode(_Index(records))) + b"\n")


def _write_atomic(path: Path, data: bytes) -> None:
    """Readers see the old file or the new one, never half of one; private keys are readable by us alone."""
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


def _index_stamp(directory: Path) -> tuple[int, int] | None:
    """Identifies one version of the index file: atomic replacement gives it a new inode."""
    try:
        stat = (directory / INDEX_FILE).stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Serialises changes to the directory across processes."""
    with open(directory / _LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
