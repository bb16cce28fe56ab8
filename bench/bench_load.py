"""The real mix under load: phones syncing and volunteers scanning, against a real `lehoi serve`, on the demo festival
and on a city-sized one (`lehoi generate-festival`, 950 venues and 1,400 events, loaded with `lehoi load-fixtures`).

Every figure beside GET /api/festival (an answer kept encoded in memory) measured in the same run. The paths a
phone's sync cycle takes and a volunteer's scan (bench/load.lua, every request from a device picked at random):

- GET /api/sync/changes?since=<version>: at the current version, and a few (1 to 5) versions behind;
- POST /api/sync/push: favourite.set or favourite.unset, fresh UUIDs (one mutation alone, one or two in the mix);
- GET /api/me;
- volunteers' online scans, POST /api/checkins: fresh scan ids, pass tokens the server issued (POST /api/passes,
  one per phone), volunteers enrolled with an organiser's enrolment code.

Three measurements:
1. alone, closed loop (64 connections, each sends when its previous answer came, one wrk process): each path's
   maximum and its ratio to the festival answer, the figures of issue 28's table;
2. the mix, closed loop: ONE wrk process whose every request is a path drawn at random in MIX_SHARES' proportions
   (load.lua's mix mode), flat out: the mix's own maximum, in its own proportions. The paths share the server (on
   SQLite one database file, one writer), so this is lower than what the paths' maxima alone would suggest; pacing
   each path at a share of its maximum alone would be overload, not half load. One wrk process has one
   histogram, so this run gives req/s per path (counted in load.lua) and one p50/p99 for the whole mix;
3. the mix at half load, open loop: every path at once, each in a wrk process of its own (its own histogram) sent
   on a fixed schedule (load.lua's `delay()`, as wrk2 paces) at its MIX_SHARES share of half the mix's maximum
   in 2: p50 and p99 per path, and how many sends left late.

Every run prints the CPU its wrk processes used (a paced wrk sleeps between sends; the closed-loop ones are a single
thread each) beside what the server's processes used, so that one can see wrk did not take the server's cores.

Goals: /api/me >= 0.5x festival, changes at the current version >= 0.6x, push >= 0.15x (alone); p99 <= 100 ms on
every path at half load; zero errors (non-2xx and socket errors) anywhere; on PostgreSQL, reads from one worker
to two (`--workers 2`) >= 1.6x; each server process's resident memory <= 300 MB after serving the city-sized
bundle. Afterwards every push answer is checked against applied_mutation (nothing lost, nothing doubled).

Runs: SQLite (one process), then PostgreSQL with one worker and with two when LOAD_POSTGRES_URL (or
LEHOI_DATABASE_URL) is a postgresql:// URL: the bench makes a throwaway database `<that database's name>_load`
beside it and drops it afterwards. Environment: LOAD_SECONDS (per run, default BENCH_SECONDS or 8),
LOAD_WARMUP_SECONDS (2), LOAD_CONNECTIONS (64), LOAD_PHONES (1000), LOAD_VOLUNTEERS (64), LOAD_ENGINES
(default "sqlite,pg1,pg2"), LOAD_FESTIVALS (default "demo,city"). Everything on 127.0.0.1; the machine's load
average is printed first.
"""

from __future__ import annotations

import asyncio
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
LUA_SCRIPT = BENCH / "load.lua"

NOW = "2024-11-12T10:00:00+07:00"
SECONDS = int(os.environ.get("LOAD_SECONDS", os.environ.get("BENCH_SECONDS", "8")))
WARMUP = int(os.environ.get("LOAD_WARMUP_SECONDS", "2"))
CONNECTIONS = int(os.environ.get("LOAD_CONNECTIONS", "64"))
PHONES = int(os.environ.get("LOAD_PHONES", "1000"))
VOLUNTEERS = int(os.environ.get("LOAD_VOLUNTEERS", "64"))
BEHIND = 5  # changes_behind asks for 1 to BEHIND versions back

