import asyncio

from litestar.datastructures import State

from server.accounts.controllers import (
    DeviceController,
    OrganiserVolunteerController,
    device_registration,
    organiser_login,
    volunteer_enrolment,
)
from server.accounts.deps import DEPENDENCIES
from server.accounts.mutations import FavouriteHandler, SettingsHandler
from server.accounts.principal import TokenLookup
from server.accounts.states import DeviceStates
from server.domain import Domain
from server.settings import Settings


def domain(settings: Settings) -> Domain:
    """Organisers, anonymous devices, their favourites and settings; who holds a bearer token."""
    principals = TokenLookup()
    states = DeviceStates()

    async def start_watching(state: State) -> None:
        await principals.refresh_revocations()
        state.account_watchers = [
            asyncio.create_task(principals.watch()),
            asyncio.create_task(states.listen(state.engine)),
        ]

    async def stop_watching(state: State) -> None:
        for watcher in state.account_watchers:
            watcher.cancel()
        await principals.close()

    return Domain(
        route_handlers=[
            organiser_login(),
            DeviceController,
            device_registration(settings.device_rate_per_minute),
            volunteer_enrolment(settings.device_rate_per_minute),
            OrganiserVolunteerController,
        ],
        mutation_handlers=[FavouriteHandler(states), SettingsHandler(states)],
        state={"principals": principals, "device_states": states},
        dependencies=DEPENDENCIES,
        on_startup=[start_watching],
        on_shutdown=[stop_watching],
    )
