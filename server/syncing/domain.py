from server.apart import stop_build_process
from server.domain import Domain
from server.settings import Settings
from server.syncing.controllers import SyncController


def domain(settings: Settings) -> Domain:
    """The sync protocol's endpoints: bundle, change feed, mutation upload; the bundle tells phones the retention."""

    async def retention_part(_snapshot) -> dict:
        return {"retention": {"change_log_versions": settings.change_log_kept}}

    async def stop_building(_state) -> None:
        stop_build_process()

    return Domain(route_handlers=[SyncController], bundle_parts=[retention_part], on_shutdown=[stop_building])