#: (wrk mode, label); festival is measured first and last, the baseline is their mean
PATHS = [
    ("me", "GET /api/me"),
    ("changes_current", "GET /api/sync/changes (current version)"),
    ("changes_behind", f"GET /api/sync/changes (1-{BEHIND} versions behind)"),
    ("push", "POST /api/sync/push (one favourite)"),
    ("checkin", "POST /api/checkins (online scan)"),
]
READS = ["me", "changes_current", "changes_behind"]
RATIO_GOALS = {"me": 0.5, "changes_current": 0.6, "push": 0.15}
P99_GOAL_MS = 100.0
SCALING_GOAL = 1.6
MEMORY_GOAL_MB = 300
#: the mix's proportions (of requests; of connections in the paced runs): a phone's cycle reads its changes and
#: /api/me every time and pushes now and then; volunteers scan at the doors
MIX_SHARES = {"me": 4, "changes_current": 4, "changes_behind": 2, "push": 3, "checkin": 3}
#: mutations a push of the mix carries, at most (one alone, to compare with issue 28's "one favourite")
MIX_BATCH = 2
FESTIVALS = os.environ.get("LOAD_FESTIVALS", "demo,city").split(",")

#: issue 28's table, measured on main 759048b (SQLite, one process, demo festival, one path at a time, latency at
#: saturation): (before the festival-peak work, when the issue was filed)
BEFORE = {
    "me": ("0.018x", "0.74x, p99 814 ms; paced: p50 1.1 ms, p99 370-910 ms"),
    "changes_current": ("0.05x", "0.51x, p99 98 ms; paced p99 4 ms"),
    "push": ("0.016x", "0.068x, p50 329 ms, p99 443 ms; paced p99 32 ms"),
    "festival": ("", "2,827 req/s; paced p99 11 ms"),
}


def half_load(mode: str, mix_maximum: float) -> float:
    """The path's rate at half load: its MIX_SHARES share of half the mix's maximum (all paths at once)."""
    # at least one a second: a rate of 0 would be wrk's closed loop
    return max(1.0, mix_maximum / 2 * MIX_SHARES[mode] / sum(MIX_SHARES.values()))


def shares_spec() -> str:
    """MIX_SHARES as load.lua's LOAD_SHARES reads it."""
    return ",".join(f"{mode}={share}" for mode, share in MIX_SHARES.items())


def mix_connections(total: int) -> dict[str, int]:
    """`total` connections shared by MIX_SHARES, each path at least one."""
    weight = sum(MIX_SHARES.values())
    return {mode: max(1, round(total * share / weight)) for mode, share in MIX_SHARES.items()}


# -- the Lua data file ------------------------------------------------------------------------------------------


def lua_value(value) -> str:
    """A Python value (dict with str keys, list, str, int, float, bool, None) as a Lua expression."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = []
        for ch in value:
            if ch in '\\"':
                escaped.append("\\" + ch)
            elif ch == "\n":
                escaped.append("\\n")
            elif ord(ch) < 32 or ord(ch) == 127:
                escaped.append(f"\\{ord(ch):03d}")
            else:
                escaped.append(ch)
        return '"' + "".join(escaped) + '"'
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{lua_value(str(k))}] = {lua_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "{\n" + "".join(f"  {lua_value(v)},\n" for v in value) + "}"
    raise TypeError(f"no Lua form for {type(value).__name__}")


def write_lua_data(path: Path, data: dict) -> Path:
    """The file load.lua `dofile`s: `return {…}`."""
    path.write_text("-- written by bench/bench_load.py\nreturn " + lua_value(data) + "\n", encoding="utf-8")
    return path


# -- wrk's output -----------------------------------------------------------------------------------------------


def ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}[unit]


@dataclass
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: dict[str, int]
    sent: int = 0
    mutations: int = 0
    late: int = 0
    lag_max_ms: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    results: dict[str, int] = field(default_factory=dict)
    #: requests sent per path (a mix run)
    counts: dict[str, int] = field(default_factory=dict)

    def path_rps(self, mode: str) -> float:
        """A mix run's req/s of one path: its part of the requests sent."""
        return self.rps * self.counts.get(mode, 0) / max(1, sum(self.counts.values()))

    @property
    def errors(self) -> int:
        return self.non_2xx + sum(self.socket_errors.values())


