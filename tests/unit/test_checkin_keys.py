"""The Ed25519 key ring: directory and environment sources, rotation, retirement, the bundle's public keys."""

import stat
import threading
from datetime import UTC, datetime

import msgspec
import pytest

from server.checkin import keys
from server.checkin.keys import ENV_VAR, KeyRing, KeyRingError, new_env_entry
from server.codecs import b64url

T0 = datetime(2024, 11, 9, 8, 0, tzinfo=UTC)
T1 = datetime(2024, 11, 12, 10, 0, tzinfo=UTC)


def test_first_use_makes_one_key_kept_private(tmp_path):
    directory = tmp_path / "keys"
    ring = KeyRing.open(directory, now=T0)
    assert ring.signing_key_id == "k1"
    assert stat.S_IMODE((directory / "k1.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    index = msgspec.json.decode((directory / "index.json").read_bytes())
    assert index == {"keys": [{"id": "k1", "created_at": "2024-11-09T08:00:00Z"}]}


def test_reopening_keeps_the_same_keys(tmp_path):
    first = KeyRing.open(tmp_path, now=T0)
    assert KeyRing.open(tmp_path, now=T0).public_keys() == first.public_keys()


def test_processes_starting_together_make_one_key(tmp_path):
    rings: list[KeyRing] = []
    threads = [threading.Thread(target=lambda: rings.append(KeyRing.open(tmp_path / "keys", now=T0))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({ring.public_keys()[0].public_key for ring in rings}) == 1
    assert [
        record.id
        for record in msgspec.json.decode((tmp_path / "keys" / "index.json").read_bytes(), type=keys._Index).keys
    ] == ["k1"]


def test_public_keys_are_raw_base64url_for_the_bundle(tmp_path):
    ring = KeyRing.open(tmp_path, now=T0)
    [entry] = msgspec.json.decode(msgspec.json.encode(ring.public_keys()))
    assert set(entry) == {"id", "alg", "public_key"}  # no retired_at while in service
    assert entry["alg"] == "Ed25519"
    assert len(entry["public_key"]) == 43 and "=" not in entry["public_key"]
    assert len(b64url.decode(entry["public_key"])) == 32


def test_rotation_adds_a_signing_key_and_keeps_the_old_one_verifying(tmp_path):
    ring = KeyRing.open(tmp_path, now=T0)
    assert ring.rotate(now=T1) == "k2"
    assert ring.signing_key_id == "k2"
    assert ring.verifying_key("k1", T1) is not None
    assert [entry.id for entry in KeyRing.open(tmp_path, now=T0).public_keys()] == ["k1", "k2"]


def test_retired_key_stops_verifying_from_its_retirement(tmp_path):
    ring = KeyRing.open(tmp_path, now=T0)
    ring.rotate(now=T0)
    ring.retire("k1", now=T1)
    assert ring.verifying_key("k1", int(T1.timestamp()) - 1) is not None
    assert ring.verifying_key("k1", T1) is None
    retired = {entry.id: entry.retired_at for entry in ring.public_keys()}
    assert retired == {"k1": T1, "k2": None}
    ring.retire("k1", now=datetime(2025, 1, 1, tzinfo=UTC))  # retiring again changes nothing
    assert ring.public_keys()[0].retired_at == T1


def test_the_signing_key_cannot_be_retired(tmp_path):
    ring = KeyRing.open(tmp_path, now=T0)
    with pytest.raises(KeyRingError, match="rotate"):
        ring.retire("k1", now=T1)
    with pytest.raises(KeyRingError, match="no key"):
        ring.retire("k9", now=T1)


def test_key_ids_count_in_base_36_to_stay_short(tmp_path):
    ring = KeyRing.open(tmp_path, now=T0)
    ids = [ring.rotate(now=T1) for _ in range(10)]
    assert ids == ["k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "ka", "kb"]


def test_another_process_rotation_is_seen(tmp_path, monkeypatch):
    monkeypatch.setattr(keys, "_REFRESH_S", 0.0)
    server = KeyRing.open(tmp_path, now=T0)
    KeyRing.open(tmp_path, now=T0).rotate(now=T1)  # the CLI, in another process
    assert server.signing_key_id == "k2"
    assert server.verifying_key("k2", T1) is not None


def test_environment_keys_first_signs_all_verify():
    value = ",".join([new_env_entry("k7"), " " + new_env_entry("k6") + " "])
    ring = KeyRing.from_env(value)
    assert ring.signing_key_id == "k7"
    assert [entry.id for entry in ring.public_keys()] == ["k7", "k6"]
    assert ring.verifying_key("k6", T1) is not None
    assert ring.to_env() == value.replace(" ", "")
    with pytest.raises(KeyRingError, match=ENV_VAR):
        ring.rotate(now=T1)


def test_load_prefers_the_environment(tmp_path):
    entry = new_env_entry("e1")
    assert KeyRing.load(tmp_path / "keys", entry, now=T0).signing_key_id == "e1"
    assert not (tmp_path / "keys").exists()
    assert KeyRing.load(tmp_path / "keys", " ", now=T0).signing_key_id == "k1"


def test_directory_ring_exports_to_the_environment_format(tmp_path):
    ring = KeyRing.open(tmp_path, now=T0)
    ring.rotate(now=T1)
    ring.rotate(now=T1)
    ring.retire("k1", now=T1)
    moved = KeyRing.from_env(ring.to_env())
    assert moved.signing_key_id == "k3"
    assert [entry.public_key for entry in moved.public_keys()] == [
        entry.public_key for entry in ring.public_keys()[::-1] if entry.id != "k1"
    ]


@pytest.mark.parametrize(
    "value, problem",
    [
        ("", "holds no key"),
        ("k1", "is not <id>:"),
        ("k1:AAAA", "not 32 bytes"),
        ("k1:" + "A" * 42 + "=", "not 32 bytes"),
        ("toolongid:" + "A" * 43, "1 to 8"),
        ("k 1:" + "A" * 43, "1 to 8"),
        ("k1:{a},k1:{a}".format(a="A" * 43), "twice"),
    ],
)
def test_bad_environment_values_are_refused_clearly(value, problem):
    with pytest.raises(KeyRingError, match=problem):
        KeyRing.from_env(value or ",")
