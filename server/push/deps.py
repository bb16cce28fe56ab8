"""Dependency providers of the push domain: the only readers of its app state, under the keys it declares."""

from litestar.datastructures import State

from server.domain import SNAPSHOTS
from server.push.alerts import AlertService
from server.push.runtime import PushRuntime
from server.state import CLOCK, ENGINE, StateKey

#: this process's push runtime: the VAPID keys, the endpoint policy and the worker
PUSH: StateKey[PushRuntime] = StateKey("push")


def provide_push(state: State) -> PushRuntime:
    """This process's push runtime."""
    return PUSH.of(state)


def provide_alerts(state: State) -> AlertService:
    """Organisers' alerts, waking this process's worker when one is due now."""
    return AlertService(ENGINE.of(state), CLOCK.of(state), SNAPSHOTS.of(state), PUSH.of(state).wake)
