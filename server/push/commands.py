"""`lehoi worker` and `lehoi vapid-key`: the push commands, registered in server/cli.py."""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import signal

import click


@click.command()
@click.option("--concurrency", type=int, default=None, help="Push requests in flight (LEHOI_PUSH_CONCURRENCY, 200).")
@click.option("--batch", type=int, default=None, help="Delivery rows claimed at a time (LEHOI_PUSH_BATCH, 500).")
@click.option("--now", envvar="LEHOI_NOW", default="", help="Festival clock, as for `lehoi serve --now`.")
def worker(concurrency: int | None, batch: int | None, now: str) -> None:
    """Deliver push alerts and reminders until stopped (SIGTERM or Ctrl-C finish what is in flight).

    Run as many as you like against PostgreSQL (on any hosts sharing LEHOI_VAPID_PRIVATE_KEY or the data
    directory); set LEHOI_PUSH_WORKER=0 on `lehoi serve` when workers run apart from the server.
    """
    for name, value in (("NOW", now or None), ("PUSH_CONCURRENCY", concurrency), ("PUSH_BATCH", batch)):
        if value is not None:
            os.environ[f"LEHOI_{name}"] = str(value)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        asyncio.run(_work())
    else:
        uvloop.run(_work())


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
        click.echo(f"lehoi push worker {push_worker.owner} started, cpu {usage.ru_utime + usage.ru_stime:.2f} s",
                   err=True)
        await push_worker.run()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        click.echo(f"lehoi push worker {push_worker.owner} stopped: {push_worker.totals}, "
                   f"cpu {usage.ru_utime + usage.ru_stime:.2f} s", err=True)
    finally:
        await close_engine(engine)


@click.command("vapid-key")
@click.option("--env", "as_env", is_flag=True, help="Print LEHOI_VAPID_PRIVATE_KEY=… to share the key between hosts.")
def vapid_key(as_env: bool) -> None:
    """Print the VAPID public key (made in the data directory if there is none yet)."""
    from server.push.vapid import ENV_VAR, VapidKeys
    from server.settings import load_settings

    settings = load_settings()
    keys = VapidKeys.load(settings.data_path / "vapid", settings.push_contact)
    click.echo(f"{ENV_VAR}={keys.env_value()}" if as_env else keys.public_key)
