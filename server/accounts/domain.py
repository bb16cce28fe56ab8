from server.accounts.controllers import (
    DeviceController,
    OrganiserVolunteerController,
    device_registration,
    organiser_login,
    volunteer_enrolment,
)
from server.accounts.mutations import FavouriteHandler, SettingsHandler
from server.accounts.principal import TokenLookup
from server.domain import Domain
from server.settings import Settings


def domain(settings: Settings) -> Domain:
    """Organisers, anonymous devices, their favourites and settings; who holds a bearer token."""
    principals = TokenLookup()
    return Domain(
        name="accounts",
        route_handlers=[
            organiser_login(),
            DeviceController,
            device_registration(settings.device_rate_per_minute),
            volunteer_enrolment(settings.device_rate_per_minute),
            OrganiserVolunteerController,
        ],
        mutation_handlers=[FavouriteHandler(), SettingsHandler()],
        state={"principals": principals},
        on_shutdown=[principals.close],
    )
