import asyncio

from litestar.datastructures import State

from server.domain import SNAPSHOTS, Domain
from server.programme import offline
from server.programme.admin import admin_handler
from server.programme.commands import COMMANDS
from server.programme.controllers import ProgrammeController
from server.programme.deps import EXPORTS
from server.programme.exports import Exports
from server.settings import Settings
from server.state import CLOCK, StateKey

#: the task following the programme version
WATCHER: StateKey[asyncio.Task[None]] = StateKey("snapshot_watcher")


async def start_watching(state: State) -> None:
    """Follow the programme version in the background so requests never wait for the check; keep the exports."""
    EXPORTS.put(state, Exports(CLOCK.of(state)))
    WATCHER.put(state, asyncio.create_task(SNAPSHOTS.of(state).watch()))


async def stop_watching(state: State) -> None:
    WATCHER.of(state).cancel()


def domain(settings: Settings) -> Domain:
    """The festival programme: public reads, organiser writes (the API and /admin)."""
    return Domain(
        commands=COMMANDS,
        route_handlers=[
            ProgrammeController,
            admin_handler(
                allowed_hosts=[h for h in (settings.public_host, settings.host, "127.0.0.1", "localhost") if h],
                secure_cookies=settings.public_https,
            ),
        ],
        bundle_parts=[offline.bundle_part],
        feed_records=offline.FEED_RECORDS,
        on_startup=[start_watching],
        on_shutdown=[stop_watching],
    )
