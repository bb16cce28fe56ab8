from server.domain import Domain
from server.settings import Settings
from server.syncing.controllers import SyncController


def domain(settings: Settings) -> Domain:
    """The sync protocol's endpoints: bundle, change feed, mutation upload."""
    return Domain(name="syncing", route_handlers=[SyncController])
