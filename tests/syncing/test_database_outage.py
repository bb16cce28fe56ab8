"""The database goes away under load and comes back: requests fail cleanly with a 503 (which phones retry,
keeping their outbox), never a 500, and the server recovers by itself, without a restart."""

from __future__ import annotations

import os
import sqlite3
import time
import uuid

import asyncpg
import httpx
import pytest

from server.db.engine import unavailable
from tests.support.live_server import LiveServer, _admin


def test_what_counts_as_the_database_being_away():
    assert unavailable(asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"))
    assert unavailable(asyncpg.exceptions.CannotConnectNowError("the database system is starting up"))
    assert unavailable(ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)"))
    # a connection terminated while idle in the pool, used before asyncpg noticed
    assert unavailable(
        asyncpg.exceptions.InternalClientError("cannot switch to state 12; another operation (2) is in progress")
    )
    assert not unavailable(asyncpg.exceptions.InternalClientError("a bug in the driver"))
    # the ROLLBACK of a transaction whose connection a restart cut under it
    assert unavailable(
        asyncpg.exceptions.InterfaceError("cannot call Transaction.rollback(): the underlying connection is closed")
    )
    assert not unavailable(asyncpg.exceptions.InterfaceError("cannot perform operation: another operation is in use"))
    assert unavailable(sqlite3.OperationalError("database is locked"))
    assert not unavailable(sqlite3.OperationalError("no such table: device"))
    assert not unavailable(asyncpg.exceptions.UniqueViolationError("duplicate key"))
    assert not unavailable(ValueError("a bug"))


class Uploader:
    """A phone registered with the live server, starring its first event through /api/sync/push."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.device = httpx.post(server.url + "/api/devices", json={}, timeout=10).json()
        self.auth = {"Authorization": f"Bearer {self.device['token']}"}
        self.event_id = httpx.get(server.url + "/api/events", timeout=10).json()[0]["id"]

    def push(self) -> httpx.Response:
        mutation = {"id": str(uuid.uuid4()), "name": "favourite.set", "args": {"event_id": self.event_id}}
        body = {"client_id": self.device["device_id"], "mutations": [mutation]}
        return httpx.post(self.server.url + "/api/sync/push", json=body, headers=self.auth, timeout=60)


@pytest.mark.slow
def test_a_postgresql_outage_is_a_503_and_the_server_recovers(tmp_path):
    if not os.environ.get("LEHOI_DATABASE_URL"):
        pytest.skip("PostgreSQL's outage: on SQLite the file cannot go away, and the test below holds its lock")
    server = LiveServer(tmp_path)
    server.start()
    try:
        uploader = Uploader(server)

        def push() -> int:
            return uploader.push().status_code

        assert push() == 200
        base = os.environ["LEHOI_DATABASE_URL"]
        _admin(base, f"ALTER DATABASE {server.database} ALLOW_CONNECTIONS false")
        _admin(base, f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{server.database}'")
        during = [push() for _ in range(5)]
        assert set(during) == {503}, during
        # reads the process holds in memory go on being answered
        assert httpx.get(server.url + "/api/festival", timeout=10).status_code == 200
        _admin(base, f"ALTER DATABASE {server.database} ALLOW_CONNECTIONS true")
        deadline = time.monotonic() + 30
        while (status := push()) != 200:
            assert status == 503 and time.monotonic() < deadline, status
            time.sleep(0.2)
        assert "internal error" not in server.log()
    finally:
        server.stop()


@pytest.mark.slow
def test_an_sqlite_lock_held_past_the_busy_timeout_is_a_503_and_the_server_recovers(tmp_path):
    """SQLite's own outage: another process (a backup, an operator's sqlite3 shell) holds the write lock longer than
    the busy timeout. The upload waiting for it is a 503 the phone retries, never a 500, and once the lock goes
    the next upload is applied."""
    if os.environ.get("LEHOI_DATABASE_URL"):
        pytest.skip("SQLite's lock: the PostgreSQL run tests PostgreSQL's outage above")
    from server.db.engine import SQLITE_BUSY_TIMEOUT_S

    server = LiveServer(tmp_path)
    server.start()
    try:
        uploader = Uploader(server)
        push, auth, event_id = uploader.push, uploader.auth, uploader.event_id

        assert push().status_code == 200
        holder = sqlite3.connect(server.data_dir / "lehoi.sqlite", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            started = time.monotonic()
            refused = push()
            assert refused.status_code == 503, refused.text
            assert refused.headers.get("retry-after") and time.monotonic() - started >= SQLITE_BUSY_TIMEOUT_S * 0.9
            # reads the process holds in memory go on being answered meanwhile
            assert httpx.get(server.url + "/api/festival", timeout=10).status_code == 200
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert push().status_code == 200
        me = httpx.get(server.url + "/api/me", headers=auth, timeout=10).json()
        assert me["favourites"] == [event_id]
        assert "internal error" not in server.log()
    finally:
        server.stop()
