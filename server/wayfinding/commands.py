"""`lehoi roads import`: the street network for street routes, from an OpenStreetMap extract."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def roads() -> None:
    """The road graph of street routes (<data-dir>/roads.npz), imported from OpenStreetMap."""


@roads.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(source: Path) -> None:
    """Import SOURCE (an .osm.pbf extract: a city, or a whole country from Geofabrik) as the road graph of
    walk, bicycle, motorbike and car routes. The previous graph stays in use until the new one is complete;
    a broken file leaves it untouched. Servers read the graph when they start."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from server.settings import load_settings
    from server.wayfinding.road_import import import_roads
    from server.wayfinding.roads import RoadGraphError

    target = load_settings().roads_path
    columns = (
        SpinnerColumn(),
        TextColumn("[bold]roads[/]"),
        BarColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns) as bar:
        # libosmium reads the file in its own thread and tells no position, so the bar pulses and counts highways
        task = bar.add_task(f"reading {source.name}")
        try:
            size = import_roads(
                source, target, lambda ways: bar.update(task, description=f"reading {source.name}: {ways:,} highways")
            )
        except RoadGraphError as exc:
            raise click.ClickException(f"{exc}; the previous road graph (if any) is still in use") from None
    click.echo(
        f"{target}: {size['nodes']:,} nodes, {size['walk_edges']:,} walking edges, "
        f"{size['car_edges']:,} driving edges, {size['bytes']:,} bytes"
    )


COMMANDS = [roads]
