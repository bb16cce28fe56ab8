"""Test set-up shared by every suite: one database per run (SQLite or PostgreSQL by LEHOI_DATABASE_URL),
migrated once, the demo festival loaded, and an app driven through Litestar's AsyncTestClient.

Tests and production differ only in configuration: the same migrations, the same fixtures file.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import msgspec
import pytest

DATA_DIR = Path(tempfile.mkdtemp(prefix="lehoi-test-"))
os.environ["LEHOI_DATA_DIR"] = str(DATA_DIR)
os.environ.setdefault("LEHOI_DATABASE_URL", "")
os.environ["PICCOLO_CONF"] = "server.db.piccolo_conf"

from litestar.testing import AsyncTestClient  # noqa: E402
from piccolo.engine import engine_finder  # noqa: E402

from server.app import create_app  # noqa: E402
from server.clock import FixedClock  # noqa: E402
from server.db.engine import is_postgres  # noqa: E402
from server.db.migrate import migrate_all  # noqa: E402
from server.settings import load_settings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "hcdf2024.json"
FESTIVAL_NOW = datetime.fromisoformat("2024-11-12T10:00:00+07:00")
ORGANISER = ("organiser@lehoi.test", "correct horse battery")
#: POST /api/devices per minute in tests; tests that only need a device make one through `device`.
DEVICE_RATE = 40


async def reset_database() -> None:
    """An empty, fully migrated database."""
    engine = engine_finder()
    if is_postgres(engine):
        await engine.run_ddl("DROP SCHEMA public CASCADE")
        await engine.run_ddl("CREATE SCHEMA public")
    else:
        engine.remove_db_file() if Path(engine.path).exists() else None
    await migrate_all()


async def reload_programme() -> None:
    """The demo festival exactly as in the fixtures file, whatever a test changed."""
    from server.programme.fixtures import load_file
    from server.programme.tables import Announcement, Event, Trail

    engine = engine_finder()
    await Trail.delete(force=True)
    await Event.delete(force=True)
    await Announcement.delete(force=True)
    await load_file(DEMO, engine)


@pytest.fixture(scope="session")
def clock() -> FixedClock:
    return FixedClock(FESTIVAL_NOW)


@pytest.fixture(scope="session")
async def client(clock: FixedClock) -> AsyncIterator[AsyncTestClient]:
    """The app with the demo festival and one organiser.

    AsyncTestClient runs the app on its own event loop in a thread; asyncpg connections belong to one loop,
    so once the app has started, tests reach the database through `in_app` (the app's loop), never directly.
    """
    from server.accounts.service import create_organiser
    from server.programme.fixtures import load_file

    engine = engine_finder()
    await reset_database()
    await load_file(DEMO, engine)
    await create_organiser(*ORGANISER)
    app = create_app(load_settings(device_rate_per_minute=DEVICE_RATE), clock=clock)
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def in_app(client: AsyncTestClient):
    """Run a coroutine function on the app's event loop (where its database connections live)."""

    def call(fn, *args):
        return client.blocking_portal.call(fn, *args)

    return call


@pytest.fixture(scope="session")
async def organiser_token(client: AsyncTestClient) -> str:
    response = await client.post("/api/auth/login", json={"email": ORGANISER[0], "password": ORGANISER[1]})
    assert response.status_code == 200, response.text
    return response.json()["token"]


@pytest.fixture
def as_organiser(organiser_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {organiser_token}"}


@pytest.fixture
def fresh_programme(client: AsyncTestClient, in_app) -> Iterator[None]:
    """For tests that edit the programme: the demo festival is restored afterwards."""
    yield
    in_app(reload_programme)
    client.app.state.snapshots.invalidate()


@pytest.fixture
def device(client: AsyncTestClient, in_app) -> dict[str, str]:
    """A fresh attendee device: its id, token and Authorization header."""
    from server.accounts.devices import register_device

    device_id, token = in_app(register_device, client.app.state.clock.now())
    return {"id": device_id, "token": token, "auth": {"Authorization": f"Bearer {token}"}}


@pytest.fixture(scope="session")
def node_test(tmp_path_factory):
    """Runs a tests/js/*.test.mjs file under Node.js with vectors the Python side wrote, so the phone's
    JavaScript is held to the server's Python; the script reads the vectors' path from `env_var`."""
    node = shutil.which("node")
    if node is None:
        message = "the JavaScript parity tests did not run: node is missing"
        if os.environ.get("LEHOI_REQUIRE_ALL_TESTS") == "1":
            pytest.fail(message)
        pytest.skip(message)

    def run(script: str, env_var: str, vectors: object, timeout: int = 300) -> None:
        path = tmp_path_factory.mktemp("vectors") / "vectors.json"
        path.write_bytes(msgspec.json.encode(vectors))
        result = subprocess.run(
            [node, "--test", "--test-reporter=tap", str(ROOT / "tests" / "js" / script)],
            cwd=ROOT,
            env={**os.environ, env_var: str(path)},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        report = result.stdout[-6000:] + result.stderr[-3000:]
        assert result.returncode == 0, report
        assert re.search(r"^# pass [1-9]", result.stdout, re.M), report
        assert re.search(r"^# fail 0$", result.stdout, re.M) and re.search(r"^# skipped 0$", result.stdout, re.M), (
            report
        )

    return run
