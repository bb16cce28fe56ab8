"""`lehoi backup` and `lehoi restore`: a backup taken while phones push restores into an empty data directory (and
an empty database) whole: every mutation acknowledged before it began, the passes, the signing and VAPID keys, the
subscriptions; and bad paths or bad archives are refused with nothing written or changed."""

from __future__ import annotations

import asyncio
import base64
import random
import sqlite3
import time
import uuid

import asyncpg
import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.support.live_server import STARTUP_S, LiveServer

RECEIVER = "http://127.0.0.1:9999"
PHONES = 4


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def subscription(n: int) -> dict:
    point = ec.generate_private_key(ec.SECP256R1()).public_key()
    raw = point.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {"endpoint": f"{RECEIVER}/push/{n}", "keys": {"p256dh": b64(raw), "auth": b64(bytes(range(16)))}}


async def applied(server: LiveServer) -> set[tuple[str, str]]:
    sql = "SELECT client_id, mutation_id FROM applied_mutation"
    if server.database_url:
        conn = await asyncpg.connect(server.database_url)
        try:
            return {tuple(r) for r in await conn.fetch(sql)}
        finally:
            await conn.close()
    with sqlite3.connect(server.data_dir / "lehoi.sqlite") as db:
        return {tuple(r) for r in db.execute(sql)}


class Phone:
    """An attendee's phone that keeps favouriting and unfavouriting, one acknowledged upload at a time."""

    def __init__(self, http: httpx.AsyncClient, base: str, events: list[str], n: int) -> None:
        self.http, self.base, self.events, self.rng = http, base, events, random.Random(n)
        #: (mutation, when the server acknowledged it)
        self.acked: list[tuple[dict, float]] = []

    async def register(self) -> None:
        body = (await self.http.post(f"{self.base}/api/devices")).json()
        self.id, self.auth = body["device_id"], {"Authorization": f"Bearer {body['token']}"}

    async def run(self, until: asyncio.Event) -> None:
        while not until.is_set():
            name = self.rng.choice(["favourite.set", "favourite.set", "favourite.unset"])
            mutation = {"id": str(uuid.uuid4()), "name": name, "args": {"event_id": self.rng.choice(self.events)}}
            body = {"client_id": self.id, "mutations": [mutation]}
            answer = await self.http.post(f"{self.base}/api/sync/push", json=body, headers=self.auth, timeout=30)
            assert answer.status_code == 200 and answer.json()["results"][0]["status"] == "applied", answer.text
            self.acked.append((mutation, time.monotonic()))

    def favourites_after(self, kept: set[str]) -> set[str]:
        wanted: set[str] = set()
        for mutation, _ in self.acked:
            if mutation["id"] in kept:
                (wanted.add if mutation["name"] == "favourite.set" else wanted.discard)(mutation["args"]["event_id"])
        return wanted


@pytest.fixture
def original(tmp_path):
    server = LiveServer(tmp_path, env={"LEHOI_PUSH_HOSTS": RECEIVER, "LEHOI_PUSH_WORKER": "0"})
    server.start(timeout=STARTUP_S)
    yield server
    server.stop()