def parse_wrk(out: str) -> Run:
    """wrk --latency output, with the LOAD lines load.lua's done() prints."""
    sockets = {"connect": 0, "read": 0, "write": 0, "timeout": 0}
    found = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if found:
        sockets = dict(zip(sockets, map(int, found.groups()), strict=False))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    run = Run(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50_ms=ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
        p99_ms=ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
        requests=int(re.search(r"(\d+) requests in", out).group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sockets,
    )
    for line in out.splitlines():
        parts = line.split()
        if parts[:2] == ["LOAD", "sent"]:
            run.sent = int(parts[2])
        elif parts[:2] == ["LOAD", "mutations"]:
            run.mutations = int(parts[2])
        elif parts[:2] == ["LOAD", "late"]:
            run.late = int(parts[2])
        elif parts[:2] == ["LOAD", "lag_max"]:
            run.lag_max_ms = float(parts[2])
        elif parts[:2] == ["LOAD", "status"]:
            run.statuses[int(parts[2])] = int(parts[3])
        elif parts[:2] == ["LOAD", "result"]:
            run.results[parts[2]] = int(parts[3])
        elif parts[:2] == ["LOAD", "count"]:
            run.counts[parts[2]] = int(parts[3])
    return run


@dataclass
class Job:
    """One wrk run: a path, its connections, and its rate (0: closed loop)."""

    mode: str
    connections: int = CONNECTIONS
    rate: float = 0.0
    batch: int = 1
    ids_file: Path | None = None


#: (wrk CPU seconds, server CPU seconds, wall seconds) of the last wrk_all
last_cpu: list[tuple[float, float, float]] = []


def wrk_all(url: str, jobs: list[Job], data_file: Path, seconds: int, server_pid: int) -> list[Run]:
    """Every job's wrk at the same time, each its own process, its own histogram; records the CPU wrk and the
    server used meanwhile in `last_cpu`."""
    from tests.support.processes import cpu_seconds, process_tree  # the repository is on the path (main)

    server_pids = process_tree(server_pid)
    wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before = cpu_seconds(server_pids)
    t0 = time.perf_counter()
    started = []
    for job in jobs:
        env = {
            **os.environ,
            "LOAD_DATA": str(data_file),
            "LOAD_MODE": job.mode,
            "LOAD_RUN": uuid.uuid4().hex[:8],
            "LOAD_IDS": str(job.ids_file or ""),
            "LOAD_NOW": NOW,
            "LOAD_BATCH": str(job.batch),
            "LOAD_RATE": f"{job.rate:.1f}",
            "LOAD_SHARES": shares_spec(),
        }
        args = ["wrk", "-t1", f"-c{job.connections}", f"-d{seconds}s", "--timeout", "10s", "--latency"]
        args += ["-s", str(LUA_SCRIPT), url]
        started.append(subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env))
    runs = []
    for job, process in zip(jobs, started, strict=True):
        out, err = process.communicate()
        if process.returncode != 0 or "Requests/sec" not in out:
            raise RuntimeError(f"wrk {job.mode} failed: {out[-2000:]}{err[-2000:]}")
        runs.append(parse_wrk(out))
    wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = wrk_after.ru_utime + wrk_after.ru_stime - wrk_before.ru_utime - wrk_before.ru_stime
    last_cpu[:] = [(wrk_cpu, cpu_seconds(server_pids) - server_before, time.perf_counter() - t0)]
    return runs


def cpu_line() -> str:
    wrk, server, wall = last_cpu[0]
    return f"CPU: wrk {wrk / wall:.0%} of a core, the server {server / wall:.0%} of a core"


