"""Dependency providers of the programme domain."""

from litestar.datastructures import State

from server.domain import SNAPSHOTS
from server.programme.exports import Exports
from server.programme.service import ProgrammeService
from server.state import ENGINE, StateKey

#: the whole-programme exports, kept per version (put on the state when the app starts: they need its clock)
EXPORTS: StateKey[Exports] = StateKey("exports")


def provide_programme_service(state: State) -> ProgrammeService:
    return ProgrammeService(ENGINE.of(state), SNAPSHOTS.of(state))


def provide_exports(state: State) -> Exports:
    return EXPORTS.of(state)
