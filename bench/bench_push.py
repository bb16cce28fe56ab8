"""Push fan-out benchmark: one alert to 10,000 subscriptions on a local receiver, beside its two baselines.

Run `.venv/bin/python bench/bench_push.py` (options: `--subscriptions`, `--sample`, `--verify-every`, `--database-url`,
`--processes`). It makes a throwaway SQLite database (or uses the PostgreSQL database given, dropping its schema: never
point it at real data), starts tests/push/receiver.py as a separate process (it holds the subscribers' private keys; it
checks every message's headers and, by default, decrypts and VAPID-checks one in ten: it stands in for a push service on
other machines, and decrypting all of them would take half of this 2-core machine; `--verify-every 1` checks all), and
measures, in one run:

1. lehoi's fan-out: an organiser's alert to every subscription, from the API call (delivery rows inserted) to the
   last outcome written, through `lehoi worker` with one process, then one per core (its default) → deliveries/s;
2. baseline (a): a plain loop of `pywebpush.webpush()` (synchronous, requests, a VAPID signature per call) on a
   sample, extrapolated to the same number of subscriptions;
3. baseline (b): the raw encryption rate, http_ece alone (a fresh ephemeral key per message, as Web Push needs).

Targets, for `lehoi worker` as it runs by default: ≥ 3,000 deliveries/s, ≥ 5× (a), ≥ 0.5× (b). One figure a
line.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECEIVER = ROOT / "tests" / "push" / "receiver.py"
SEED = "lehoi-bench"
PAYLOAD_TITLE = {"vi": "Thay đổi lịch: hòa nhạc chuyển sang Văn Miếu", "en": "Schedule change: the concert moves"}
PAYLOAD_BODY = {
    "vi": "Buổi hòa nhạc 19:00 tối nay chuyển sang Văn Miếu – Quốc Tử Giám. Vui lòng mang theo vé.",
    "en": "Tonight's 19:00 concert moves to the Temple of Literature. Please bring your ticket.",
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=500, help="messages sent by the plain pywebpush loop")
    parser.add_argument(
        "--verify-every", type=int, default=10, help="the receiver decrypts and checks one message in N (1: every one)"
    )
    parser.add_argument("--database-url", default="", help="postgresql://… (its public schema is DROPPED)")
    parser.add_argument(
        "--processes",
        default=sorted({1, os.cpu_count() or 1}),
        type=lambda v: [int(x) for x in v.split(",")],
        help="`lehoi worker --processes N` values to measure, comma-separated (default: 1 and one "
        "per core, the command's default)",
    )
    return parser.parse_args()


def load_receiver_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_receiver", RECEIVER)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def start_receiver(public_key: str, count: int, verify_every: int) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen(
        [
            sys.executable,
            str(RECEIVER),
            "--port",
            "0",
            "--seed",
            SEED,
            "--count",
            str(count),
            "--public-key",
            public_key,
            "--verify-every",
            str(verify_every),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline().strip()
    if not line.startswith("listening "):
        proc.kill()
        raise SystemExit(f"the receiver did not start: {line!r}")
    return proc, int(line.split()[1])


def receiver_stats(port: int) -> dict:
    import httpx

    return httpx.get(f"http://127.0.0.1:{port}/_stats", timeout=10).json()


async def prepare_database(database_url: str) -> None:
    from piccolo.engine import engine_finder

    from server.db.engine import is_postgres, open_engine
    from server.db.migrate import migrate_all
    from server.settings import load_settings

    engine = engine_finder()
    await open_engine(engine, load_settings())
    if is_postgres(engine):
        await engine.run_ddl("DROP SCHEMA public CASCADE")
        await engine.run_ddl("CREATE SCHEMA public")
    await migrate_all()


async def add_subscriptions(subscriptions: list[dict]) -> None:
    from datetime import UTC, datetime

    from server.accounts.tables import Device
    from server.push.tables import Subscription

    now = datetime.now(UTC)
    for start in range(0, len(subscriptions), 1000):
        chunk = subscriptions[start : start + 1000]
        ids = [f"bench-{start + i}" for i in range(len(chunk))]
        await Device.insert(*(Device(id=d, token_hash=d, created_at=now) for d in ids))
        await Subscription.insert(
            *(
                Subscription(
                    device=d,
                    endpoint=s["endpoint"],
                    p256dh=s["keys"]["p256dh"],
                    auth=s["keys"]["auth"],
                    created_at=now,
                    updated_at=now,
                )
                for d, s in zip(ids, chunk, strict=False)
            )
        )


def start_workers(count: int, port: int) -> subprocess.Popen:
    """`lehoi worker --processes count` on the bench's database and data directory, admitting only the receiver."""
    env = {**os.environ, "LEHOI_PUSH_HOSTS": f"http://127.0.0.1:{port}", "LEHOI_PUSH_POLL_S": "0.05", "LEHOI_NOW": ""}
    lehoi = Path(sys.executable).parent / "lehoi"
    log = Path(os.environ["LEHOI_DATA_DIR"]) / f"worker-{count}-{time.monotonic_ns()}.log"
    with open(log, "w") as stderr:
        proc = subprocess.Popen(
            [str(lehoi), "worker", "--processes", str(count)], env=env, stdout=subprocess.DEVNULL, stderr=stderr
        )
    proc.log = log
    deadline = time.monotonic() + 30
    while log.read_text().count("started") < count:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the workers did not start: {log.read_text()[-2000:]}")
        time.sleep(0.05)
    return proc


