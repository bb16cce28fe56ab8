"""lehoi's Web Push encryption, read back by http_ece (the reference implementation pywebpush uses)."""

from __future__ import annotations

import os

import http_ece
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from server.codecs import b64url
from server.push import ece

from .receiver import Subscriber, b64e


def browser() -> tuple[Subscriber, ece.Subscriber]:
    """A subscriber's private side (as the browser holds it) and its public side (as lehoi stores it)."""
    private = Subscriber("t", ec.generate_private_key(ec.SECP256R1()), os.urandom(16))
    return private, ece.Subscriber.parse(private.p256dh, b64e(private.auth))


@pytest.mark.parametrize("size", [1, 419, ece.MAX_PAYLOAD])
def test_a_message_decrypts_with_http_ece(size):
    private, public = browser()
    payload = os.urandom(size)
    body = ece.encrypt(payload, public)
    assert (
        http_ece.decrypt(body, private_key=private.private_key, auth_secret=private.auth, version="aes128gcm")
        == payload
    )
    # RFC 8188 header: 16-byte salt, record size, key id of 65 bytes (our ephemeral public key), then one record
    assert int.from_bytes(body[16:20], "big") == ece.RECORD_SIZE and body[20] == 65 and body[21] == 4
    assert len(body) == 86 + size + 1 + 16


def test_every_message_has_its_own_key_and_salt():
    _, public = browser()
    first, second = ece.encrypt(b"same", public), ece.encrypt(b"same", public)
    assert first[:16] != second[:16] and first[21:86] != second[21:86]


def test_a_payload_larger_than_one_record_is_refused():
    _, public = browser()
    with pytest.raises(ValueError, match="exceeds"):
        ece.encrypt(b"x" * (ece.MAX_PAYLOAD + 1), public)


@pytest.mark.parametrize(
    "p256dh, auth",
    [
        (b64url.encode(b"\x04" + b"\x01" * 64), b64url.encode(b"a" * 16)),  # not a point on the curve
        (b64url.encode(b"\x02" + b"\x01" * 32), b64url.encode(b"a" * 16)),  # compressed
        ("not base64!", b64url.encode(b"a" * 16)),
    ],
)
def test_keys_that_are_not_a_p256_point_are_refused(p256dh, auth):
    with pytest.raises(ValueError):
        ece.Subscriber.parse(p256dh, auth)


def test_an_auth_secret_that_is_not_16_bytes_is_refused():
    private, _ = browser()
    with pytest.raises(ValueError, match="16 bytes"):
        ece.Subscriber.parse(private.p256dh, b64url.encode(b"a" * 12))
