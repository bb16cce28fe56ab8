from server.domain import Domain
from server.programme.controllers import ProgrammeController
from server.settings import Settings


def domain(settings: Settings) -> Domain:
    """The festival programme: public reads, organiser writes."""
    return Domain(name="programme", route_handlers=[ProgrammeController])
