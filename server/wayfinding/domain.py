from litestar.datastructures import State

from server.domain import Domain
from server.settings import Settings
from server.wayfinding.commands import COMMANDS
from server.wayfinding.controllers import WayfindingController, trail, trails
from server.wayfinding.deps import WAYFINDER
from server.wayfinding.wayfinder import Wayfinder


def domain(settings: Settings) -> Domain:
    """Wayfinding: routes, nearby venues, day plans, trails; the bundle's travel model; the optional engine.

    Register after the programme domain: the trail reads join the programme's trail paths."""
    wayfinder = Wayfinder(settings.osrm_url, timeout_s=settings.osrm_timeout_s, roads_path=settings.roads_path)

    async def start(state: State) -> None:
        await wayfinder.start()

    async def stop(state: State) -> None:
        await wayfinder.stop()

    return Domain(
        commands=COMMANDS,
        route_handlers=[WayfindingController, trails, trail],
        bundle_parts=[wayfinder.bundle_part],
        state={WAYFINDER: wayfinder},
        on_startup=[start],
        on_shutdown=[stop],
    )
