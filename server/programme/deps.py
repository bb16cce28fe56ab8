"""Dependency providers of the programme domain."""

from litestar.datastructures import State

from server.programme.service import ProgrammeService


def provide_programme_service(state: State) -> ProgrammeService:
    return ProgrammeService(state.engine, state.snapshots)
