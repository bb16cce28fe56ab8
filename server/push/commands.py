"""`lehoi worker` and `lehoi vapid-key`: the push commands, registered in server/cli.py."""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import signal
import subprocess
import sys
import time

import click

#: a worker process that fails by itself sooner than this after starting is not restarted: it would only fail again
_QUICK_EXIT_S = 5.0


@click.command()
@click.option(
    "--processes",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (LEHOI_PUSH_PROCESSES; default one per CPU core).",
)
@click.option("--concurrency", type=int, default=None, help="Push requests in flight (LEHOI_PUSH_CONCURRENCY, 200).")
@click.option("--batch", type=int, default=None, help="Delivery rows claimed at a time (LEHOI_PUSH_BATCH, 500).")
@click.option(
    "--now",
    envvar="LEHOI_NOW",
    default="",
    help="Festival clock, as for `lehoi serve --now` (give it the hosts' …@REAL value to agree with them).",
)
def worker(processes: int | None, concurrency: int | None, batch: int | None, now: str) -> None:
    """Deliver push alerts and reminders until stopped (SIGTERM or Ctrl-C finish what is in flight).

    Runs one worker process per CPU core (encryption keeps each one busy), restarting one that dies. Run as many
    as you like against PostgreSQL (on any hosts sharing LEHOI_VAPID_PRIVATE_KEY or the data directory); set
    LEHOI_PUSH_WORKER=0 on `lehoi serve` when workers run apart from the server.
    """
    from server.clock import anchored
    from server.settings import load_settings

    try:
        now = anchored(now)  # its processes read the one festival time
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--now") from None
    for name, value in (("NOW", now or None), ("PUSH_CONCURRENCY", concurrency), ("PUSH_BATCH", batch)):
        if value is not None:
            os.environ[f"LEHOI_{name}"] = str(value)
    count = processes or load_settings().push_processes or os.cpu_count() or 1
    if count > 1:
        sys.exit(_supervise(count))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        asyncio.run(_work())
    else:
        uvloop.run(_work())


def _supervise(count: int) -> int:
    """Run `count` single worker processes until told to stop; the exit status of the first that failed."""
    command = [sys.executable, "-m", "server.cli", "worker", "--processes", "1"]
    stopping = False
    children: list[tuple[subprocess.Popen, float]] = []

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        for child, _ in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    children[:] = [(subprocess.Popen(command), time.monotonic()) for _ in range(count)]
    status = 0
    while True:
        for i, (child, started) in enumerate(children):
            code = child.poll()
            if code is None or stopping:
                continue
            if code > 0 and time.monotonic() - started < _QUICK_EXIT_S:
                click.echo(f"a push worker process failed at start ({code}): stopping", err=True)
                status = status or code or 1
                stop(signal.SIGTERM, None)
                break
            # its claims come back when their leases end; a new process takes them over
            click.echo(f"a push worker process ended ({code}): starting another", err=True)
            children[i] = (subprocess.Popen(command), time.monotonic())
        if all(child.poll() is not None for child, _ in children):
            return status
        time.sleep(0.2)


async def _work() -> None:
    from piccolo.engine import engine_finder

    from server.clock import clock_from_setting
    from server.db.engine import close_engine, open_engine
    from server.push.runtime import PushRuntime
    from server.settings import load_settings

    settings = load_settings()
    engine = engine_finder()
    await open_engine(engine, settings)
    try:
        runtime = PushRuntime(settings)
        push_worker = runtime.make_worker(engine, clock_from_setting(settings.now))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, push_worker.stop)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        click.echo(
            f"lehoi push worker {push_worker.owner} started, cpu {usage.ru_utime + usage.ru_stime:.2f} s", err=True
        )
        await push_worker.run()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        click.echo(
            f"lehoi push worker {push_worker.owner} stopped: {push_worker.totals}, "
            f"cpu {usage.ru_utime + usage.ru_stime:.2f} s",
            err=True,
        )
    finally:
        await close_engine(engine)


@click.command("vapid-key")
@click.option("--env", "as_env", is_flag=True, help="Print LEHOI_VAPID_PRIVATE_KEY=… to share the key between hosts.")
def vapid_key(as_env: bool) -> None:
    """Print the VAPID public key (made in the data directory if there is none yet)."""
    from server.push.vapid import ENV_VAR, VapidKeys
    from server.settings import load_settings

    settings = load_settings()
    keys = VapidKeys.load(settings.data_path / "vapid", settings.vapid_contact, settings.vapid_private_key)
    click.echo(f"{ENV_VAR}={keys.env_value()}" if as_env else keys.public_key)


COMMANDS = [worker, vapid_key]
