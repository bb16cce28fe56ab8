"""Dependency providers of the check-in domain: the only readers of its app state, under the keys it declares."""

from litestar.datastructures import State

from server.checkin.keys import KeyRing
from server.checkin.occupancy import OccupancyBoard
from server.checkin.scans import CheckinService
from server.state import StateKey

#: the key ring, loaded when the app starts
KEYRING: StateKey[KeyRing] = StateKey("keyring")
#: live check-ins at the gates, made when the app starts
CHECKINS: StateKey[CheckinService] = StateKey("checkins")
#: how full each venue is, as this process last counted
OCCUPANCY: StateKey[OccupancyBoard] = StateKey("occupancy")


def provide_keyring(state: State) -> KeyRing:
    """The key ring loaded at start-up."""
    return KEYRING.of(state)


def provide_checkins(state: State) -> CheckinService:
    return CHECKINS.of(state)


def provide_board(state: State) -> OccupancyBoard:
    return OCCUPANCY.of(state)
