"""A real `lehoi serve` process for tests that need one: browsers, chaos, end to end.

Each server gets a fresh data directory and, in a PostgreSQL run (LEHOI_DATABASE_URL set), a fresh database
of its own, so it never disturbs the in-process test app's database. `LiveServer(workdir, host_of=first)` is
another host of `first`'s deployment instead: the same database and keys, a data directory of its own (hosts share
no disk: the keys travel in LEHOI_SIGNING_KEYS and LEHOI_VAPID_PRIVATE_KEY, as the README tells operators).
"""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parents[2]
_numbers = itertools.count(1)
#: seconds a server may take to start on a machine busy with other runs (migrations, the demo's road import)
STARTUP_S = 180


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _admin(url: str, sql: str) -> None:
    import asyncio

    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(run())
        return
    # called under a running loop (Playwright's sync API keeps one in the test's thread): run on a thread of its own
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()


class LiveServer:
    #: the organiser `organiser()` creates
    ORGANISER = ("organiser@live.test", "correct horse battery")

    def __init__(
        self,
        workdir: Path,
        now: str = "fixed:2024-11-12T10:00+07:00",
        env: dict[str, str] | None = None,
        *,
        host_of: LiveServer | None = None,
        args: tuple[str, ...] = (),
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = workdir / f"live-{self.port}"
        self.now = now
        self.extra_env = env or {}
        #: more `lehoi serve` options, such as ("--workers", "2")
        self.args = args
        self.process: subprocess.Popen | None = None
        self.database_url = ""
        #: whether stop() drops the database: its first host's, not another host's
        self.owns_database = host_of is None
        self.host_of = host_of
        base = os.environ.get("LEHOI_DATABASE_URL", "")
        if host_of is not None:
            if not host_of.database_url:
                raise ValueError("hosts share a database only on PostgreSQL: SQLite is one process's file")
            self.database, self.database_url = host_of.database, host_of.database_url
            self.extra_env = {**host_of.shared_keys(), **self.extra_env}
        elif base:
            self.database = f"lehoi_live_{os.getpid()}_{next(_numbers)}"
            parts = urlsplit(base)
            self.database_url = urlunsplit(parts._replace(path=f"/{self.database}"))
            _admin(base, f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
            _admin(base, f"CREATE DATABASE {self.database}")
        self.log_path = workdir / f"live-{self.port}.log"
        #: the server's environment, also for CLI commands run against its data (keys, organisers)
        self.env = {
            **os.environ,
            "LEHOI_DATA_DIR": str(self.data_dir),
            "LEHOI_DATABASE_URL": self.database_url,
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }
        self._organiser: dict[str, str] | None = None

    def shared_keys(self) -> dict[str, str]:
        """The signing and VAPID keys of this deployment, as the environment of a host that shares no disk with it
        (made once, here; `lehoi keys` and `lehoi vapid-key --env` give an operator the same)."""
        if "LEHOI_SIGNING_KEYS" not in self.extra_env:
            if self.process is not None:
                raise RuntimeError("make the other hosts before the first starts: it reads its keys when it starts")
            from server.checkin.keys import new_env_entry
            from server.push.vapid import VapidKeys

            vapid = VapidKeys.load(self.data_dir / "vapid", "mailto:organisers@live.test", "").env_value()
            self.extra_env.update(LEHOI_SIGNING_KEYS=new_env_entry("k1"), LEHOI_VAPID_PRIVATE_KEY=vapid)
            self.env.update(self.extra_env)
        return {k: self.extra_env[k] for k in ("LEHOI_SIGNING_KEYS", "LEHOI_VAPID_PRIVATE_KEY")}

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    def start(self, timeout: float = 60) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "server.cli", "serve", "--port", str(self.port), "--now", self.now, *self.args],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"lehoi serve exited: {self.log()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200 and self._all_workers_listen():
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"lehoi serve did not answer in {timeout}s: {self.log()}")

    def _all_workers_listen(self) -> bool:
        """Whether each of `--workers N` listens: each has a socket of its own (server/workers.py) and listens only
        once its app has started, so one answer says nothing of the others."""
        workers = int(self.args[self.args.index("--workers") + 1]) if "--workers" in self.args else 1
        if workers == 1:
            return True
        out = subprocess.run(["ss", "-tlnH", f"( sport = :{self.port} )"], capture_output=True, text=True, check=True)
        return len(out.stdout.splitlines()) >= workers

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, as a crash would."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def restart(self) -> None:
        self.kill()
        self.start()

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """`lehoi ARGS…` against this server's data, as an operator on its host would run it; its output as text."""
        return subprocess.run(
            [sys.executable, "-m", "server.cli", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def organiser(self) -> dict[str, str]:
        """Authorization headers of an organiser, created once through the CLI as an operator would (a token that
        every host of the deployment accepts)."""
        if self.host_of is not None:
            return self.host_of.organiser()
        if self._organiser is None:
            email, password = self.ORGANISER
            self.cli("create-organiser", "--email", email, "--password", password).check_returncode()
            response = httpx.post(self.url + "/api/auth/login", json={"email": email, "password": password}, timeout=10)
            assert response.status_code == 200, response.text
            self._organiser = {"Authorization": f"Bearer {response.json()['token']}"}
        return self._organiser

    def me(self, token: str) -> dict:
        response = httpx.get(self.url + "/api/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.database_url and self.owns_database:
            _admin(os.environ["LEHOI_DATABASE_URL"], f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
