"""`lehoi tiles build`: the offline basemap from an OpenStreetMap extract."""

from __future__ import annotations

from pathlib import Path

import click

from server.resources import DEMO_EXTRACT


@click.group()
def tiles() -> None:
    """The offline basemap: vector tiles of the festival area in one PMTiles archive, served at /tiles/."""


@tiles.command("build")
@click.argument("extract", type=click.Path(dir_okay=False, path_type=Path), default=DEMO_EXTRACT)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The archive to write (default: <data-dir>/tiles/<extract name>.pmtiles).",
)
def build(extract: Path, out: Path | None) -> None:
    """Build the basemap of EXTRACT (an .osm.pbf file; default: the demo's central Hanoi) with tilemaker, zoom
    0–14, in the OpenMapTiles schema, into one PMTiles archive. The archive is replaced only once the new one is
    whole; a server reads it when it starts, and serves the archive LEHOI_BASEMAP names."""
    from server.basemap.archive import archive_path
    from server.basemap.build import BuildError, basemap_name
    from server.basemap.build import build as build_archive
    from server.settings import load_settings

    target = out or archive_path(load_settings(), basemap_name(extract))
    try:
        size = build_archive(extract, target)
    except BuildError as exc:
        raise click.ClickException(f"no basemap was written: {exc}") from None
    click.echo(f"{target}: {size:,} bytes")
