import asyncio

from litestar.datastructures import State

from server.accounts.commands import COMMANDS
from server.accounts.controllers import (
    DeviceController,
    OrganiserVolunteerController,
    device_registration,
    organiser_login,
    volunteer_enrolment,
)
from server.accounts.deps import DEPENDENCIES, DEVICE_STATES
from server.accounts.mutations import FavouriteHandler, SettingsHandler
from server.accounts.principal import TokenLookup
from server.accounts.states import DeviceStates
from server.auth import PRINCIPALS
from server.domain import Domain
from server.settings import Settings
from server.state import ENGINE


def domain(settings: Settings) -> Domain:
    """Organisers, anonymous devices, their favourites and settings; who holds a bearer token."""
    principals = TokenLookup()
    states = DeviceStates()

    watchers: list[asyncio.Task[None]] = []

    async def start_watching(state: State) -> None:
        await principals.refresh_revocations()
        watchers[:] = [asyncio.create_task(principals.watch()), asyncio.create_task(states.listen(ENGINE.of(state)))]

    async def stop_watching(_state: State) -> None:
        for watcher in watchers:
            watcher.cancel()
        await principals.close()
        await states.close()

    return Domain(
        commands=COMMANDS,
        route_handlers=[
            organiser_login(),
            DeviceController,
            device_registration(settings.device_rate_per_minute),
            volunteer_enrolment(settings.device_rate_per_minute),
            OrganiserVolunteerController,
        ],
        mutation_handlers=[FavouriteHandler(states), SettingsHandler(states)],
        state={PRINCIPALS: principals, DEVICE_STATES: states},
        dependencies=DEPENDENCIES,
        on_startup=[start_watching],
        on_shutdown=[stop_watching],
    )
