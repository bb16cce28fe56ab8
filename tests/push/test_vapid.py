"""The VAPID key: made once per data directory or given by the environment; headers signed once per origin."""

from __future__ import annotations

import base64
import json
import stat
import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

from server.push.vapid import (
    REFRESH_MARGIN_S,
    TOKEN_LIFETIME_S,
    VapidError,
    VapidKeys,
)

CONTACT = "mailto:ops@lehoi.example"


def claims_of(header: str) -> dict:
    token = header.split("t=", 1)[1].split(",", 1)[0]
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_a_key_is_made_once_per_data_directory(tmp_path):
    first = VapidKeys.load(tmp_path / "vapid", CONTACT)
    again = VapidKeys.load(tmp_path / "vapid", CONTACT)
    assert first.public_key == again.public_key
    assert len(base64.urlsafe_b64decode(first.public_key + "=")) == 65
    assert stat.S_IMODE((tmp_path / "vapid" / "private_key.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "vapid").stat().st_mode) == 0o700


def test_the_environment_key_wins_in_either_form(tmp_path):
    made = VapidKeys.load(tmp_path / "made", CONTACT)
    for value in (made.env_value(), made.private_pem()):
        given = VapidKeys.load(tmp_path / "unused", CONTACT, configured=value)
        assert given.public_key == made.public_key
    assert not (tmp_path / "unused").exists()
    for bad in ("not a key", "AAAA", made.env_value()[:-4]):
        with pytest.raises(VapidError):
            VapidKeys.load(tmp_path, CONTACT, configured=bad)
    other_curve = (
        ec.generate_private_key(ec.SECP384R1())
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )
    with pytest.raises(VapidError, match="P-256"):
        VapidKeys.load(tmp_path, CONTACT, configured=other_curve)


def test_one_header_per_origin_reused_until_near_expiry():
    keys = VapidKeys(ec.generate_private_key(ec.SECP256R1()), CONTACT)
    now = time.time()
    fcm = keys.header("https://fcm.googleapis.com", now)
    assert keys.header("https://fcm.googleapis.com", now + 60) == fcm
    mozilla = keys.header("https://updates.push.services.mozilla.com", now)
    assert mozilla != fcm
    assert claims_of(fcm) == {"aud": "https://fcm.googleapis.com", "exp": int(now) + TOKEN_LIFETIME_S, "sub": CONTACT}
    assert claims_of(mozilla)["aud"] == "https://updates.push.services.mozilla.com"  # no claims shared
    assert Vapid02.verify(fcm)
    assert keys.header("https://fcm.googleapis.com", now + TOKEN_LIFETIME_S - REFRESH_MARGIN_S + 1) != fcm
