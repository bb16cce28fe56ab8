"""Dependency providers of the wayfinding domain: the only readers of its app state."""

from litestar.datastructures import State

from server.wayfinding.wayfinder import Wayfinder


def provide_wayfinder(state: State) -> Wayfinder:
    """This process's wayfinder: the estimate, the road graph and the optional OSRM engine."""
    return state.wayfinder
