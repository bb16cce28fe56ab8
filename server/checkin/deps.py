"""Dependency providers of the check-in domain."""

from litestar.datastructures import State

from server.checkin.keys import KeyRing
from server.checkin.occupancy import OccupancyBoard
from server.checkin.scans import CheckinService


def provide_keyring(state: State) -> KeyRing:
    """The key ring loaded at start-up."""
    return state.keyring


def provide_checkins(state: State) -> CheckinService:
    return state.checkins


def provide_board(state: State) -> OccupancyBoard:
    return state.occupancy
