import asyncio

from litestar.datastructures import State

from server.domain import Domain
from server.programme.controllers import ProgrammeController
from server.settings import Settings


async def start_watching(state: State) -> None:
    """Follow the programme version in the background so requests never wait for the check."""
    state.snapshot_watcher = asyncio.create_task(state.snapshots.watch())


async def stop_watching(state: State) -> None:
    state.snapshot_watcher.cancel()


def map_part(settings: Settings):
    async def part(_snapshot) -> dict:
        """Where the PWA's map gets its tiles, and whose they are."""
        return {"map": {"tile_url": settings.tile_url, "tile_attribution": settings.tile_attribution}}

    return part


def domain(settings: Settings) -> Domain:
    """The festival programme: public reads, organiser writes."""
    return Domain(
        name="programme",
        route_handlers=[ProgrammeController],
        bundle_parts=[map_part(settings)],
        on_startup=[start_watching],
        on_shutdown=[stop_watching],
    )