async def test_a_backup_taken_while_phones_push_restores_whole(original, tmp_path):
    base = original.url
    async with httpx.AsyncClient(timeout=30) as http:
        events = [e["id"] for e in (await http.get(f"{base}/api/events")).json()[:10]]
        venue = (await http.get(f"{base}/api/venues")).json()[0]["id"]
        phones = [Phone(http, base, events, n) for n in range(PHONES)]
        for phone in phones:
            await phone.register()
        passes = []
        for n, phone in enumerate(phones):
            issued = await http.post(f"{base}/api/passes", headers=phone.auth)
            assert issued.status_code == 201
            passes.append(issued.json())
            saved = await http.post(f"{base}/api/push/subscriptions", json=subscription(n), headers=phone.auth)
            assert saved.status_code == 201, saved.text
        code = await http.post(
            f"{base}/api/organiser/enrolment-codes",
            json={"venue_ids": [venue], "expires_at": "2024-11-17T23:00:00+07:00"},
            headers=original.organiser(),
        )
        enrolled = (await http.post(f"{base}/api/volunteers/enrol", json={"code": code.json()["code"]})).json()
        volunteer = {"Authorization": f"Bearer {enrolled['token']}"}
        vapid = (await http.get(f"{base}/api/push/vapid-public-key")).json()
        keys = original.cli("keys", "list").stdout

        stop = asyncio.Event()
        pushing = [asyncio.create_task(phone.run(stop)) for phone in phones]
        while min(len(phone.acked) for phone in phones) < 5 and not any(task.done() for task in pushing):
            await asyncio.sleep(0.05)
        began = time.monotonic()
        done = await asyncio.to_thread(original.cli, "backup", str(tmp_path / "festival.lehoi"))
        ended = time.monotonic()
        await asyncio.sleep(0.5)
        stop.set()
        await asyncio.gather(*pushing)
        assert done.returncode == 0, done.stderr
        before = {(p.id, m["id"]) for p in phones for m, at in p.acked if at < began}
        assert any(began < at < ended for p in phones for _, at in p.acked), "no phone pushed during the backup"

    # on PostgreSQL, LiveServer makes and drops its database with asyncio.run: off this test's event loop
    restored = await asyncio.to_thread(
        LiveServer, tmp_path, env={"LEHOI_PUSH_HOSTS": RECEIVER, "LEHOI_PUSH_WORKER": "0"}
    )
    try:
        assert not restored.data_dir.exists()
        back = restored.cli("restore", str(tmp_path / "festival.lehoi"))
        assert back.returncode == 0, back.stderr
        restored.start(timeout=STARTUP_S)
        rows = await applied(restored)
        assert before <= rows, "a mutation acknowledged before the backup began was lost"
        async with httpx.AsyncClient(base_url=restored.url, timeout=30) as http:
            for phone, issued in zip(phones, passes, strict=True):
                kept = {m for c, m in rows if c == phone.id}
                me = (await http.get("/api/me", headers=phone.auth)).json()
                assert set(me["favourites"]) == phone.favourites_after(kept)
                assert (await http.get(f"/api/passes/{issued['pass_id']}", headers=phone.auth)).status_code == 200
                mine = (await http.get("/api/push/subscriptions", headers=phone.auth)).json()
                assert mine["endpoint"].startswith(f"{RECEIVER}/push/")
                scan = {
                    "id": str(uuid.uuid4()),
                    "pass_token": issued["token"],
                    "venue_id": venue,
                    "scanned_at": "2024-11-12T10:00:00+07:00",
                }
                verdict = (await http.post("/api/checkins", json=scan, headers=volunteer)).json()
                assert verdict["status"] == "accepted", verdict
            assert (await http.get("/api/push/vapid-public-key")).json() == vapid
        assert restored.cli("keys", "list").stdout == keys
    finally:
        await asyncio.to_thread(restored.stop)


def test_bad_paths_and_bad_archives_are_refused_with_nothing_written(original, tmp_path):
    archive = tmp_path / "good.lehoi"
    assert original.cli("backup", str(archive)).returncode == 0
    before = archive.read_bytes()

    again = original.cli("backup", str(archive))
    assert again.returncode != 0 and "already exists" in again.stderr
    assert archive.read_bytes() == before
    # /proc takes no new file, even from root
    unwritable = original.cli("backup", "/proc/festival.lehoi")
    assert unwritable.returncode != 0 and "cannot write in /proc" in unwritable.stderr, unwritable.stderr
    missing = original.cli("backup", str(tmp_path / "no-such-dir" / "x.lehoi"))
    assert missing.returncode != 0 and "is not a directory" in missing.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")) == []

    target = LiveServer(tmp_path)
    try:
        (tmp_path / "truncated.lehoi").write_bytes(before[: len(before) // 2])
        (tmp_path / "foreign.lehoi").write_bytes(b"PK\x03\x04 not a backup at all")
        for bad, why in (("truncated.lehoi", "truncated or foreign"), ("foreign.lehoi", "truncated or foreign")):
            refused = target.cli("restore", str(tmp_path / bad))
            assert refused.returncode != 0 and why in refused.stderr, refused.stderr
            assert not target.data_dir.exists(), "a refused restore leaves no directory it made"
        # a festival already there is never overwritten
        into_live = original.cli("restore", str(archive))
        assert into_live.returncode != 0 and "not empty" in into_live.stderr
        assert httpx.get(f"{original.url}/health", timeout=10).status_code == 200
    finally:
        target.stop()
