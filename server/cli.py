"""The `lehoi` command line."""

from __future__ import annotations

import asyncio
import copy
import os
import sys
from pathlib import Path

import click

from server.accounts import commands as accounts
from server.basemap import commands as basemap
from server.checkin import commands as checkin
from server.db.engine import with_engine
from server.programme import commands as programme
from server.push import commands as push
from server.resources import DEMO_EXTRACT, DEMO_FESTIVAL
from server.wayfinding import commands as wayfinding

#: the commands.py of every domain, in the order `lehoi --help` lists their commands
DOMAIN_MODULES = (programme, accounts, checkin, push, basemap, wayfinding)


def _env(**values: object) -> None:
    # Settings are read from the environment (by piccolo_conf too), so options become LEHOI_* variables
    # before anything reads them.
    for key, value in values.items():
        if value is not None:
            os.environ[f"LEHOI_{key.upper()}"] = str(value)


def _run(coro):
    return asyncio.run(coro)


@click.group()
@click.option("--data-dir", envvar="LEHOI_DATA_DIR", help="Data directory (SQLite file, keys). Default ./data.")
@click.option("--database-url", envvar="LEHOI_DATABASE_URL", help="postgresql://… to use PostgreSQL instead of SQLite.")
def main(data_dir: str | None, database_url: str | None) -> None:
    """lehoi: the festival companion server. Programme, map and routes, day plans, check-ins, alerts."""
    _env(data_dir=data_dir, database_url=database_url)


@main.command()
def migrate() -> None:
    """Create or upgrade the database tables (safe to run again)."""
    from server.db.migrate import migrate_all

    _run(migrate_all())
    click.echo("database is up to date")


@main.command()
@click.option("--host", envvar="LEHOI_HOST", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", envvar="LEHOI_PORT", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--now",
    envvar="LEHOI_NOW",
    default="",
    help="Run the festival clock from this instant, e.g. 2024-11-12T10:00+07:00 (fixed:… freezes it; …@REAL "
    "reads it at that real instant, for hosts and workers that must agree).",
)
@click.option(
    "--workers", default=1, show_default=True, type=int, help="Server processes (PostgreSQL for more than one)."
)
@click.option(
    "--setup/--no-setup",
    default=True,
    show_default=True,
    help="Migrate, load the demo festival into an empty database, import the demo streets if no road graph exists.",
)
def serve(host: str, port: int, now: str, workers: int, setup: bool) -> None:
    """Serve the API and the PWA at http://HOST:PORT/.

    More than one process (--workers) needs PostgreSQL: each process keeps what phones ask on every sync (tokens,
    /api/me, revocations, the change feed) and PostgreSQL's NOTIFY tells the others when it changes; an SQLite
    file has no such channel, so a second process would answer from a stale copy."""
    import uvicorn
    import uvicorn.config

    from server.settings import load_settings

    if workers > 1 and not load_settings().uses_postgres:
        raise click.UsageError(
            f"--workers {workers} needs PostgreSQL: processes sharing an SQLite file cannot tell each other what "
            "changed, so they would answer from stale copies. Set LEHOI_DATABASE_URL=postgresql://user@host/db, "
            "or serve with one worker."
        )
    from server.clock import anchored

    try:
        now = anchored(now)  # every worker process reads the one festival time
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--now") from None
    _env(host=host, port=port, now=now)
    if setup:
        from server.db.migrate import migrate_all
        from server.programme.fixtures import load_file
        from server.programme.tables import Festival

        async def prepare(engine):
            await migrate_all()
            if await Festival.count() == 0:
                await load_file(DEMO_FESTIVAL, engine)

        _run(with_engine(prepare))
        from server.wayfinding.road_import import import_roads

        roads_path = load_settings().roads_path
        if not roads_path.exists():
            size = import_roads(DEMO_EXTRACT, roads_path)
            click.echo(f"street routes: {DEMO_EXTRACT.name} imported ({size['nodes']:,} nodes)")
    click.echo(f"lehoi serving on http://{host}:{port}/")
    if now and not now.startswith("fixed:"):
        click.echo(f"festival clock: LEHOI_NOW={now} (give other hosts and workers this value to share it)")
    # uvicorn's own logging, with the server's INFO lines (a bundle built, by which process) beside its own
    log_config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    log_config["loggers"]["server"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    server = dict(
        app="server.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        log_config=log_config,
        access_log=False,
        # "server: uvicorn" tells an attacker what to try and costs every answer its bytes
        server_header=False,
    )
    if workers == 1:
        uvicorn.run(**server)
    else:
        from server.workers import serve as serve_workers

        serve_workers(uvicorn.Config(**server))


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup(path: Path) -> None:
    """Write the festival's database and the data directory's keys (signing, VAPID) into one new archive file.

    Safe while servers run (SQLite's online backup, or pg_dump). PATH must not exist; it appears only once whole.
    Keys given by LEHOI_SIGNING_KEYS or LEHOI_VAPID_PRIVATE_KEY are not in the data directory: keep them apart."""
    from server.db.backup import BackupError
    from server.db.backup import backup as write_backup
    from server.settings import load_settings

    try:
        manifest = write_backup(load_settings(), path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backed up {manifest['engine']} database and {len(manifest['files']) - 1} files into {path}")


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def restore(path: Path) -> None:
    """Restore a `lehoi backup` archive into an empty data directory (and an empty database on PostgreSQL).

    The whole archive is checked first: a truncated, damaged or foreign file, or a festival already there, is
    refused and nothing changes. Start `lehoi serve` afterwards."""
    from server.db.backup import BackupError
    from server.db.backup import restore as read_backup
    from server.settings import load_settings

    try:
        manifest = read_backup(load_settings(), path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"restored the backup of {manifest['created_at']} ({len(manifest['files']) - 1} files)")


# Every other command is a domain's: its commands.py declares them and its Domain carries them.
for module in DOMAIN_MODULES:
    for command in module.COMMANDS:
        main.add_command(command)


if __name__ == "__main__":
    sys.exit(main())
