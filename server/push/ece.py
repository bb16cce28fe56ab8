"""Web Push message encryption: RFC 8291's key agreement over RFC 8188's ``aes128gcm``, as one record.

What http_ece does for Web Push, with cryptography's primitives called directly: its general encoder (several
records, other versions, key ids) parses the browser's key, serialises public keys and builds HKDF objects on
every message, which costs about a third of each message's encryption. Here a subscriber's keys are parsed once
(`Subscriber`) and each message costs one fresh ephemeral key, one ECDH agreement, five HMACs and one AES-GCM
call. The tests decrypt every message with http_ece, so the two cannot drift apart.
"""

from __future__ import annotations

import base64
import hmac
import os
import struct
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

#: the record size announced in the header; the whole message is one record, so it bounds the payload
RECORD_SIZE = 4096
#: the largest payload that fits one record: the record less its padding delimiter and the AES-GCM tag
MAX_PAYLOAD = RECORD_SIZE - 1 - 16

_CURVE = ec.SECP256R1()
_ECDH = ec.ECDH()
_KEY_INFO = b"WebPush: info\x00"
_CEK_INFO = b"Content-Encoding: aes128gcm\x00\x01"
_NONCE_INFO = b"Content-Encoding: nonce\x00\x01"
_HEADER_TAIL = struct.pack("!IB", RECORD_SIZE, 65)


def _unbase64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class Subscriber:
    """A browser's keys from its subscription: its P-256 public key (``p256dh``) and its 16-byte auth secret."""

    key: ec.EllipticCurvePublicKey
    #: the key as its 65-byte uncompressed point, which the key derivation mixes in
    point: bytes
    auth: bytes

    @classmethod
    def parse(cls, p256dh: str, auth: str) -> Subscriber:
        """``ValueError`` unless p256dh is an uncompressed P-256 point and auth 16 bytes, both base64url.

        Stored keys were checked strictly (canonical base64url) when saved, so reading them needs no such care.
        """
        point, secret = _unbase64(p256dh), _unbase64(auth)
        if len(point) != 65 or point[0] != 4:
            raise ValueError("p256dh is not an uncompressed P-256 point")
        if len(secret) != 16:
            raise ValueError("auth is not 16 bytes")
        return cls(ec.EllipticCurvePublicKey.from_encoded_point(_CURVE, point), point, secret)


def encrypt(payload: bytes, subscriber: Subscriber) -> bytes:
    """The ``aes128gcm`` body of one push message: header (salt, record size, our ephemeral public key), record."""
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"payload of {len(payload)} bytes exceeds {MAX_PAYLOAD}")
    ephemeral = ec.generate_private_key(_CURVE)
    ours = ephemeral.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    shared = ephemeral.exchange(_ECDH, subscriber.key)
    # each HKDF-SHA-256 (RFC 5869) here wants at most one hash of output: an extract HMAC, then one expand HMAC
    # over info || 0x01
    ikm = hmac.digest(
        hmac.digest(subscriber.auth, shared, "sha256"), _KEY_INFO + subscriber.point + ours + b"\x01", "sha256"
    )
    salt = os.urandom(16)
    prk = hmac.digest(salt, ikm, "sha256")
    cek = hmac.digest(prk, _CEK_INFO, "sha256")[:16]
    nonce = hmac.digest(prk, _NONCE_INFO, "sha256")[:12]
    # one record, so it is the last: the delimiter 0x02 and no padding
    return salt + _HEADER_TAIL + ours + AESGCM(cek).encrypt(nonce, payload + b"\x02", None)
