"""The `lehoi` command line."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import click

from server.basemap.commands import tiles
from server.checkin.commands import keys, posters
from server.db.engine import with_engine
from server.push.commands import vapid_key, worker
from server.resources import DEMO_EXTRACT, DEMO_FESTIVAL
from server.wayfinding.commands import roads


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


@main.command("load-fixtures")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=DEMO_FESTIVAL)
@click.option("--if-empty", is_flag=True, help="Load only when no festival is stored yet.")
def load_fixtures(path: Path, if_empty: bool) -> None:
    """Load a festival file (default: the HCDF 2024 demo).

    A second run changes nothing; a broken file changes nothing, and the error names the record and the field."""
    from server.programme.fixtures import FixtureError, load_file
    from server.programme.tables import Festival

    async def work(engine):
        if if_empty and await Festival.count() > 0:
            return None
        return await load_file(path, engine)

    try:
        report = _run(with_engine(work))
    except FixtureError as exc:
        raise click.ClickException(f"nothing was loaded: {exc}") from None
    if report is None:
        click.echo("a festival is already loaded; nothing to do")
    else:
        click.echo(f"{path.name}: {report.inserted} inserted, {report.updated} updated, {report.unchanged} unchanged")


@main.command("generate-festival")
@click.option("--venues", type=click.IntRange(min=0, max=20_000), default=950, show_default=True, help="Venues.")
@click.option("--events", type=click.IntRange(min=0, max=50_000), default=1400, show_default=True, help="Events.")
@click.option("--seed", type=int, default=2024, show_default=True, help="The same seed gives the same file.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The file to write (default: standard output).",
)
def generate_festival(venues: int, events: int, seed: int, out: Path | None) -> None:
    """Write a synthetic city-sized festival (venues over Hanoi and its craft villages, events over nine days,
    trails) in the fixture format, for `lehoi load-fixtures`. Deterministic: same arguments, same bytes."""
    from server.programme.generate import encode, generate

    data = encode(generate(venues, events, seed))
    if out is None:
        click.echo(data.decode(), nl=False)
    else:
        out.write_bytes(data)
        click.echo(f"{out}: {venues} venues, {events} events, {len(data)} bytes", err=True)


@main.command("create-organiser")
@click.option("--email", required=True, help="The organiser's email; it is also the /admin user name.")
@click.option("--password", required=True, help="At least 6 characters; stored only as a PBKDF2 hash.")
def create_organiser(email: str, password: str) -> None:
    """Create an organiser who can sign in to the API (POST /api/auth/login) and to /admin."""
    from server.accounts.service import create_organiser as create
    from server.errors import LehoiError

    try:
        _run(with_engine(lambda _engine: create(email, password)))
    except LehoiError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(f"organiser {email} created")


@main.command()
@click.option("--host", envvar="LEHOI_HOST", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", envvar="LEHOI_PORT", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--now",
    envvar="LEHOI_NOW",
    default="",
    help="Run the festival clock from this instant, e.g. 2024-11-12T10:00+07:00 (fixed:… freezes it).",
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

    from server.settings import load_settings

    if workers > 1 and not load_settings().uses_postgres:
        raise click.UsageError(
            f"--workers {workers} needs PostgreSQL: processes sharing an SQLite file cannot tell each other what "
            "changed, so they would answer from stale copies. Set LEHOI_DATABASE_URL=postgresql://user@host/db, "
            "or serve with one worker."
        )
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
    uvicorn.run(
        "server.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="info", access_log=False
    )


# Domain commands live with their domain.
for command in (keys, posters, worker, vapid_key, tiles, roads):
    main.add_command(command)


if __name__ == "__main__":
    sys.exit(main())
