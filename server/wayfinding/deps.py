"""Dependency providers of the wayfinding domain: the only readers of its app state, under the key it declares."""

from litestar.datastructures import State

from server.state import StateKey
from server.wayfinding.wayfinder import Wayfinder

#: this process's wayfinder: the estimate, the road graph and the optional OSRM engine
WAYFINDER: StateKey[Wayfinder] = StateKey("wayfinder")


def provide_wayfinder(state: State) -> Wayfinder:
    """This process's wayfinder."""
    return WAYFINDER.of(state)