# -- servers ----------------------------------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def rss_mb(pid: int) -> float | None:
    """The process's resident memory (VmRSS) in MB; None once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    return int(found.group(1)) / 1024 if found else None


def memory(pid: int) -> list[tuple[str, float | None]]:
    """(what, VmRSS MB) of the server process and of each of its children (uvicorn's workers with --workers)."""
    found = [(f"pid {pid} ({'main' if children(pid) else 'the server'})", rss_mb(pid))]
    for child in children(pid):
        cmd = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        kind = "resource tracker" if "resource_tracker" in cmd else "worker"
        found.append((f"pid {child} ({kind})", rss_mb(child)))
    return found


async def serve_bundles(url: str, times: int) -> int:
    """Ask for the offline bundle `times` times at once, in every coding, so that every worker serves it; its size."""
    import httpx

    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        codings = ["br", "gzip", "identity"]
        answers = await asyncio.gather(
            *(
                http.get("/api/sync/bundle", headers={"accept-encoding": codings[n % len(codings)]})
                for n in range(times)
            )
        )
    for answer in answers:
        answer.raise_for_status()
    return len(answers[0].content)


def make_server(workdir: Path, workers: int, database_url: str):
    from tests.support.live_server import LiveServer

    class Server(LiveServer):
        def start(self, timeout: float = 90) -> None:
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "server.cli",
                        "serve",
                        "--port",
                        str(self.port),
                        "--now",
                        self.now,
                        "--workers",
                        str(workers),
                    ],
                    cwd=ROOT,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"lehoi serve exited: {self.log()}")
                if self.log().count("Application startup complete") >= workers:
                    return
                time.sleep(0.1)
            raise RuntimeError(f"lehoi serve did not start {workers} workers in {timeout}s: {self.log()}")

    env = {"LEHOI_DATABASE_URL": database_url, "LEHOI_DEVICE_RATE_PER_MINUTE": "1000000"}
    return Server(workdir, now=f"fixed:{NOW[:16]}+07:00", env=env)


async def prepare(url: str, organiser: dict[str, str]) -> dict:
    """Phones (device + pass each), enrolled volunteers, event ids and the current version, via the real API."""
    import httpx

    limits = httpx.Limits(max_connections=16)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        gate = asyncio.Semaphore(16)

        async def phone() -> dict:
            async with gate:
                device = (await http.post("/api/devices")).raise_for_status().json()
                issued = await http.post("/api/passes", headers={"Authorization": f"Bearer {device['token']}"})
                issued.raise_for_status()
                return {"id": device["device_id"], "token": device["token"], "pass": issued.json()["token"]}

        venues = [v["id"] for v in (await http.get("/api/venues")).json()]
        expires = (datetime.fromisoformat(NOW) + timedelta(hours=8)).isoformat()

        async def volunteer(n: int) -> dict:
            async with gate:
                venue = venues[n % len(venues)]
                code = (
                    await http.post(
                        "/api/organiser/enrolment-codes",
                        headers=organiser,
                        json={"venue_ids": [venue], "expires_at": expires},
                    )
                ).raise_for_status()
                enrolled = await http.post("/api/volunteers/enrol", json={"code": code.json()["code"]})
                return {"token": enrolled.raise_for_status().json()["token"], "venue": venue}

        phones = await asyncio.gather(*(phone() for _ in range(PHONES)))
        volunteers = await asyncio.gather(*(volunteer(n) for n in range(VOLUNTEERS)))
        events = [e["id"] for e in (await http.get("/api/events")).json()]
        version = (await http.get("/api/festival")).json()["version"]
        feed = (await http.get("/api/sync/changes", params={"since": version})).json()
        assert feed["from"] == feed["to"] == version, feed
        assert (await http.get("/api/sync/changes", params={"since": version - BEHIND})).status_code == 200
    return {
        "version": version,
        "behind": BEHIND,
        "events": events,
        "phones": [{"id": p["id"], "token": p["token"]} for p in phones],
        "passes": [p["pass"] for p in phones],
        "volunteers": volunteers,
    }


def applied_rows(server, database_url: str, phone_ids: set[str]) -> list[tuple[str, str, str]]:
    """(client_id, mutation_id, status) of every favourite mutation the bench's phones have in applied_mutation."""
    sql = (
        "SELECT client_id, mutation_id, status FROM applied_mutation WHERE name IN ('favourite.set', 'favourite.unset')"
    )
    if database_url:
        import asyncpg

        async def fetch():
            conn = await asyncpg.connect(database_url)
            try:
                return [tuple(r) for r in await conn.fetch(sql)]
            finally:
                await conn.close()

        rows = asyncio.run(fetch())
    else:
        with sqlite3.connect(server.data_dir / "lehoi.sqlite") as db:
            rows = db.execute(sql).fetchall()
    return [r for r in rows if r[0] in phone_ids]


