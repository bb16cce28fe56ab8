"""Dependency providers of the programme domain."""

from litestar.datastructures import State

from server.programme.service import ProgrammeService
from server.programme.snapshot import Snapshot


async def provide_snapshot(state: State) -> Snapshot:
    """The programme as this process currently holds it."""
    return await state.snapshots.get()


def provide_programme_service(state: State) -> ProgrammeService:
    return ProgrammeService(state.engine, state.snapshots)
