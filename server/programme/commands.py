"""`lehoi load-fixtures` and `lehoi generate-festival`: a festival file in, a synthetic one out."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from server.resources import DEMO_FESTIVAL


@click.command("load-fixtures")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=DEMO_FESTIVAL)
@click.option("--if-empty", is_flag=True, help="Load only when no festival is stored yet.")
def load_fixtures(path: Path, if_empty: bool) -> None:
    """Load a festival file (default: the HCDF 2024 demo).

    A second run changes nothing; a broken file changes nothing, and the error names the record and the field."""
    from server.db.engine import with_engine
    from server.programme.fixtures import FixtureError, load_file
    from server.programme.tables import Festival

    async def work(engine):
        if if_empty and await Festival.count() > 0:
            return None
        return await load_file(path, engine)

    try:
        report = asyncio.run(with_engine(work))
    except FixtureError as exc:
        raise click.ClickException(f"nothing was loaded: {exc}") from None
    if report is None:
        click.echo("a festival is already loaded; nothing to do")
    else:
        click.echo(f"{path.name}: {report.inserted} inserted, {report.updated} updated, {report.unchanged} unchanged")


@click.command("generate-festival")
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


COMMANDS = [load_fixtures, generate_festival]