def accounting(answered: list[tuple[str, str]], rows: list[tuple[str, str, str]], sent: int) -> list[str]:
    """The push answers against the database: applied answers all there once, nothing beyond what was sent."""
    applied = [i for status, i in answered if status == "applied"]
    other = len(answered) - len(applied)
    in_db = [m for _, m, status in rows if status == "applied"]
    db_set = set(in_db)
    lost = len(set(applied) - db_set)
    doubled = len(rows) - len({(c, m) for c, m, _ in rows})  # rows beyond the first of a (client, mutation)
    unanswered = len(db_set - set(applied))
    #: cut off before the server committed them: neither answered nor in the table (a phone would resend them)
    vanished = sent - len(answered) - unanswered
    ok = lost == 0 and doubled == 0 and len(set(applied)) == len(applied) and len(rows) <= sent and vanished >= 0
    return [
        f"push accounting: {sent} mutations sent, {len(answered)} results answered ({len(applied)} applied, "
        f"{other} other); applied_mutation holds {len(rows)} rows for these phones ({len(in_db)} applied)",
        f"push accounting: lost (answered applied, not in the table) {lost}; doubled {doubled}; in the table but "
        f"never answered (in flight when wrk stopped, at most {MIX_BATCH} per connection and run) {unanswered}; sent, "
        f"never answered and not in the table (cut off before the commit) {vanished}: {'ok' if ok else 'NOT OK'}",
    ]


# -- one engine -------------------------------------------------------------------------------------------------


def fmt(run: Run) -> str:
    errors = f"{run.errors} errors"
    if run.errors:
        errors += f" (non-2xx {run.non_2xx}, sockets {run.socket_errors}, statuses {run.statuses})"
    return f"{run.rps:8,.0f} req/s  p50 {run.p50_ms:7.1f} ms  p99 {run.p99_ms:7.1f} ms  {errors}"


@dataclass
class Figures:
    """One server's figures: each path alone, in the closed mix and in the paced mix; the largest process's RSS."""

    alone: dict[str, Run]
    mix: Run
    paced: dict[str, Run]
    memory_mb: float
    ok: bool


def load_festival(server, festival: str, workdir: Path) -> None:
    """The city-sized festival into the server's empty database, as an operator would, before it starts."""
    if festival == "demo":
        return
    path = workdir / "city.json"
    for command in (["generate-festival", "--out", str(path)], ["migrate"], ["load-fixtures", str(path)]):
        server.cli(*command, timeout=600).check_returncode()


