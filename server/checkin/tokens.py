"""Signed pass and stamp tokens (docs/contract.md, "Tokens and QR codes").

* Pass: ``P1.`` + base64url(payload) + ``.`` + base64url(signature), payload the msgpack array
  ``[pass_id, kind, issued_at, valid_until, key_id]``.
* Venue stamp: ``S1.`` with the payload ``[venue_id, issued_at, key_id]``.

base64url is unpadded; times are int unix seconds; the signature is Ed25519 over the ASCII bytes before the last
dot, ``P1.<payload>``. Volunteer phones check the same tokens offline (``pwa/js/lib/tokens.js``) and must reach
the same verdict, so both sides check in the same order: the token's form, then its key, then the signature,
then the validity window. Revocation, venue rules and duplicates are the server's checks, made after these.

A pass token must fit a QR code of version 7 at level M, whose byte mode holds 122 bytes. The signature takes 86
characters of that and the times 10 bytes of payload, which leaves 10 characters for the pass id, the kind and
the key id together: ``new_pass_id()`` gives 7, a kind is one letter (for example ``a`` attendee, ``v`` volunteer,
``p`` press) and a key id two (``k1``). ``issue_pass`` refuses a token that would not fit.
"""

import secrets
import string
from datetime import datetime
from typing import Annotated, Literal, TypeVar

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from server.checkin.keys import KeyRing, unix_seconds
from server.codecs import b64url

PASS_PREFIX = "P1."
STAMP_PREFIX = "S1."
MAX_PASS_TOKEN_LEN = 122  # bytes in a version 7 QR code at level M, byte mode
PASS_ID_LENGTH = 7
# A token may be scanned moments after it is issued by a phone whose clock runs a little slow; without this
# margin a brand-new pass would be refused at the gate as not yet valid.
CLOCK_SKEW_S = 300
_SIGNATURE_LEN = 64
_PASS_ID_ALPHABET = string.ascii_letters + string.digits

Reason = Literal["invalid_signature", "unknown_key", "expired"]
_Text = Annotated[str, msgspec.Meta(min_length=1)]
_Seconds = Annotated[int, msgspec.Meta(ge=0)]


class TokenError(Exception):
    """A token that does not verify; ``reason`` is a scan verdict reason of docs/contract.md."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason: Reason = reason
        self.detail = detail


# forbid_unknown_fields: msgspec would otherwise accept an array with extra items, which the phone refuses.
class PassClaims(msgspec.Struct, array_like=True, frozen=True, forbid_unknown_fields=True):
    """What a pass token says, in payload order."""

    pass_id: _Text
    kind: _Text
    issued_at: _Seconds
    valid_until: _Seconds
    key_id: _Text


class StampClaims(msgspec.Struct, array_like=True, frozen=True, forbid_unknown_fields=True):
    """What a venue stamp token says, in payload order."""

    venue_id: _Text
    issued_at: _Seconds
    key_id: _Text


_Claims = TypeVar("_Claims", PassClaims, StampClaims)
_ENCODER = msgspec.msgpack.Encoder()
_PASS_DECODER = msgspec.msgpack.Decoder(PassClaims)
_STAMP_DECODER = msgspec.msgpack.Decoder(StampClaims)


def new_pass_id() -> str:
    """A random pass id of ``PASS_ID_LENGTH`` letters and digits (about 41 bits): keep it unique in storage."""
    return "".join(secrets.choice(_PASS_ID_ALPHABET) for _ in range(PASS_ID_LENGTH))


def issue_pass(keyring: KeyRing, *, pass_id: str, kind: str, valid_until: datetime | int, now: datetime | int) -> str:
    """A pass token valid from ``now`` until ``valid_until`` (inclusive), signed with the ring's signing key."""
    key_id, private = keyring.signing_key()
    claims = PassClaims(pass_id, kind, unix_seconds(now), unix_seconds(valid_until), key_id)
    if claims.valid_until < claims.issued_at:
        raise ValueError("valid_until is before now")
    token = _sign(PASS_PREFIX, claims, _PASS_DECODER, private)
    if len(token) > MAX_PASS_TOKEN_LEN:
        raise ValueError(
            f"the pass token is {len(token)} bytes but a QR code of version 7 at level M holds "
            f"{MAX_PASS_TOKEN_LEN}: shorten the pass id, the kind or the key id"
        )
    return token


