"""The phone's verifier (pwa/js/lib/tokens.js) reaches the server's verdict on every token.

The server's code makes the tokens and decides each verdict; Node's test runner then checks tokens.js against
them (tests/js/tokens.test.mjs). The cases cover valid tokens at the edges of their windows and of key
retirement, every single-byte change of one token, truncations, and well-signed payloads in every integer and
string encoding MessagePack has, where the two decoders must agree.
"""

import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec

from server.checkin.keys import KeyRing, new_env_entry
from server.checkin.tokens import CLOCK_SKEW_S, TokenError, issue_pass, issue_stamp, verify_pass, verify_stamp
from server.codecs import b64url

ROOT = Path(__file__).resolve().parents[2]

NOW = datetime(2024, 11, 12, 10, 0, tzinfo=UTC)
RETIRED = NOW + timedelta(hours=2)
UNTIL = datetime(2024, 11, 17, 23, 59, 59, tzinfo=UTC)


class Case(msgspec.Struct):
    label: str
    type: str  # "pass" or "stamp"
    token: str
    now: int
    expected: dict


def verdict(kind: str, token: str, ring: KeyRing, now: int) -> dict:
    verify = verify_pass if kind == "pass" else verify_stamp
    try:
        return {"ok": True, "claims": msgspec.structs.asdict(verify(token, ring, now))}
    except TokenError as error:
        return {"ok": False, "reason": error.reason}


def forge(ring: KeyRing, prefix: str, payload: bytes) -> str:
    _, private = ring.signing_key()
    signed = prefix + b64url.encode(payload)
    return signed + "." + b64url.encode(private.sign(signed.encode()))


def encodings_of(value: int | str) -> list[bytes]:
    """Every MessagePack spelling of ``value`` (msgspec writes only the shortest)."""
    if isinstance(value, str):
        data = value.encode()
        spelled = [
            b"\xd9" + struct.pack(">B", len(data)),
            b"\xda" + struct.pack(">H", len(data)),
            b"\xdb" + struct.pack(">I", len(data)),
        ]
        if len(data) < 32:
            spelled.append(bytes([0xA0 | len(data)]))
        return [head + data for head in spelled]
    spelled = []
    for marker, form in (
        (0xCC, ">B"),
        (0xCD, ">H"),
        (0xCE, ">I"),
        (0xCF, ">Q"),
        (0xD0, ">b"),
        (0xD1, ">h"),
        (0xD2, ">i"),
        (0xD3, ">q"),
    ):
        try:
            spelled.append(bytes([marker]) + struct.pack(form, value))
        except struct.error:
            continue
    if 0 <= value <= 0x7F:
        spelled.append(bytes([value]))
    if -32 <= value < 0:
        spelled.append(struct.pack(">b", value))
    return spelled


def odd_payloads(now: int, until: int, key_id: str) -> list[bytes]:
    """Pass payloads in unusual but legal encodings, and near misses the decoders must both refuse."""
    fields: list[int | str] = ["Ab3dE9z", "a", now, until, key_id]
    plain = [msgspec.msgpack.encode(field) for field in fields]
    payloads = []
    for index, field in enumerate(fields):
        for spelled in encodings_of(field):
            payloads.append(b"\x95" + b"".join(plain[:index] + [spelled] + plain[index + 1 :]))
    body = b"".join(plain)
    payloads += [
        b"\xdc\x00\x05" + body,
        b"\xdd\x00\x00\x00\x05" + body,  # longer array headers
        b"\x95" + b"".join([*plain[:2], *encodings_of(-1)[:1], *plain[3:]]),  # negative time
        b"\x95" + b"".join([*plain[:2], msgspec.msgpack.encode(float(now)), *plain[3:]]),  # float time
        b"\x95" + b"".join([*plain[:2], b"\xc0", *plain[3:]]),  # nil time
        b"\x95" + b"".join([b"\xc4\x07Ab3dE9z", *plain[1:]]),  # binary id
        b"\x95" + b"".join([b"\xa0", *plain[1:]]),  # empty id
        b"\x95" + b"".join([b"\xa3\xef\xbb\xbf", *plain[1:]]),  # an id that is only a byte-order mark
        b"\x95" + b"".join([b"\xa2\xc3\x28", *plain[1:]]),  # an id that is not UTF-8
        b"\x95" + b"".join([b"\x91\xa1x", *plain[1:]]),  # a nested array
        b"\x94" + b"".join(plain[:4]),
        b"\x96" + body + b"\x00",
        b"\x95" + body + b"\x00",
        b"\x85" + body,
        b"",
        b"\x95",
        b"\xdd\xff\xff\xff\xff",
    ]
    return payloads


