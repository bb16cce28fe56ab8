"""`lehoi keys …` and `lehoi posters`: the signing keys and the venue posters, from the command line."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import click


def _now() -> datetime:
    """The festival clock of the settings (`LEHOI_NOW`), as the server reads it."""
    from server.clock import clock_from_setting
    from server.settings import load_settings

    return clock_from_setting(load_settings().now).now()


def _ring():
    from server.checkin.keys import KeyRing, KeyRingError
    from server.settings import load_settings

    try:
        settings = load_settings()
        return KeyRing.load(settings.data_path / "keys", settings.signing_keys, now=_now())
    except KeyRingError as exc:
        raise click.ClickException(str(exc)) from None


async def _mirror(ring) -> bool:
    from server.checkin.signing import mirror_public_keys
    from server.db.engine import with_engine

    return await with_engine(lambda engine: mirror_public_keys(engine, ring, _now()))


def _publish(ring) -> None:
    """Mirror the public keys into the database, so phones get them with the next sync."""
    try:
        changed = asyncio.run(_mirror(ring))
    except Exception as exc:  # noqa: BLE001 - the files changed; the database may be down or not migrated yet
        click.echo(f"warning: the database was not updated ({exc}); servers publish the keys when they start", err=True)
        return
    if changed:
        click.echo("public keys published: phones get them with their next sync")


@click.group()
def keys() -> None:
    """Pass and stamp signing keys (Ed25519) in <data-dir>/keys/, or LEHOI_SIGNING_KEYS when it is set."""


@keys.command("list")
def list_keys() -> None:
    """List the keys: id, created, retired, and which one signs new passes."""
    import msgspec
    from rich.console import Console
    from rich.table import Table

    from server.checkin.keys import INDEX_FILE, _Index

    ring = _ring()
    created: dict[str, datetime | None] = {}
    if ring._directory is not None:  # times live in the directory's index
        index = msgspec.json.decode((ring._directory / INDEX_FILE).read_bytes(), type=_Index)
        created = {record.id: record.created_at for record in index.keys}
    table = Table("id", "created", "retired", "signs", "public key")
    for key in ring.public_keys():
        at = created.get(key.id)
        table.add_row(
            key.id,
            at.isoformat() if at else "-",
            key.retired_at.isoformat() if key.retired_at else "-",
            "yes" if key.id == ring.signing_key_id else "",
            key.public_key,
        )
    Console().print(table)


@keys.command()
def rotate() -> None:
    """Add a key that signs new passes and stamps from now on; older keys keep verifying until retired."""
    from server.checkin.keys import KeyRingError

    ring = _ring()
    try:
        key_id = ring.rotate(now=_now())
    except KeyRingError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{key_id} now signs new passes and stamps")
    _publish(ring)


@keys.command()
@click.argument("key_id")
def retire(key_id: str) -> None:
    """Stop accepting passes and stamps signed with KEY_ID (never the signing key: rotate first)."""
    from server.checkin.keys import KeyRingError

    ring = _ring()
    try:
        ring.retire(key_id, now=_now())
    except KeyRingError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{key_id} is retired: its passes and stamps are refused from now on")
    _publish(ring)


@click.command()
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The PDF file to write, one A4 page per venue.",
)
@click.option("--venue", "venue_ids", multiple=True, help="Only this venue (repeatable); every venue by default.")
@click.option(
    "--font",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A TTF font with Vietnamese letters (default: DejaVu Sans, Noto Sans or Liberation Sans).",
)
def posters(out: Path, venue_ids: tuple[str, ...], font: Path | None) -> None:
    """Print every venue's stamp poster (name in vi/en, QR code of a stamp token) into one PDF."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from server.checkin.posters import PdfWriter, layout
    from server.checkin.tokens import issue_stamp
    from server.db.engine import with_engine
    from server.programme.snapshot import load_snapshot

    snapshot = asyncio.run(with_engine(load_snapshot))
    venues = list(snapshot.venues.values())
    if venue_ids:
        unknown = sorted(set(venue_ids) - set(snapshot.venues))
        if unknown:
            raise click.ClickException(f"no venue {', '.join(unknown)}")
        venues = [v for v in venues if v.id in venue_ids]
    if not venues:
        raise click.ClickException("no venues: load a festival first (lehoi load-fixtures)")
    ring = _ring()
    now = _now()
    writer = PdfWriter(out, font)
    if writer.warning:
        click.echo(f"warning: {writer.warning}", err=True)
    columns = (
        TextColumn("[bold]posters"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns) as progress:
        task = progress.add_task("", total=len(venues))
        for venue in venues:
            progress.update(task, description=venue.id)
            token = issue_stamp(ring, venue_id=venue.id, now=now)
            writer.page(layout(venue, snapshot.festival, token, ring.signing_key_id, writer.measure))
            progress.advance(task)
        progress.update(task, description="")
    writer.close()
    click.echo(f"{out}: {len(venues)} posters")


COMMANDS = [keys, posters]
