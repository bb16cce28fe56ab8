"""Dependency providers of the push domain: the only readers of its app state."""

from litestar.datastructures import State

from server.push.alerts import AlertService
from server.push.runtime import PushRuntime


def provide_push(state: State) -> PushRuntime:
    """This process's push runtime: the VAPID keys, the endpoint policy and the worker."""
    return state.push


def provide_alerts(state: State) -> AlertService:
    """Organisers' alerts, waking this process's worker when one is due now."""
    return AlertService(state.engine, state.clock, state.snapshots, state.push.wake)
