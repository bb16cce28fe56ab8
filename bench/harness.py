"""What every HTTP benchmark needs: a lehoi server, a bare baseline on the same server, and wrk as the load
generator in another process. Figures are printed one per line as `name: value (target …)`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.live_server import LiveServer, free_port  # noqa: E402

DURATION_S = int(os.environ.get("BENCH_SECONDS", "8"))


@contextmanager
def lehoi_server(now: str = "fixed:2024-11-12T10:00+07:00", env: dict[str, str] | None = None):
    workdir = Path(tempfile.mkdtemp(prefix="lehoi-bench-"))
    server = LiveServer(workdir, now=now, env={"LEHOI_DATABASE_URL": "", **(env or {})})
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def wait_until_answering(url: str, tries: int = 100) -> None:
    """Poll `url` until a server answers it (any status), for at most `tries` tenths of a second."""
    for _ in range(tries):
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)


@contextmanager
def bare_server(status: int, headers: dict[str, str], body: bytes):
    """The baseline app serving exactly these bytes, on uvicorn like lehoi."""
    with tempfile.NamedTemporaryFile(delete=False) as f:
        f.write(body)
    port = free_port()
    env = {**os.environ, "BARE_STATUS": str(status), "BARE_HEADERS": json.dumps(headers), "BARE_BODY_FILE": f.name}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.bare_app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(url)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        os.unlink(f.name)


class Load:
    def __init__(self, rps: float, p99_ms: float, errors: int) -> None:
        self.rps, self.p99_ms, self.errors = rps, p99_ms, errors

    def __str__(self) -> str:
        return f"{self.rps:,.0f} req/s, p99 {self.p99_ms:.1f} ms"


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(
    url: str,
    connections: int = 32,
    headers: dict[str, str] | None = None,
    seconds: int = DURATION_S,
    script: Path | None = None,
    env: dict[str, str] | None = None,
) -> Load:
    """Load from wrk (one thread, `connections` keep-alive connections) in its own process; `script` is a wrk Lua
    script shaping each request, reading `env`."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk (make bench installs it)")
    args = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    if script is not None:
        args += ["-s", str(script)]
    out = subprocess.run(
        [*args, url], capture_output=True, text=True, check=True, env={**os.environ, **(env or {})}
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|Socket errors:.*?timeout)\s*:?\s*(\d+)", out))
    return Load(rps, p99, errors)


def compare(name: str, ours: Load, bare: Load, target: str = "") -> None:
    ratio = ours.rps / bare.rps if bare.rps else 0.0
    print(f"{name}: lehoi {ours} | bare ASGI {bare} | ratio {ratio:.2f}{f'  (target {target})' if target else ''}")
