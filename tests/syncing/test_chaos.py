"""Chaos: phones push while the server is SIGKILLed and restarted; afterwards the server holds exactly
the mutations the phones made, none lost and none doubled."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import uuid

import asyncpg
import httpx
import pytest

from tests.support.favourites import favourites_after
from tests.support.live_server import LiveServer

CLIENTS = 4
MUTATIONS_EACH = 120
KILLS = 4
TIME_LIMIT_S = 120


class Phone:
    """A client that behaves as docs/protocol.md says: an outbox, retries with backoff on 5xx and network faults."""

    def __init__(self, n: int, base: str, events: list[str]) -> None:
        self.rng = random.Random(n)
        self.base = base
        self.events = events
        self.outbox: list[dict] = []
        self.made: list[dict] = []
        self.device_id = ""
        self.token = ""
        self.faults = 0

    async def register(self, http: httpx.AsyncClient) -> None:
        body = await self._retry(http, "POST", "/api/devices", None)
        self.device_id, self.token = body["device_id"], body["token"]

    def write(self) -> None:
        name = self.rng.choice(["favourite.set", "favourite.set", "favourite.unset"])
        mutation = {"id": str(uuid.uuid4()), "name": name, "args": {"event_id": self.rng.choice(self.events)}}
        self.outbox.append(mutation)
        self.made.append(mutation)

    async def flush(self, http: httpx.AsyncClient) -> None:
        while self.outbox:
            batch = self.outbox[: self.rng.randint(1, 40)]
            body = await self._retry(http, "POST", "/api/sync/push", {"client_id": self.device_id, "mutations": batch})
            assert {r["status"] for r in body["results"]} <= {"applied", "duplicate"}
            last = [m["id"] for m in self.outbox].index(body["last_mutation_id"])
            del self.outbox[: last + 1]

    async def _retry(self, http: httpx.AsyncClient, method: str, path: str, json: dict | None) -> dict:
        delay = 0.05
        while True:
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
            try:
                response = await http.request(method, self.base + path, json=json, headers=headers, timeout=5)
                if response.status_code < 500:
                    assert response.status_code in (200, 201), response.text
                    return response.json()
            except httpx.TransportError:
                self.faults += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)


async def recorded(server: LiveServer) -> list[tuple[str, str]]:
    sql = "SELECT client_id, mutation_id FROM applied_mutation"
    if server.database_url:
        conn = await asyncpg.connect(server.database_url)
        try:
            return [tuple(r) for r in await conn.fetch(sql)]
        finally:
            await conn.close()
    with sqlite3.connect(server.data_dir / "lehoi.sqlite") as db:
        return [tuple(r) for r in db.execute(sql)]


@pytest.fixture
def server(tmp_path):
    live = LiveServer(tmp_path)
    live.start()
    yield live
    live.stop()


async def test_nothing_lost_nothing_doubled_across_crashes(server):
    async with httpx.AsyncClient() as http:
        events = [e["id"] for e in (await http.get(f"{server.url}/api/events")).json()[:12]]
        phones = [Phone(n, server.url, events) for n in range(CLIENTS)]
        for phone in phones:
            await phone.register(http)

        async def use(phone: Phone) -> None:
            for _ in range(MUTATIONS_EACH):
                phone.write()
                if phone.rng.random() < 0.3:
                    await phone.flush(http)
                await asyncio.sleep(phone.rng.random() * 0.02)
            await phone.flush(http)

        async def crash() -> None:
            rng = random.Random(99)
            for _ in range(KILLS):
                await asyncio.sleep(0.3 + rng.random() * 0.7)
                await asyncio.to_thread(server.restart)

        await asyncio.wait_for(asyncio.gather(crash(), *(use(p) for p in phones)), TIME_LIMIT_S)

        assert sum(p.faults for p in phones) > 0, "the crashes never hit a phone: the test proved nothing"
        rows = await recorded(server)
        assert len(rows) == len(set(rows)), "a mutation was recorded twice"
        for phone in phones:
            mine = {m for c, m in rows if c == phone.device_id}
            assert mine == {m["id"] for m in phone.made}, "a mutation was lost or invented"
            me = (await http.get(f"{server.url}/api/me", headers={"Authorization": f"Bearer {phone.token}"})).json()
            assert set(me["favourites"]) == favourites_after(phone.made)
