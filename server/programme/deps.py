"""Dependency providers of the programme domain."""

from litestar.datastructures import State

from server.domain import SNAPSHOTS
from server.programme.service import ProgrammeService
from server.state import ENGINE


def provide_programme_service(state: State) -> ProgrammeService:
    return ProgrammeService(ENGINE.of(state), SNAPSHOTS.of(state))
