"""Pass and stamp tokens: the formats of docs/contract.md, tamper resistance, validity, keys, and their QR codes."""

import struct
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from server.checkin.keys import KeyRing
from server.checkin.tokens import (
    CLOCK_SKEW_S,
    MAX_PASS_TOKEN_LEN,
    PassClaims,
    StampClaims,
    TokenError,
    issue_pass,
    issue_stamp,
    new_pass_id,
    verify_pass,
    verify_stamp,
)
from server.codecs import b64url, qr

NOW = datetime(2024, 11, 12, 10, 0, tzinfo=UTC)
UNTIL = datetime(2024, 11, 17, 23, 59, 59, tzinfo=UTC)
NOW_S, UNTIL_S = int(NOW.timestamp()), int(UNTIL.timestamp())


@pytest.fixture(scope="module")
def ring(tmp_path_factory) -> KeyRing:
    return KeyRing.open(tmp_path_factory.mktemp("keys"), now=NOW)


@pytest.fixture(scope="module")
def token(ring) -> str:
    return issue_pass(ring, pass_id=new_pass_id(), kind="a", valid_until=UNTIL, now=NOW)


def reason(verify, token: str, ring: KeyRing, now=NOW) -> str:
    with pytest.raises(TokenError) as refused:
        verify(token, ring, now)
    return refused.value.reason


def forge(ring: KeyRing, prefix: str, payload: bytes) -> str:
    """A token with a good signature over any payload: shows the shape checks do not lean on the signature."""
    _, private = ring.signing_key()
    signed = prefix + b64url.encode(payload)
    return signed + "." + b64url.encode(private.sign(signed.encode()))


# -- format and round trip --------------------------------------------------------------------------------------


def test_pass_round_trip(ring):
    token = issue_pass(ring, pass_id="Ab3dE9z", kind="a", valid_until=UNTIL, now=NOW)
    assert verify_pass(token, ring, NOW) == PassClaims("Ab3dE9z", "a", NOW_S, UNTIL_S, "k1")
    assert verify_pass(token, ring, NOW_S + 60) == verify_pass(token, ring, NOW + timedelta(seconds=60))


def test_stamp_round_trip(ring):
    token = issue_stamp(ring, venue_id="hoang-thanh-thang-long", now=NOW)
    assert token.startswith("S1.")
    assert verify_stamp(token, ring, NOW + timedelta(days=300)) == StampClaims("hoang-thanh-thang-long", NOW_S, "k1")


def test_pass_token_is_exactly_the_design_format(ring, token):
    prefix, payload_text, signature_text = token.split(".")
    assert prefix == "P1" and "=" not in token
    payload = b64url.decode(payload_text)
    assert msgspec.msgpack.decode(payload)[1:] == ["a", NOW_S, UNTIL_S, "k1"]
    assert payload[0] == 0x95  # a five-element msgpack array
    [public] = ring.public_keys()
    key = Ed25519PublicKey.from_public_bytes(b64url.decode(public.public_key))
    key.verify(b64url.decode(signature_text), token.rpartition(".")[0].encode("ascii"))


# -- tampering --------------------------------------------------------------------------------------------------


def mutated(token: str, position: int, byte: int) -> str:
    raw = bytearray(token.encode("ascii"))
    raw[position] = byte
    return raw.decode("latin-1")  # any byte becomes one character, as a scanner might hand it over


@settings(max_examples=500, deadline=None)
@given(data=st.data())
def test_any_single_byte_change_is_rejected(ring, token, data):
    position = data.draw(st.integers(0, len(token) - 1), label="position")
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != ord(token[position])), label="byte")
    with pytest.raises(TokenError):
        verify_pass(mutated(token, position, byte), ring, NOW)


def test_every_single_byte_change_is_rejected_exhaustively(ring, token):
    accepted = []
    for position in range(len(token)):
        for byte in range(256):
            if byte == ord(token[position]):
                continue
            try:
                verify_pass(mutated(token, position, byte), ring, NOW)
            except TokenError:
                continue
            accepted.append((position, byte))
    assert accepted == []


def test_truncated_or_extended_tokens_are_rejected(ring, token):
    for end in range(len(token)):
        assert reason(verify_pass, token[:end], ring) == "invalid_signature"
    for extra in ("A", ".", "=", " ", "\n"):
        assert reason(verify_pass, token + extra, ring) == "invalid_signature"


def test_second_spellings_of_the_same_bytes_are_rejected(ring, token):
    # The signature's last character carries 4 unused bits; a lenient decoder would read the same signature.
    head, last = token[:-1], token[-1]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    same_bytes = alphabet[alphabet.index(last) | 1]
    assert same_bytes != last
    assert reason(verify_pass, head + same_bytes, ring) == "invalid_signature"
    assert reason(verify_pass, token.replace("-", "+").replace("_", "/") + "==", ring) == "invalid_signature"


