"""Dependency providers of the accounts domain: the only readers of its app state."""

from litestar.datastructures import State
from litestar.di import Provide

from server.accounts.principal import TokenLookup
from server.accounts.states import DeviceStates
from server.auth import PRINCIPALS
from server.state import StateKey

#: the kept `/api/me` answers of this process
DEVICE_STATES: StateKey[DeviceStates] = StateKey("device_states")


def provide_device_states(state: State) -> DeviceStates:
    """The kept `/api/me` answers of this process."""
    return DEVICE_STATES.of(state)


def provide_principals(state: State) -> TokenLookup:
    """Who holds a token, as this process keeps it."""
    return PRINCIPALS.of(state)


DEPENDENCIES = {
    "device_states": Provide(provide_device_states, sync_to_thread=False),
    "principals": Provide(provide_principals, sync_to_thread=False),
}
