"""Browser tests: a real `lehoi serve` subprocess and Debian's Chromium driven by Playwright.

The server gets a fresh data directory (and, when LEHOI_DATABASE_URL names PostgreSQL, a fresh database of its
own, dropped afterwards), a frozen festival clock, and a free port. `live_server.restart()` stops and starts it
on the same port and data, as a phone would see a server restart.

Without /usr/bin/chromium these tests skip, unless LEHOI_REQUIRE_ALL_TESTS=1 (CI), where they fail.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Debian's Chromium; LEHOI_CHROMIUM names another build (or a missing one, to check the skip).
CHROMIUM = os.environ.get("LEHOI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FESTIVAL_NOW = "fixed:2024-11-12T10:00+07:00"
MISSING = f"browser tests did not run: {CHROMIUM} is missing"


def require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("LEHOI_REQUIRE_ALL_TESTS") == "1":
        pytest.fail(MISSING, pytrace=False)
    pytest.skip(MISSING)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lehoi_command() -> list[str]:
    script = Path(sys.executable).parent / "lehoi"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from server.cli import main; main()"]


class PostgresDatabase:
    """A database of its own for the live server, next to the one LEHOI_DATABASE_URL names."""

    def __init__(self, url: str) -> None:
        self.admin_url = url
        self.name = f"lehoi_browser_{os.getpid()}"
        parts = urlsplit(url)
        self.url = urlunsplit(parts._replace(path="/" + self.name))

    async def _run(self, sql: str) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.admin_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    def create(self) -> None:
        asyncio.run(self._run(f'DROP DATABASE IF EXISTS "{self.name}"'))
        asyncio.run(self._run(f'CREATE DATABASE "{self.name}"'))

    def drop(self) -> None:
        asyncio.run(self._run(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))


class LiveServer:
    def __init__(self, data_dir: Path, database_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.log_path = data_dir / "server.log"
        self.env = {
            **os.environ,
            "LEHOI_DATA_DIR": str(data_dir),
            "LEHOI_DATABASE_URL": database_url,
            "LEHOI_NOW": FESTIVAL_NOW,
            # Every test phone registers from 127.0.0.1; the per-address limit is for the real world.
            "LEHOI_DEVICE_RATE_PER_MINUTE": "10000",
            "PYTHONUNBUFFERED": "1",
        }
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [*lehoi_command(), "serve", "--port", str(self.port), "--now", FESTIVAL_NOW],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"lehoi serve exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"lehoi serve did not become healthy in 60 s:\n{self.log()}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)

    def restart(self) -> None:
        self.stop()
        self.start()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    def organiser(self) -> dict[str, str]:
        """Authorization headers of an organiser (created once, through the CLI as an operator would)."""
        if not getattr(self, "_organiser", None):
            email, password = "organiser@browser.test", "correct horse battery"
            subprocess.run([*lehoi_command(), "create-organiser", "--email", email, "--password", password],
                           cwd=ROOT, env=self.env, check=True, capture_output=True, timeout=60)
            response = httpx.post(self.url + "/api/auth/login", json={"email": email, "password": password}, timeout=10)
            assert response.status_code == 200, response.text
            self._organiser = {"Authorization": f"Bearer {response.json()['token']}"}
        return self._organiser

    def me(self, token: str) -> dict:
        response = httpx.get(self.url + "/api/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    require_chromium()
    data_dir = Path(tempfile.mkdtemp(prefix="lehoi-browser-"))
    database = None
    url = os.environ.get("LEHOI_DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        database = PostgresDatabase(url)
        database.create()
    server = LiveServer(data_dir, database.url if database else "")
    try:
        server.start()
        yield server
    finally:
        server.stop()
        if database:
            database.drop()


@pytest.fixture(scope="module")
def browser(live_server: LiveServer):
    # Per module, not per session: Playwright's sync API keeps an event loop running while it is open,
    # and the asyncio tests collected after this folder need the thread to themselves.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def phone(browser, live_server: LiveServer):
    """A fresh phone (browser context) at 360 × 740, in English."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="en-GB", is_mobile=True, has_touch=True,
        base_url=live_server.url,
    )
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()