def stop_workers(proc: subprocess.Popen) -> float:
    """Stop them; the CPU seconds their processes spent between starting and stopping, from their logs."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
    cpu = 0.0
    for line in proc.log.read_text().splitlines():
        if ", cpu " in line:
            seconds = float(line.rsplit(", cpu ", 1)[1].split()[0])
            cpu += seconds if " stopped: " in line else -seconds
    return cpu


async def fan_out(n: int, workers: int, port: int) -> tuple[float, float, dict, float]:
    """Seconds from the alert's creation (its delivery rows inserted) to the last outcome written, through
    `workers` worker processes; the fan-out insert alone; the outcome counts."""
    from piccolo.engine import engine_finder

    from server.clock import SystemClock
    from server.programme.snapshot import SnapshotCache
    from server.push import schemas, store
    from server.push.alerts import AlertService

    engine = engine_finder()
    service = AlertService(engine, SystemClock(), SnapshotCache(engine), lambda: None)
    data = schemas.AlertCreate(
        title=schemas.AlertTitle(**PAYLOAD_TITLE),
        body=schemas.AlertBody(**PAYLOAD_BODY),
        url="/#/events/hoa-nhac",
        target=schemas.AlertTarget(all=True),
        urgency="high",
        ttl=3600,
    )
    procs = start_workers(workers, port)
    try:
        await asyncio.sleep(0.3)  # the workers idle, as in a running deployment
        t0 = time.time()
        created = await service.create(data, "bench")
        t_fan = time.time() - t0
        while True:  # polled slowly, so as to take little CPU from the workers; the end is read from the rows
            counts = (await store.counts([created.id]))[created.id]
            if not counts.get("queued"):
                break
            await asyncio.sleep(0.25)
        # the workers' clock is the system clock: done_ms is when each outcome was written
        last = await store.raw("SELECT MAX(done_ms) AS last FROM push_delivery WHERE alert = {}", created.id)
        elapsed = last[0]["last"] / 1000 - t0
    finally:
        cpu = stop_workers(procs)
    return elapsed, t_fan, counts, cpu


def plain_loop(port: int, pem: str, contact: str, sample: int, offset: int) -> float:
    """Messages per second of the naive loop: pywebpush.webpush() one after another."""
    from py_vapid import Vapid
    from pywebpush import webpush

    receiver = load_receiver_module()
    vapid = Vapid.from_pem(pem.encode())
    subscriptions = [receiver.derived_subscription(SEED, offset + i, f"http://127.0.0.1:{port}") for i in range(sample)]
    payload = (
        '{"id":"bench","kind":"alert","title":{"vi":"x","en":"x"},"body":{"vi":"y","en":"y"},"url":"/","lang":"vi"}'
    )
    t0 = time.perf_counter()
    for subscription in subscriptions:
        webpush(subscription, payload, vapid_private_key=vapid, vapid_claims={"sub": contact}, ttl=3600, timeout=10)
    return sample / (time.perf_counter() - t0)


def raw_encryption_rate(payload_size: int, n: int = 3000) -> float:
    """Messages per second of http_ece.encrypt alone, with a fresh ephemeral key per message."""
    import http_ece
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    receiver_key = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    auth = os.urandom(16)
    data = os.urandom(payload_size)
    t0 = time.perf_counter()
    for _ in range(n):
        http_ece.encrypt(
            data,
            private_key=ec.generate_private_key(ec.SECP256R1()),
            dh=receiver_key,
            auth_secret=auth,
            version="aes128gcm",
        )
    return n / (time.perf_counter() - t0)


async def main(args: argparse.Namespace) -> None:
    import httpx

    from server.push import schemas
    from server.push.alerts import payload_for
    from server.push.vapid import VapidKeys
    from server.settings import load_settings

    await prepare_database(args.database_url)
    settings = load_settings()
    receiver = load_receiver_module()
    n = args.subscriptions
    vapid = VapidKeys.load(settings.data_path / "vapid", settings.vapid_contact, settings.vapid_private_key)
    row = {
        "id": "alert-0123456789abcdef",
        "kind": "alert",
        "title_vi": PAYLOAD_TITLE["vi"],
        "title_en": PAYLOAD_TITLE["en"],
        "body_vi": PAYLOAD_BODY["vi"],
        "body_en": PAYLOAD_BODY["en"],
        "url": "/#/events/hoa-nhac",
        "event_id": None,
    }
    size = len(schemas.encode_payload(payload_for(row, "vi")))
    proc, port = start_receiver(vapid.public_key, n + args.sample, args.verify_every)
    runs = []
    raws = []
    try:
        origin = f"http://127.0.0.1:{port}"
        await add_subscriptions([receiver.derived_subscription(SEED, i, origin) for i in range(n)])
        # the baselines are measured between the fan-outs, so a machine whose load changes during the run
        # weighs on both sides alike
        raws.append(raw_encryption_rate(size))
        for workers in args.processes:
            httpx.post(f"{origin}/_reset", timeout=10)  # noqa: ASYNC210 - between measurements
            before = receiver_stats(port)["cpu_s"]
            elapsed, t_fan, counts, cpu = await fan_out(n, workers, port)
            stats = receiver_stats(port)
            stats["cpu_s"] -= before
            runs.append((workers, elapsed, t_fan, counts, stats, cpu))
            raws.append(raw_encryption_rate(size))
        plain = await asyncio.to_thread(plain_loop, port, vapid.private_pem(), settings.vapid_contact, args.sample, n)
    finally:
        proc.kill()
        proc.wait()

    raw = sum(raws) / len(raws)
    engine = "PostgreSQL" if settings.uses_postgres else "SQLite"
    checked = "every message" if args.verify_every == 1 else f"one message in {args.verify_every}"
    print(
        f"baseline (a) plain pywebpush.webpush() loop (requests, a VAPID signature per call): {plain:,.0f} "
        f"messages/s on {args.sample} ({n / plain:.1f} s for {n})"
    )
    print(
        f"baseline (b) raw encryption, http_ece alone ({size}-byte payload, fresh ephemeral key each): "
        f"{raw:,.0f} messages/s (mean of {len(raws)}: {', '.join(f'{r:,.0f}' for r in raws)})"
    )
    for workers, elapsed, t_fan, counts, stats, cpu in runs:
        rate = n / elapsed
        ok = (
            counts.get("sent") == n
            and stats["accepted"] == n
            and not stats["errors"]
            and stats["max_per_subscription"] == 1
        )
        default = workers == (os.cpu_count() or 1)
        label = f"lehoi worker --processes {workers}" + (" (the default here)" if default else "")
        figures = f"{rate:,.0f} deliveries/s; {rate / plain:.1f}x the plain loop; {rate / raw:.2f}x raw encryption"
        if default:  # the targets are the command's as it runs by default: one process per core
            figures = (
                f"{rate:,.0f} deliveries/s (target >= 3,000: {'met' if rate >= 3000 else 'NOT met'}); "
                f"{rate / plain:.1f}x the plain loop (>= 5x: {'met' if rate >= 5 * plain else 'NOT met'}); "
                f"{rate / raw:.2f}x raw encryption (>= 0.5x: {'met' if rate >= raw / 2 else 'NOT met'})"
            )
        else:
            figures += " (for information: the targets are the default's)"
        print(f"push fan-out ({engine}, {label}): {n} deliveries in {elapsed:.2f} s = {figures}")
        print(
            f"push fan-out ({label}) details: delivery rows inserted in {t_fan * 1000:.0f} ms; receiver accepted "
            f"{stats['accepted']} (decrypted and VAPID-checked {checked}: {stats['verified']}), "
            f"{len(stats['errors'])} errors, at most {stats['max_per_subscription']} per subscription: "
            f"{'ok' if ok else 'NOT OK ' + str(counts)}; CPU per delivery: workers {cpu * 1e6 / n:.0f} us, "
            f"receiver {stats['cpu_s'] * 1e6 / n:.0f} us"
        )
    for *_, stats, _ in runs:
        if stats["errors"]:
            print("receiver errors:", *stats["errors"][:5], sep="\n  ")


if __name__ == "__main__":
    arguments = parse_args()
    data_dir = tempfile.mkdtemp(prefix="lehoi-bench-push-")
    os.environ["LEHOI_DATA_DIR"] = data_dir
    os.environ["LEHOI_DATABASE_URL"] = arguments.database_url
    os.environ["PICCOLO_CONF"] = "server.db.piccolo_conf"
    os.environ.pop("LEHOI_VAPID_PRIVATE_KEY", None)
    sys.path.insert(0, str(ROOT))
    try:
        import uvloop

        uvloop.run(main(arguments))
    except ImportError:
        asyncio.run(main(arguments))
