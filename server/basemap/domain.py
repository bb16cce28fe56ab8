from typing import Any

from litestar.datastructures import State

from server.basemap import archive
from server.basemap.commands import COMMANDS
from server.basemap.serving import TileServer
from server.domain import Domain
from server.settings import Settings


def map_entry(settings: Settings, basemap: archive.Basemap | None) -> dict[str, Any]:
    """Where the PWA's map gets its tiles: the optional online raster layer, and the offline basemap (or null)."""
    return {
        "tile_url": settings.tile_url,
        "tile_attribution": settings.tile_attribution,
        "basemap": basemap.entry(settings.tile_attribution) if basemap else None,
    }


def domain(settings: Settings) -> Domain:
    """The offline basemap: the archive this server serves under /tiles/ and the `map` entry naming it, in the
    festival answer and the bundle. Read once at creation: a rebuilt archive is served after a restart."""
    basemap = archive.find(settings)
    entry = map_entry(settings, basemap)

    async def bundle_part(_snapshot: Any) -> dict[str, Any]:
        return {"map": entry}

    def festival_map(_state: State) -> dict[str, Any]:
        return entry

    return Domain(
        commands=COMMANDS,
        fast_paths={archive.URL_PREFIX: TileServer(basemap)},
        bundle_parts=[bundle_part],
        festival_members={"map": festival_map},
    )
