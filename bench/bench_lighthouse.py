"""Lighthouse scores of the PWA on a mobile profile, against a demo server this script starts itself.

Run as ``python bench/bench_lighthouse.py`` (about 30 s a run; ``--runs 3`` takes the median of three). It needs
``npm ci`` at the repository root once (Lighthouse 12.2.3 from package.json) and Debian's Chromium
(CHROME_PATH, default /usr/bin/chromium). Targets: performance ≥ 95 (issue 26: a light first visit), accessibility
≥ 95, best practices ≥ 95;
the exit status is 1 when a median misses its target. ``--url`` audits a server that is already running.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
TARGETS = {"performance": 95, "accessibility": 95, "best-practices": 95}
#: the scores before static files were compressed, hashed and split (issue 26, main 759048b)
BEFORE = {"performance": "87–92", "accessibility": "100", "best-practices": "100"}
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update "
    "--disable-sync --no-first-run"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_demo(data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    lehoi = Path(sys.executable).parent / "lehoi"
    command = [str(lehoi)] if lehoi.exists() else [sys.executable, "-c", "from server.cli import main; main()"]
    env = {**os.environ, "LEHOI_DATA_DIR": str(data_dir), "LEHOI_DATABASE_URL": ""}
    log = (data_dir / "server.log").open("ab")
    proc = subprocess.Popen(
        [*command, "serve", "--port", str(port), "--now", "2024-11-12T10:00+07:00"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the demo server exited: {(data_dir / 'server.log').read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/health", timeout=1) as response:
                if response.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise SystemExit("the demo server did not start in 60 s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def audit(url: str, out: Path, chrome: str) -> dict[str, float]:
    command = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        f"--output-path={out}",
        "--quiet",
        "--only-categories=performance,accessibility,best-practices",
        "--form-factor=mobile",
        "--screenEmulation.mobile",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    run = subprocess.run(
        command, env={**os.environ, "CHROME_PATH": chrome}, capture_output=True, text=True, timeout=300
    )
    if run.returncode != 0 or not out.exists():
        raise SystemExit(f"lighthouse failed ({run.returncode}):\n{run.stderr[-3000:]}")
    report = json.loads(out.read_text())
    scores = {key: round(cat["score"] * 100) for key, cat in report["categories"].items()}
    failing = [
        f"  {a['id']}: {a['title']}"
        for a in report["audits"].values()
        if a.get("score") is not None and a["score"] < 0.9 and a.get("scoreDisplayMode") in ("binary", "numeric")
    ]
    metrics = report["audits"]
    scores["_detail"] = {
        "FCP": metrics["first-contentful-paint"]["displayValue"],
        "LCP": metrics["largest-contentful-paint"]["displayValue"],
        "TBT": metrics["total-blocking-time"]["displayValue"],
        "CLS": metrics["cumulative-layout-shift"]["displayValue"],
        "below 90": failing,
    }
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="audits to run; the median counts")
    parser.add_argument("--url", help="audit this running server instead of starting the demo")
    parser.add_argument("--path", default="/", help="the page to audit (default /)")
    parser.add_argument("--keep", action="store_true", help="keep the JSON reports and print where")
    args = parser.parse_args()

    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    if not Path(chrome).exists():
        print(f"lighthouse did not run: {chrome} is missing (apt-get install chromium)")
        return 2
    if not LIGHTHOUSE.exists():
        if not shutil.which("npm"):
            print("lighthouse did not run: npm is missing")
            return 2
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True)

    work = Path(tempfile.mkdtemp(prefix="lehoi-lighthouse-"))
    proc = None
    try:
        if args.url:
            base = args.url.rstrip("/")
        else:
            proc, base = start_demo(work)
        runs = []
        for i in range(args.runs):
            scores = audit(base + args.path, work / f"report-{i}.json", chrome)
            detail = scores.pop("_detail")
            runs.append(scores)
            print(
                f"run {i + 1}: "
                + "  ".join(f"{k} {v}" for k, v in scores.items())
                + f"   (FCP {detail['FCP']}, LCP {detail['LCP']}, TBT {detail['TBT']}, CLS {detail['CLS']})"
            )
            for line in detail["below 90"]:
                print(line)
    finally:
        if proc:
            stop(proc)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"reports in {work}")

    ok = True
    print(f"lighthouse (mobile, median of {len(runs)}): score / target (before)")
    for key, target in TARGETS.items():
        median = statistics.median(r[key] for r in runs)
        ok &= median >= target
        verdict = "ok" if median >= target else "BELOW TARGET"
        print(f"  {key:15} {median:5.0f} / {target} ({BEFORE[key]})  {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
