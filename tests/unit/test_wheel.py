"""The wheel is the whole app: built from this checkout, installed into an empty virtual environment and started
away from the repository, `lehoi serve` serves the PWA, its service worker, the demo festival and the basemap.

Nothing is cached across runs: each run builds the wheel and makes the environment anew (pip's own download cache
only spares the network). Slow: it installs every dependency."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server.pwa import build_site
from tests.support.live_server import free_port

ROOT = Path(__file__).resolve().parents[2]
#: building, installing (numpy, scipy, osmium…) and starting; a run takes about a minute with pip's cache warm
INSTALL_TIMEOUT_S = 300
START_TIMEOUT_S = 90


def _run(*args: str | Path, cwd: Path) -> None:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S, check=False
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    # the environment weighs hundreds of megabytes: removed after the run, where pytest keeps its last temp dirs
    with tempfile.TemporaryDirectory(prefix="lehoi-wheel-") as tmp:
        yield Path(tmp)


@pytest.fixture(scope="module")
def installed(workdir: Path) -> Path:
    """The bin/ folder of a fresh virtual environment holding only the wheel and its dependencies."""
    # built from the tracked files alone, as a fresh clone would be: setuptools reuses an in-tree build/ folder,
    # whose files of an earlier build (a migration since moved) would otherwise ride along into the wheel
    source = workdir / "source"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", workdir / "dist", source, cwd=workdir)
    (wheel,) = (workdir / "dist").glob("lehoi-*.whl")
    _run(sys.executable, "-m", "venv", workdir / "venv", cwd=workdir)
    bin_dir = workdir / "venv" / "bin"
    _run(bin_dir / "python", "-m", "pip", "install", "--quiet", wheel, cwd=workdir)
    return bin_dir


@pytest.mark.slow
def test_the_installed_wheel_serves_the_app(installed: Path, workdir: Path):
    run_dir = workdir / "run"
    run_dir.mkdir()
    port = free_port()
    # nothing of this session's settings or of the checkout may leak in: no LEHOI_* (data dir, database), no
    # PYTHONPATH, and a working directory outside the repository, so only the installed copy can answer
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEHOI_", "PYTHON", "PICCOLO_", "VIRTUAL_ENV"))}
    env |= {"LEHOI_DATA_DIR": str(run_dir / "data"), "PYTHONUNBUFFERED": "1"}
    log_path = run_dir / "serve.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [installed / "lehoi", "serve", "--port", str(port)], cwd=run_dir, env=env, stdout=log, stderr=log
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert server.poll() is None, f"lehoi serve exited:\n{log_path.read_text(errors='replace')[-4000:]}"
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"no answer in {START_TIMEOUT_S} s:\n{log_path.read_text()[-4000:]}"
            time.sleep(0.3)

        page = httpx.get(f"{base}/", timeout=10)
        assert page.status_code == 200
        # the wheel ships every file of pwa/, byte for byte: the same hashed names and the same cache name
        site = build_site(ROOT / "pwa")
        assert page.content == site.assets["/index.html"].body
        worker = httpx.get(f"{base}/sw.js", timeout=10)
        assert worker.status_code == 200
        assert worker.content == site.assets["/sw.js"].body

        demo = json.loads((ROOT / "fixtures" / "hcdf2024.json").read_text(encoding="utf-8"))["festival"]
        festival = httpx.get(f"{base}/api/festival", timeout=10)
        assert festival.status_code == 200
        answer = festival.json()
        assert answer["id"] == demo["id"] and answer["name"] == demo["name"]
        # the prebuilt basemap came along, so the answer names it and it is served whole
        basemap = httpx.get(f"{base}{answer['map']['basemap']['url']}", timeout=10)
        assert basemap.content == (ROOT / "fixtures" / "osm" / "hanoi-centre.pmtiles").read_bytes()
        # the developers' tools stayed out of the wheel
        assert httpx.get(f"{base}/vendor/refresh.mjs", timeout=10).status_code == 404
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