def build_cases(tmp_path: Path) -> tuple[list[Case], list]:
    ring = KeyRing.open(tmp_path / "keys", now=NOW)
    old_pass = issue_pass(ring, pass_id="Old1234", kind="a", valid_until=UNTIL, now=NOW)
    old_stamp = issue_stamp(ring, venue_id="van-mieu", now=NOW)
    ring.rotate(now=NOW)
    ring.rotate(now=NOW)
    ring.retire("k1", now=RETIRED)
    fresh_pass = issue_pass(ring, pass_id="Ab3dE9z", kind="v", valid_until=UNTIL, now=NOW)
    fresh_stamp = issue_stamp(ring, venue_id="lang-gom-bat-trang", now=NOW)
    stranger = KeyRing.from_env(new_env_entry("zz"))

    now, retired, until = (int(moment.timestamp()) for moment in (NOW, RETIRED, UNTIL))
    moments = [now - CLOCK_SKEW_S - 1, now - CLOCK_SKEW_S, now, retired - 1, retired, until, until + 1]
    cases = []

    def add(label: str, kind: str, token: str, at: int = now) -> None:
        cases.append(Case(label, kind, token, at, verdict(kind, token, ring, at)))

    for label, kind, token in [
        ("retired-key pass", "pass", old_pass),
        ("retired-key stamp", "stamp", old_stamp),
        ("pass", "pass", fresh_pass),
        ("stamp", "stamp", fresh_stamp),
        ("unknown-key pass", "pass", issue_pass(stranger, pass_id="Ab3dE9z", kind="a", valid_until=UNTIL, now=NOW)),
        ("unknown-key stamp", "stamp", issue_stamp(stranger, venue_id="van-mieu", now=NOW)),
        ("stamp as pass", "pass", fresh_stamp),
        ("pass as stamp", "stamp", fresh_pass),
    ]:
        for at in moments:
            add(f"{label} at {at}", kind, token, at)
    raw = fresh_pass.encode("ascii")
    for position in range(len(raw)):
        for byte in range(256):
            if byte != raw[position]:
                changed = raw[:position] + bytes([byte]) + raw[position + 1 :]
                add(f"byte {position} -> {byte}", "pass", changed.decode("latin-1"))
    for end in range(len(fresh_pass)):
        add(f"truncated to {end}", "pass", fresh_pass[:end])
    for index, payload in enumerate(odd_payloads(now, until, ring.signing_key_id)):
        add(f"payload {index}: {payload.hex()}", "pass", forge(ring, "P1.", payload))
    add(
        "stamp payload with int64 time",
        "stamp",
        forge(ring, "S1.", b"\x93\xa8van-mieu\xd3" + struct.pack(">q", now) + b"\xa2k3"),
    )
    return cases, msgspec.to_builtins(ring.public_keys())


def test_browser_verifier_agrees_with_the_server(tmp_path, node_test):
    cases, public_keys = build_cases(tmp_path)
    outcomes = {(case.expected["ok"], case.expected.get("reason")) for case in cases}
    assert outcomes == {(True, None), (False, "invalid_signature"), (False, "unknown_key"), (False, "expired")}
    vectors = {"clock_skew_s": CLOCK_SKEW_S, "public_keys": public_keys, "cases": cases}
    node_test("tokens.test.mjs", "LEHOI_TOKEN_VECTORS", vectors)
