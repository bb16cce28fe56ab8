"""What one process holds for push: the VAPID key, the endpoint policy, and its in-process worker if any."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from piccolo.engine.base import Engine

from server.clock import Clock
from server.push.endpoints import APPLE_PUSH_HOST, EndpointPolicy
from server.push.sender import Sender
from server.push.vapid import VapidKeys
from server.push.worker import PushWorker
from server.settings import PLACEHOLDER_CONTACT, Settings

log = logging.getLogger("lehoi.push")


class PushRuntime:
    def __init__(self, settings: Settings, vapid: VapidKeys | None = None) -> None:
        self.settings = settings
        self.vapid = vapid or VapidKeys.load(
            settings.data_path / "vapid", settings.vapid_contact, settings.vapid_private_key
        )
        #: replaceable at run time (tests point it at their local receiver); senders read it on every request
        self.policy = EndpointPolicy.from_setting(settings.push_hosts)
        if self.vapid.contact == PLACEHOLDER_CONTACT and self.policy.admits_host(APPLE_PUSH_HOST):
            log.warning(
                "push: no contact set, so Apple's push service will refuse every message (403 BadJwtToken): "
                "set LEHOI_PUSH_CONTACT=mailto:… or an https LEHOI_PUBLIC_URL"
            )
        self.worker: PushWorker | None = None
        self._task: asyncio.Task | None = None

    def make_worker(
        self, engine: Engine, clock: Clock, on_fanned_out: Callable[[], None] | None = None, **overrides
    ) -> PushWorker:
        s = self.settings
        options = {
            "batch": s.push_batch,
            "concurrency": s.push_concurrency,
            "lease_s": s.push_lease_s,
            "poll_s": s.push_poll_s,
            "max_attempts": s.push_max_attempts,
        }
        options.update(overrides)
        sender = Sender(self.vapid, lambda: self.policy, concurrency=options["concurrency"], timeout_s=s.push_timeout_s)
        return PushWorker(engine, clock, sender, on_fanned_out=on_fanned_out, **options)

    def start(self, engine: Engine, clock: Clock, on_fanned_out: Callable[[], None] | None = None) -> None:
        """Run a worker inside this process (the `lehoi serve` default)."""
        self.worker = self.make_worker(engine, clock, on_fanned_out)
        self._task = asyncio.create_task(self.worker.run(), name="lehoi-push-worker")
        self._task.add_done_callback(self._ended)

    def _ended(self, task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("the in-process push worker stopped", exc_info=task.exception())

    async def stop(self) -> None:
        if self.worker is not None and self._task is not None:
            self.worker.stop()
            try:
                await asyncio.wait_for(asyncio.shield(self._task), self.settings.push_timeout_s + 10)
            except TimeoutError:
                log.warning("the in-process push worker did not stop in time; its leases will end")
                self._task.cancel()
            except Exception:  # noqa: BLE001 - _ended logged it; the server stops regardless
                log.debug("the in-process push worker had failed before it was stopped")
            self._task = None

    def wake(self) -> None:
        if self.worker is not None:
            self.worker.wake()
