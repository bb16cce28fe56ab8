"""The server's VAPID key (RFC 8292) and the Authorization headers signed with it.

The key comes from one of two places:

* ``LEHOI_VAPID_PRIVATE_KEY``: a PEM private key, or the unpadded base64url of the raw 32-byte P-256 private
  scalar (what ``web-push generate-vapid-keys`` prints as the private key). Set it on every host when processes
  run on several hosts without a shared data directory: every process must sign with the key the browsers
  subscribed with.
* otherwise ``<data_dir>/vapid/private_key.pem`` (PKCS#8), made on first start under a file lock, so processes
  starting together agree on one key.

Signing costs an ECDSA signature, so a header is made once per push-service origin and reused until it is within
an hour of its expiry. Each origin gets claims of its own, freshly built: pywebpush and py_vapid treat a claims dict
as theirs to change (``aud``, ``exp``), so one shared between origins would leak one service's audience into
another's token.

The JWT's ``exp`` is read from the machine's real clock, not the festival clock: push services check it against
theirs.
"""

from __future__ import annotations

import fcntl
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

from server.clock import wall_seconds
from server.codecs import b64url

ENV_VAR = "LEHOI_VAPID_PRIVATE_KEY"
KEY_FILE = "private_key.pem"
#: a signed header is valid this long (RFC 8292 allows at most 24 hours)
TOKEN_LIFETIME_S = 12 * 3600
#: and is replaced when less than this is left
REFRESH_MARGIN_S = 3600


class VapidError(Exception):
    """The configured VAPID key cannot be used."""


class VapidKeys:
    """The signing key, its public half as browsers need it, and a per-origin header cache."""

    def __init__(self, private_key: ec.EllipticCurvePrivateKey, contact: str) -> None:
        if not isinstance(private_key.curve, ec.SECP256R1):
            raise VapidError("a VAPID key must be on the P-256 curve")
        self._vapid = Vapid02(private_key=private_key)
        self.contact = contact
        raw = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        #: unpadded base64url of the 65-byte uncompressed point: PushManager.subscribe's applicationServerKey
        self.public_key = b64url.encode(raw)
        self._headers: dict[str, tuple[str, int]] = {}

    # -- loading ---------------------------------------------------------------------------------------------

    @classmethod
    def load(cls, directory: Path | str, contact: str, configured: str = "") -> VapidKeys:
        """From ``configured`` (the setting ``LEHOI_VAPID_PRIVATE_KEY``) when set, otherwise the directory's key
        (made there if missing)."""
        value = configured.strip()
        if value:
            return cls(parse_private_key(value), contact)
        return cls(_key_in_directory(Path(directory)), contact)

    def private_pem(self) -> str:
        return self._vapid.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()

    def env_value(self) -> str:
        """This key in the ``LEHOI_VAPID_PRIVATE_KEY`` form (base64url raw scalar)."""
        scalar = self._vapid.private_key.private_numbers().private_value
        return b64url.encode(scalar.to_bytes(32, "big"))

    # -- signing ---------------------------------------------------------------------------------------------

    def header(self, origin: str, now: float | None = None) -> str:
        """The ``Authorization`` value for requests to this push-service origin (``https://host[:port]``)."""
        now = wall_seconds() if now is None else now
        cached = self._headers.get(origin)
        if cached is not None and cached[1] - now > REFRESH_MARGIN_S:
            return cached[0]
        expires = int(now) + TOKEN_LIFETIME_S
        # a new dict every time: the signer may write into it
        claims = {"aud": origin, "exp": expires, "sub": self.contact}
        value = self._vapid.sign(claims)["Authorization"]
        self._headers[origin] = (value, expires)
        return value


def parse_private_key(value: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 private key from PEM text or the base64url of its 32-byte scalar."""
    value = value.strip()
    try:
        if value.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(value.encode(), password=None)
        else:
            raw = b64url.decode(value)
            if len(raw) == 32:
                key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
            else:
                key = serialization.load_der_private_key(raw, password=None)
    except (ValueError, TypeError) as exc:
        raise VapidError(f"{ENV_VAR} is not a P-256 private key (PEM or base64url): {exc}") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise VapidError(f"{ENV_VAR} must be a P-256 (prime256v1) key")
    return key


def _key_in_directory(directory: Path) -> ec.EllipticCurvePrivateKey:
    path = directory / KEY_FILE
    if not path.exists():
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(directory / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            # again under the lock: processes starting together must not each make a different key
            if not path.exists():
                key = ec.generate_private_key(ec.SECP256R1())
                partial = directory / (KEY_FILE + ".partial")
                partial.write_bytes(
                    key.private_bytes(
                        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                    )
                )
                partial.chmod(0o600)
                partial.replace(path)
    try:
        return parse_private_key(path.read_text())
    except VapidError as exc:
        raise VapidError(f"{path}: {exc}") from None