def measure(label: str, workers: int, database_url: str, festival: str) -> Figures:
    workdir = Path(tempfile.mkdtemp(prefix="lehoi-bench-load-"))
    server = make_server(workdir, workers, database_url)
    load_festival(server, festival, workdir)
    server.start(timeout=300)
    try:
        t0 = time.perf_counter()
        data = asyncio.run(prepare(server.url, server.organiser()))
        data_file = write_lua_data(workdir / "data.lua", data)
        print(
            f"[{label}] prepared {len(data['phones'])} phones with passes, {len(data['volunteers'])} volunteers, "
            f"{len(data['events'])} events, version {data['version']} in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        answered: list[tuple[str, str]] = []
        mutations = 0

        def play(jobs: list[Job], seconds: int) -> dict[str, Run]:
            nonlocal mutations
            for job in jobs:
                if job.mode in ("push", "mix"):
                    job.ids_file = workdir / f"ids-{uuid.uuid4().hex[:6]}.txt"
            runs = wrk_all(server.url, jobs, data_file, seconds, server.process.pid)
            for job, run in zip(jobs, runs, strict=True):
                if job.ids_file is not None:
                    mutations += run.mutations
                    answered.extend(tuple(line.split()) for line in job.ids_file.read_text().splitlines() if line)
            return {job.mode: run for job, run in zip(jobs, runs, strict=True)}

        if WARMUP:
            for mode in ["festival", *(m for m, _ in PATHS)]:
                play([Job(mode)], WARMUP)
        first = play([Job("festival")], SECONDS)["festival"]
        alone = {mode: play([Job(mode)], SECONDS)[mode] for mode, _ in PATHS}
        last = play([Job("festival")], SECONDS)["festival"]
        base = Run(
            rps=(first.rps + last.rps) / 2,
            p50_ms=max(first.p50_ms, last.p50_ms),
            p99_ms=max(first.p99_ms, last.p99_ms),
            requests=first.requests + last.requests,
            non_2xx=first.non_2xx + last.non_2xx,
            socket_errors={k: first.socket_errors[k] + last.socket_errors[k] for k in first.socket_errors},
        )
        shares = mix_connections(CONNECTIONS)
        mix = play([Job("mix", CONNECTIONS, batch=MIX_BATCH)], SECONDS)["mix"]
        mix_cpu = cpu_line()
        paced = play([Job(m, shares[m], rate=half_load(m, mix.rps), batch=MIX_BATCH) for m in MIX_SHARES], SECONDS)
        paced_cpu = cpu_line()
        festival_paced = play([Job("festival", rate=base.rps / 2)], SECONDS)["festival"]

        names = dict(PATHS)
        print(f"[{label}] wrk -t1 per path on the same 2-core machine, {SECONDS} s a run")
        print(f"  alone, closed loop, {CONNECTIONS} connections (the ratios of issue 28's table):")
        print(
            f"  {'GET /api/festival (in memory, baseline)':45s} {fmt(base)}  (first {first.rps:,.0f}, "
            f"last {last.rps:,.0f} req/s)"
        )
        for mode, name in PATHS:
            run = alone[mode]
            extra = ""
            if run.results:
                extra = "  results " + ", ".join(f"{k} {v}" for k, v in sorted(run.results.items()))
            print(f"  {name:45s} {fmt(run)}  ratio {run.rps / base.rps:.3f}{extra}")
        print(
            f"  the mix, closed loop, one wrk process, {CONNECTIONS} connections, each request a path drawn in the "
            f"shares {shares_spec()}: {fmt(mix)}; {mix_cpu}"
        )
        for mode in MIX_SHARES:
            print(f"  {names[mode]:45s} {mix.path_rps(mode):8,.0f} req/s  ratio {mix.path_rps(mode) / base.rps:.3f}")
        print(
            f"  the mix at half load, open loop (each path its share of half the mix's {mix.rps:,.0f} req/s, all at "
            f"once, a wrk process each, connections {', '.join(f'{m} {c}' for m, c in shares.items())}); {paced_cpu}:"
        )
        for mode, run in [("festival", festival_paced), *paced.items()]:
            name = names.get(mode, "GET /api/festival (alone, half its maximum)")
            print(f"  {name:45s} {fmt(run)}  late sends {run.late} (worst {run.lag_max_ms:.0f} ms behind)")

        ok = True
        for mode, goal in RATIO_GOALS.items():
            ratio = alone[mode].rps / base.rps
            ok &= ratio >= goal
            print(f"  goal {mode} >= {goal}x festival: {ratio:.3f}x: {'holds' if ratio >= goal else 'MISSED'}")
        slow = [m for m, r in paced.items() if r.p99_ms > P99_GOAL_MS]
        ok &= not slow
        print(
            f"  goal p99 <= {P99_GOAL_MS:.0f} ms on every path at half load: "
            f"{'holds' if not slow else 'MISSED on ' + ', '.join(slow)}"
        )
        everything = [*(("alone " + m, r) for m, r in alone.items()), ("festival", base)]
        everything += [("mix", mix)] + [("paced " + m, r) for m, r in paced.items()]
        failing = [f"{m} {r.errors}" for m, r in everything if r.errors]
        ok &= not failing
        print(f"  goal zero errors: {'holds' if not failing else 'MISSED (' + ', '.join(failing) + ')'}")

        phone_ids = {p["id"] for p in data["phones"]}
        for line in accounting(answered, applied_rows(server, database_url, phone_ids), mutations):
            ok &= not line.endswith("NOT OK")
            print("  " + line)
        size = asyncio.run(serve_bundles(server.url, 12 * workers))
        found = memory(server.process.pid)
        for what, mb in found:
            print(
                f"  memory after serving the {festival} bundle ({size:,} bytes of JSON): {what}: VmRSS "
                + (f"{mb:.0f} MB" if mb is not None else "gone")
            )
        worst = max((mb for _, mb in found if mb is not None), default=0.0)
        ok &= worst <= MEMORY_GOAL_MB
        print(
            f"  goal <= {MEMORY_GOAL_MB} MB per process: {worst:.0f} MB: "
            f"{'holds' if worst <= MEMORY_GOAL_MB else 'MISSED'}"
        )
        print(flush=True)
        return Figures(
            alone={"festival": base, **alone},
            mix=mix,
            paced={"festival": festival_paced, **paced},
            memory_mb=worst,
            ok=ok,
        )
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def beside_the_issue(results: dict[str, Figures]) -> None:
    """Issue 28's table, and this run's figures beside it."""
    print("Issue 28's figures (SQLite, demo, one path at a time) beside this run's (alone: ratio; paced mix: p50/p99):")
    for mode, (before, filed) in BEFORE.items():
        print(f"  {mode:16s} before the work {before or '-':7s} | when filed: {filed}")
        for label, figures in results.items():
            ratio = figures.alone[mode].rps / figures.alone["festival"].rps
            paced = figures.paced[mode]
            print(
                f"  {'':16s} {label:13s} {ratio:.3f}x ({figures.alone[mode].rps:,.0f} req/s); "
                f"paced p50 {paced.p50_ms:.1f} ms, p99 {paced.p99_ms:.1f} ms"
            )
    for label, figures in results.items():
        verdict = "all hold" if figures.ok else "NOT all held"
        print(f"  {label:13s} largest process after the bundle: {figures.memory_mb:.0f} MB; goals {verdict}")


def postgres_url() -> str:
    url = os.environ.get("LOAD_POSTGRES_URL") or os.environ.get("LEHOI_DATABASE_URL", "")
    return url if url.startswith(("postgresql://", "postgres://")) else ""


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    sys.path.insert(0, str(ROOT))
    from tests.support.live_server import _admin

    base_pg = postgres_url()
    os.environ["LEHOI_DATABASE_URL"] = ""  # LiveServer would make databases of its own from it
    engines = os.environ.get("LOAD_ENGINES", "sqlite,pg1,pg2").split(",")
    print(
        f"load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (shared machine: "
        f"wrk, the server and its database share them)",
        flush=True,
    )
    results: dict[str, Figures] = {}
    pg = [e for e in engines if e.startswith("pg")]
    if pg and not base_pg:
        print(
            "PostgreSQL runs skipped: set LOAD_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/<db> (the bench "
            "makes and drops <db>_load beside it)"
        )
        pg = []
    for festival in FESTIVALS:
        if "sqlite" in engines:
            results[f"sqlite {festival}"] = measure(f"SQLite, 1 process, {festival}", 1, "", festival)
        if pg:
            parts = urlsplit(base_pg)
            name = f"{parts.path.lstrip('/') or 'lehoi'}_load"
            url = urlunsplit(parts._replace(path=f"/{name}"))
        for engine in pg:
            workers = int(engine[2:] or 1)
            _admin(base_pg, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            _admin(base_pg, f"CREATE DATABASE {name}")
            try:
                label = f"PostgreSQL ({name}), --workers {workers}, {festival}"
                results[f"{engine} {festival}"] = measure(label, workers, url, festival)
            finally:
                _admin(base_pg, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        one, two = results.get(f"pg1 {festival}"), results.get(f"pg2 {festival}")
        if one and two:
            print(f"PostgreSQL, --workers 2 against --workers 1, {festival}, each path alone:")
            for mode in ["festival", *(m for m, _ in PATHS)]:
                scale = two.alone[mode].rps / one.alone[mode].rps
                judged = (
                    f"(goal >= {SCALING_GOAL}x: {'holds' if scale >= SCALING_GOAL else 'MISSED'})"
                    if mode in READS
                    else "(information)"
                )
                print(
                    f"  {mode:16s} {one.alone[mode].rps:8,.0f} -> {two.alone[mode].rps:8,.0f} req/s: "
                    f"{scale:.2f}x {judged}"
                )
    beside_the_issue(results)


if __name__ == "__main__":
    main()
