"""Push tests: a real receiver on 127.0.0.1 admitted by the endpoint policy, clean push tables per test, and the
app's in-process worker polling fast."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import pytest

from server.push.endpoints import EndpointPolicy

from .receiver import Receiver

FESTIVAL_NOW_TEXT = "2024-11-12T10:00:00+07:00"


async def clean_push_tables() -> None:
    from server.programme.tables import Announcement
    from server.push.tables import Alert, Delivery, Subscription, SubscriptionTopic

    await Delivery.delete(force=True)
    await Alert.delete(force=True)
    await SubscriptionTopic.delete(force=True)
    await Subscription.delete(force=True)
    await Announcement.delete().where(Announcement.id.like("alert-%"))


@pytest.fixture(scope="session")
def receiver(client):
    r = Receiver(client.app.state.push.vapid.public_key).start_in_thread()
    yield r
    r.stop_thread()


@dataclass
class PushEnv:
    client: Any
    receiver: Receiver
    in_app: Any
    runtime: Any
    clock: Any

    @property
    def worker(self):
        return self.runtime.worker

    def wake(self) -> None:
        async def wake() -> None:
            self.worker.wake()

        self.in_app(wake)

    def tick(self) -> None:
        """Fan out what is due and scan reminders now, on the app's loop."""
        self.in_app(self.worker.tick)
        self.wake()

    async def subscribe(self, device: dict, topics: list[str] | None = None, lang: str | None = None) -> dict:
        subscription = self.receiver.new_subscription()
        body: dict = {**subscription, "topics": topics or []}
        if lang:
            body["lang"] = lang
        response = await self.client.post("/api/push/subscriptions", json=body, headers=device["auth"])
        assert response.status_code in (200, 201), response.text
        return subscription

    async def send(self, headers: dict, **fields) -> dict:
        body = {
            "title": {"vi": "Thông báo", "en": "Notice"},
            "body": {"vi": "Nội dung", "en": "Details"},
            "target": {"all": True},
            **fields,
        }
        response = await self.client.post("/api/organiser/alerts", json=body, headers=headers)
        assert response.status_code == 201, response.text
        return response.json()

    async def alert(self, headers: dict, alert_id: str) -> dict:
        response = await self.client.get(f"/api/organiser/alerts/{alert_id}", headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    async def wait(
        self, headers: dict, alert_id: str, until=lambda a: a["status"] == "done", timeout: float = 15.0
    ) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            view = await self.alert(headers, alert_id)
            if until(view):
                return view
            if time.monotonic() > deadline:
                raise AssertionError(f"alert did not settle in {timeout}s: {view}")
            await asyncio.sleep(0.05)

    def settle(self, timeout: float = 15.0) -> None:
        """Wait until nothing due is left in the database and the worker has written every outcome."""
        from server.push import store

        async def idle() -> bool:
            # busy is read after the query: the worker may claim the last due rows while it runs
            nothing_due = not await store.anything_due(store.ms(self.clock.now()))
            return nothing_due and not self.worker.busy

        deadline = time.monotonic() + timeout
        while not self.in_app(idle):
            assert time.monotonic() < deadline, "the worker did not settle"
            self.wake()
            time.sleep(0.02)

    def deliveries(self) -> list[dict]:
        """Every delivery row, for assertion messages."""
        from server.push import store

        async def rows() -> list[dict]:
            return await store.raw("SELECT * FROM push_delivery ORDER BY id")

        return self.in_app(rows)

    def advance(self, **delta: float) -> None:
        self.clock.advance(**delta)
        self.wake()


@pytest.fixture
def push(client, receiver, in_app, clock):
    runtime = client.app.state.push
    saved_policy, saved_poll = runtime.policy, runtime.worker.poll_s
    runtime.policy = EndpointPolicy.from_setting(receiver.origin)
    runtime.worker.poll_s = 0.05
    in_app(clean_push_tables)
    receiver.reset()
    env = PushEnv(client, receiver, in_app, runtime, clock)
    yield env
    in_app(runtime.worker.pause)
    in_app(clean_push_tables)
    # the alerts' announcements were deleted beside the app: the next request reloads the programme, or a later
    # test would read the old version first and the new one a moment later (when the watcher polls)
    client.app.state.snapshots.invalidate()
    from datetime import datetime

    clock.set(datetime.fromisoformat(FESTIVAL_NOW_TEXT))
    receiver.reset()
    runtime.policy = saved_policy
    runtime.worker.poll_s = saved_poll

    async def resume() -> None:
        runtime.worker.resume()

    in_app(resume)
