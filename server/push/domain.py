from litestar.datastructures import State

from server.domain import SNAPSHOTS, Domain
from server.push.commands import COMMANDS
from server.push.controllers import AlertController, PushController
from server.push.deps import PUSH
from server.push.runtime import PushRuntime
from server.settings import Settings
from server.state import CLOCK, ENGINE


def domain(settings: Settings) -> Domain:
    """Web Push: VAPID key, subscriptions, organisers' alerts, reminders, and (by default) an in-process worker."""
    runtime = PushRuntime(settings)

    async def vapid_part(_snapshot) -> dict:
        return {"vapid_public_key": runtime.vapid.public_key}

    async def start_worker(state: State) -> None:
        if settings.push_worker:
            runtime.start(ENGINE.of(state), CLOCK.of(state), SNAPSHOTS.of(state).invalidate)

    async def stop_worker(_state: State) -> None:
        await runtime.stop()

    return Domain(
        commands=COMMANDS,
        route_handlers=[PushController, AlertController],
        bundle_parts=[vapid_part],
        state={PUSH: runtime},
        on_startup=[start_worker],
        on_shutdown=[stop_worker],
    )
