"""A real `lehoi worker` process killed with SIGKILL in the middle of a fan-out, then started again."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.processes import children

from .test_delivery import new_device

LEHOI = Path(sys.executable).parent / "lehoi"


def start_worker(push, now: str, processes: int = 1, stderr=subprocess.PIPE) -> subprocess.Popen:
    env = {
        **os.environ,
        "LEHOI_PUSH_HOSTS": push.receiver.origin,
        "LEHOI_NOW": now,
        "LEHOI_PUSH_CONCURRENCY": "4",
        "LEHOI_PUSH_POLL_S": "0.05",
        "LEHOI_PUSH_LEASE_S": "60",
    }
    return subprocess.Popen(
        [str(LEHOI), "worker", "--processes", str(processes)], env=env, stdout=subprocess.DEVNULL, stderr=stderr
    )


def wait_for(condition, timeout: float, what: str, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the worker exited with {proc.returncode}: {proc.stderr.read().decode()[-2000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.slow
async def test_a_killed_worker_is_taken_over_and_every_subscriber_gets_the_alert_once(
    client, push, in_app, as_organiser
):
    subscriptions = [await push.subscribe(await new_device(client, in_app)) for _ in range(40)]
    in_app(push.worker.pause)  # only the worker processes deliver here
    push.receiver.hold_after(15)  # accept 15, then hold every request until the worker is dead
    alert = await push.send(as_organiser)
    assert alert["recipients"] == 40

    def counts() -> dict:
        return client.blocking_portal.call(_counts, alert["id"])

    first = start_worker(push, "2024-11-12T10:00:00+07:00")
    try:
        wait_for(lambda: push.receiver.accepted == 15 and counts().get("sent") == 15, 30, "15 recorded sends", first)
        time.sleep(0.2)  # noqa: ASYNC251 - the app runs on its own loop; requests 16 to 19 are held at the receiver, the rest claimed and waiting
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == -signal.SIGKILL
    assert counts() == {"sent": 15, "queued": 25}
    push.receiver.release()

    # five minutes on (past the dead worker's 60 s leases), a worker starts again
    second = start_worker(push, "2024-11-12T10:05:00+07:00")
    try:
        wait_for(lambda: counts().get("sent") == 40, 30, "all 40 sent", second)
        second.send_signal(signal.SIGTERM)
        assert second.wait(15) == 0
    finally:
        if second.poll() is None:
            second.kill()
    assert counts() == {"sent": 40}
    assert push.receiver.errors == []
    assert sorted(len(push.receiver.messages(s)) for s in subscriptions) == [1] * 40
    held = [a for s in subscriptions for a in push.receiver.attempts(s) if a[0] == 0]
    assert len(held) == 4  # the requests in flight when it died: never accepted, sent again by the second worker


@pytest.mark.slow
async def test_the_worker_command_runs_several_processes_and_replaces_one_that_dies(
    client, push, in_app, as_organiser, tmp_path
):
    subscriptions = [await push.subscribe(await new_device(client, in_app)) for _ in range(30)]
    in_app(push.worker.pause)
    log = tmp_path / "worker.log"
    with open(log, "w") as stderr:
        supervisor = start_worker(push, "2024-11-12T10:00:00+07:00", processes=2, stderr=stderr)
    try:
        wait_for(lambda: log.read_text().count("started") == 2, 30, "two worker processes", supervisor)
        first = children(supervisor.pid)
        assert len(first) == 2
        os.kill(min(first), signal.SIGKILL)
        wait_for(lambda: log.read_text().count("started") == 3, 30, "a process in place of the killed one", supervisor)
        second = children(supervisor.pid)
        assert len(second) == 2 and min(first) not in second and max(first) in second

        alert = await push.send(as_organiser)
        wait_for(lambda: client.blocking_portal.call(_counts, alert["id"]).get("sent") == 30, 30, "all 30 sent")
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(20) == 0
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
    assert children(supervisor.pid) == set()
    assert log.read_text().count("stopped") == 2
    assert sorted(len(push.receiver.messages(s)) for s in subscriptions) == [1] * 30


def test_a_worker_process_that_cannot_start_stops_the_others(tmp_path):
    env = {**os.environ, "LEHOI_DATA_DIR": str(tmp_path), "LEHOI_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/x"}
    result = subprocess.run(
        [str(LEHOI), "worker", "--processes", "2"], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode != 0 and "failed at start" in result.stderr


async def _counts(alert_id: str) -> dict:
    from server.push import store

    return (await store.counts([alert_id])).get(alert_id, {})


async def test_a_worker_told_to_stop_hands_back_what_it_had_not_sent(client, push, in_app, as_organiser):
    """SIGTERM (or the server stopping): the request in flight ends, the rest of the claim is given back at once."""
    from server.push.sender import Sender
    from server.push.worker import PushWorker

    subscriptions = [await push.subscribe(await new_device(client, in_app)) for _ in range(5)]
    in_app(push.worker.pause)
    push.receiver.hold_after(0)
    alert = await push.send(as_organiser)

    async def run_and_stop() -> PushWorker:
        sender = Sender(push.runtime.vapid, lambda: push.runtime.policy, concurrency=1, timeout_s=1)
        worker = PushWorker(client.app.state.engine, push.clock, sender, batch=10, concurrency=1, poll_s=0.05)
        task = asyncio.create_task(worker.run())
        while not push.receiver.held:
            await asyncio.sleep(0.01)
        worker.stop()
        await task
        return worker

    worker = in_app(run_and_stop)
    rows = push.deliveries()
    in_flight = [r for r in rows if r["reason"]]
    handed_back = [r for r in rows if not r["reason"]]
    assert len(in_flight) == 1 and in_flight[0]["reason"].startswith("network: TimeoutError")
    assert len(handed_back) == 4
    assert all(r["lease_owner"] is None and r["attempts"] == 0 and r["status"] == "queued" for r in handed_back)
    assert worker.totals == {"sent": 0, "gone": 0, "failed": 0, "retry": 1}

    push.receiver.release()
    push.advance(seconds=5)

    async def resume() -> None:
        push.worker.resume()

    in_app(resume)
    view = await push.wait(as_organiser, alert["id"])
    assert view["counts"]["sent"] == 5
    assert sorted(len(push.receiver.messages(s)) for s in subscriptions) == [1] * 5


async def test_a_request_held_past_the_lease_keeps_its_row_leased(client, push, in_app, as_organiser):
    """A push service that holds a request longer than a lease: the live worker renews its lease, so no other
    worker claims the row and sends it again, and the outcome is written once the answer comes."""
    from server.push import store
    from server.push.sender import Sender
    from server.push.worker import PushWorker

    subscription = await push.subscribe(await new_device(client, in_app))
    in_app(push.worker.pause)
    push.receiver.hold_after(0)
    alert = await push.send(as_organiser)

    async def hold_past_three_leases() -> list:
        sender = Sender(push.runtime.vapid, lambda: push.runtime.policy, concurrency=1, timeout_s=30)
        worker = PushWorker(
            client.app.state.engine, push.clock, sender, batch=1, concurrency=1, poll_s=0.05, lease_s=0.3
        )
        task = asyncio.create_task(worker.run())
        while not push.receiver.held:
            await asyncio.sleep(0.01)
        for _ in range(10):  # one second of festival time, in steps shorter than the lease
            push.clock.advance(seconds=0.1)
            await asyncio.sleep(0.1)
        now_ms = store.ms(push.clock.now())
        other = store.DeliveryQueue(client.app.state.engine)
        try:
            taken = await other.claim("another-worker", now_ms, now_ms + 60_000, 10)
        finally:
            await other.close()
        push.receiver.release()
        while worker.totals["sent"] == 0:
            await asyncio.sleep(0.01)
        worker.stop()
        await task
        return taken

    assert in_app(hold_past_three_leases) == []
    assert len(push.receiver.messages(subscription)) == 1
    view = await push.alert(as_organiser, alert["id"])
    assert view["counts"]["sent"] == 1, push.deliveries()