@pytest.mark.parametrize(
    "payload",
    [
        msgspec.msgpack.encode(["Ab3dE9z", "a", NOW_S, UNTIL_S]),  # too short
        msgspec.msgpack.encode(["Ab3dE9z", "a", NOW_S, UNTIL_S, "k1", 0]),  # too long
        msgspec.msgpack.encode({"pass_id": "Ab3dE9z"}),  # not an array
        msgspec.msgpack.encode(["Ab3dE9z", "a", str(NOW_S), UNTIL_S, "k1"]),  # a time as text
        msgspec.msgpack.encode(["Ab3dE9z", "a", float(NOW_S), UNTIL_S, "k1"]),  # a time as float
        msgspec.msgpack.encode(["Ab3dE9z", "a", -1, UNTIL_S, "k1"]),  # a negative time
        msgspec.msgpack.encode(["", "a", NOW_S, UNTIL_S, "k1"]),  # an empty id
        msgspec.msgpack.encode(["Ab3dE9z", "a", NOW_S, UNTIL_S, "k1"]) + b"\x00",  # trailing bytes
        b"\x95\xa7Ab3dE9z\xa1a\xce" + struct.pack(">I", NOW_S) + b"\xce" + struct.pack(">I", UNTIL_S) + b"\xa2k\xff",
        b"",
    ],
)
def test_well_signed_payloads_of_the_wrong_shape_are_rejected(ring, payload):
    assert reason(verify_pass, forge(ring, "P1.", payload), ring) == "invalid_signature"


def test_a_stamp_is_not_a_pass_and_a_pass_not_a_stamp(ring, token):
    stamp = issue_stamp(ring, venue_id="van-mieu", now=NOW)
    assert reason(verify_pass, stamp, ring) == "invalid_signature"
    assert reason(verify_stamp, token, ring) == "invalid_signature"
    assert reason(verify_pass, "S1." + token[3:], ring) == "invalid_signature"


# -- validity window and keys -----------------------------------------------------------------------------------


def test_expired_after_valid_until(ring, token):
    assert verify_pass(token, ring, UNTIL_S).valid_until == UNTIL_S
    assert reason(verify_pass, token, ring, UNTIL_S + 1) == "expired"


def test_not_valid_before_issue_beyond_the_clock_margin(ring, token):
    assert verify_pass(token, ring, NOW_S - CLOCK_SKEW_S).issued_at == NOW_S
    assert reason(verify_pass, token, ring, NOW_S - CLOCK_SKEW_S - 1) == "expired"
    stamp = issue_stamp(ring, venue_id="van-mieu", now=NOW)
    assert reason(verify_stamp, stamp, ring, NOW - timedelta(days=1)) == "expired"


def test_cannot_issue_a_pass_that_ends_before_it_starts(ring):
    with pytest.raises(ValueError, match="before"):
        issue_pass(ring, pass_id="Ab3dE9z", kind="a", valid_until=NOW - timedelta(seconds=1), now=NOW)


def test_cannot_issue_a_token_that_verification_would_refuse(ring):
    with pytest.raises(ValueError, match="cannot issue"):
        issue_pass(ring, pass_id="", kind="a", valid_until=UNTIL, now=NOW)
    with pytest.raises(ValueError, match="cannot issue"):
        issue_stamp(ring, venue_id="", now=NOW)


def test_unknown_key(tmp_path, ring):
    other = KeyRing.open(tmp_path, now=NOW)
    other.rotate(now=NOW)  # signs as k2, which `ring` has never had
    token = issue_pass(other, pass_id="Ab3dE9z", kind="a", valid_until=UNTIL, now=NOW)
    assert reason(verify_pass, token, ring) == "unknown_key"
    stamp = issue_stamp(other, venue_id="van-mieu", now=NOW)
    assert reason(verify_stamp, stamp, ring) == "unknown_key"


def test_same_key_id_from_another_ring_is_a_bad_signature(tmp_path, ring, token):
    assert reason(verify_pass, token, KeyRing.open(tmp_path, now=NOW)) == "invalid_signature"


def test_rotation_and_retirement(tmp_path):
    ring = KeyRing.open(tmp_path, now=NOW)
    old = issue_pass(ring, pass_id="Ab3dE9z", kind="a", valid_until=UNTIL, now=NOW)
    ring.rotate(now=NOW)
    new = issue_pass(ring, pass_id="Zz9yX8w", kind="a", valid_until=UNTIL, now=NOW)
    assert verify_pass(old, ring, NOW).key_id == "k1"
    assert verify_pass(new, ring, NOW).key_id == "k2"
    ring.retire("k1", now=NOW)
    assert reason(verify_pass, old, ring, NOW) == "unknown_key"
    assert verify_pass(new, ring, NOW).key_id == "k2"


# -- QR codes ---------------------------------------------------------------------------------------------------


def longest_realistic_pass(ring: KeyRing) -> str:
    """A fresh pass id, a one-letter kind, a two-character key id and the largest four-byte times."""
    assert len(ring.signing_key_id) == 2
    return issue_pass(ring, pass_id=new_pass_id(), kind="v", valid_until=2**32 - 1, now=2**32 - 2)


def test_a_pass_token_fits_a_version_7_qr_code_at_level_m(ring):
    for _ in range(20):
        token = longest_realistic_pass(ring)
        assert len(token) <= MAX_PASS_TOKEN_LEN
        assert qr.version(token) <= 7


def test_issuing_refuses_a_pass_that_would_not_fit(ring):
    with pytest.raises(ValueError, match="version 7"):
        issue_pass(ring, pass_id=new_pass_id(), kind="festival", valid_until=UNTIL, now=NOW)


def test_svg_is_xml_sized_by_its_view_box(token):
    root = ET.fromstring(qr.svg(token))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    side = 4 * qr.version(token) + 17 + 2 * qr.QUIET_ZONE
    assert root.get("viewBox") == f"0 0 {side} {side}"
    assert root.get("width") is None and root.get("height") is None
    assert root.find("{http://www.w3.org/2000/svg}path") is not None


def test_png_is_a_png_of_the_right_size(token):
    image = qr.png(token, scale=4)
    assert image.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", image[16:24])  # the IHDR chunk
    assert width == height == (4 * qr.version(token) + 17 + 2 * qr.QUIET_ZONE) * 4