def issue_stamp(keyring: KeyRing, *, venue_id: str, now: datetime | int) -> str:
    """A venue stamp token for a poster, valid from ``now`` while its key is in service."""
    key_id, private = keyring.signing_key()
    return _sign(STAMP_PREFIX, StampClaims(venue_id, unix_seconds(now), key_id), _STAMP_DECODER, private)


def verify_pass(token: str, keyring: KeyRing, now: datetime | int) -> PassClaims:
    """The claims of a pass token that is well formed, signed by a key in service and valid at ``now``.

    Raises ``TokenError`` otherwise.
    """
    claims = _verify(token, PASS_PREFIX, _PASS_DECODER, keyring, now)
    _check_window(claims.issued_at, claims.valid_until, now)
    return claims


def verify_pass_signature(token: str, keyring: KeyRing, now: datetime | int) -> PassClaims:
    """The claims of a well-formed pass token signed by a key in service at ``now``, its window unchecked.

    A scan checks revocation between the signature and the validity window (the order of docs/contract.md), so it calls
    this, then ``check_pass_window``. Raises ``TokenError`` (``invalid_signature`` or ``unknown_key``).
    """
    return _verify(token, PASS_PREFIX, _PASS_DECODER, keyring, now)


def check_pass_window(claims: PassClaims, now: datetime | int) -> None:
    """Raises ``TokenError("expired")`` unless ``now`` is inside the pass's validity window."""
    _check_window(claims.issued_at, claims.valid_until, now)


def peek_pass_id(token: str) -> str | None:
    """The pass id a token claims, unverified, or ``None`` when the token is malformed: for prefetching only."""
    if not isinstance(token, str) or not token.startswith(PASS_PREFIX):
        return None
    try:
        return _PASS_DECODER.decode(b64url.decode(token[len(PASS_PREFIX) :].partition(".")[0])).pass_id
    except (ValueError, msgspec.DecodeError):
        return None


def verify_stamp(token: str, keyring: KeyRing, now: datetime | int) -> StampClaims:
    """The claims of a venue stamp token that is well formed, signed by a key in service and issued by ``now``.

    A stamp has no end of its own: it lasts as long as its key. Raises ``TokenError`` otherwise.
    """
    claims = _verify(token, STAMP_PREFIX, _STAMP_DECODER, keyring, now)
    _check_window(claims.issued_at, None, now)
    return claims


def _sign(prefix: str, claims: _Claims, decoder: msgspec.msgpack.Decoder[_Claims], private: Ed25519PrivateKey) -> str:
    payload = _ENCODER.encode(claims)
    try:
        decoder.decode(payload)  # never issue a token that verification would refuse as malformed
    except msgspec.ValidationError as error:
        raise ValueError(f"cannot issue this token: {error}") from None
    signed = prefix + b64url.encode(payload)
    return signed + "." + b64url.encode(private.sign(signed.encode("ascii")))


def _verify(
    token: str, prefix: str, decoder: msgspec.msgpack.Decoder[_Claims], keyring: KeyRing, now: datetime | int
) -> _Claims:
    """Form, then key, then signature. Every malformed token is ``invalid_signature``: it carries no valid one."""
    if not isinstance(token, str) or not token.startswith(prefix):
        raise TokenError("invalid_signature", f"does not start with {prefix}")
    payload_text, dot, signature_text = token[len(prefix) :].partition(".")
    if not dot:
        raise TokenError("invalid_signature", "no signature part")
    try:
        payload = b64url.decode(payload_text)
        signature = b64url.decode(signature_text)  # a further dot is outside the alphabet and fails here
        claims = decoder.decode(payload)
    except (ValueError, msgspec.DecodeError) as error:  # msgspec.ValidationError is a DecodeError
        raise TokenError("invalid_signature", f"malformed: {error}") from None
    if len(signature) != _SIGNATURE_LEN:
        raise TokenError("invalid_signature", "the signature is not 64 bytes")
    public = keyring.verifying_key(claims.key_id, now)
    if public is None:
        raise TokenError("unknown_key", f"no key {claims.key_id!r} in service")
    try:
        public.verify(signature, token[: len(prefix) + len(payload_text)].encode("ascii"))
    except InvalidSignature:
        raise TokenError("invalid_signature", "the signature does not match") from None
    return claims


def _check_window(issued_at: int, valid_until: int | None, now: datetime | int) -> None:
    seconds = unix_seconds(now)
    if seconds < issued_at - CLOCK_SKEW_S:
        raise TokenError("expired", "not valid yet")
    if valid_until is not None and seconds > valid_until:
        raise TokenError("expired", "no longer valid")
