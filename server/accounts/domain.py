from server.accounts.controllers import (
    DeviceController,
    OrganiserVolunteerController,
    device_registration,
    organiser_login,
    volunteer_enrolment,
)
from server.accounts.mutations import FavouriteHandler, SettingsHandler
from server.accounts.principal import close_lookups
from server.admin import admin_handler
from server.domain import Domain
from server.settings import Settings


def domain(settings: Settings) -> Domain:
    """Organisers (API and /admin), anonymous devices, their favourites and settings."""
    return Domain(
        name="accounts",
        route_handlers=[
            organiser_login(),
            DeviceController,
            device_registration(settings.device_rate_per_minute),
            volunteer_enrolment(settings.device_rate_per_minute),
            OrganiserVolunteerController,
            admin_handler(
                allowed_hosts=[h for h in (settings.public_host, settings.host, "127.0.0.1", "localhost") if h],
                secure_cookies=settings.public_https,
            ),
        ],
        mutation_handlers=[FavouriteHandler(), SettingsHandler()],
        on_shutdown=[close_lookups],
    )
