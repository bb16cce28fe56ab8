"""The push worker: fans out due alerts and reminders, claims delivery rows, sends them, records the outcomes.

Many workers may run at once (processes on several hosts against PostgreSQL, or one inside each server process):
they share nothing but the database. Each one

* every ``poll_s``: fans out alerts whose ``send_at`` has come, and every ``REMINDER_SCAN_S`` scans reminders;
* claims up to ``batch`` due rows with a lease whenever fewer than half a batch are left in its hands, so the
  next batch is ready before the last one drains, and encrypts them in runs of ``PREPARE_RUN``;
* sends with ``concurrency`` sender coroutines, so at most that many requests in flight, over one HTTP session;
* writes outcomes in bulk, every ``FLUSH_S`` or ``FLUSH_SIZE`` results, to the rows it still leases;
* renews the leases of the rows in its hands every third of a lease, so a request a push service holds longer than
  a lease does not let another worker claim the row and send it again.

A worker that dies loses nothing: its rows come due again when their lease ends and another worker (or itself,
restarted) takes them over. The window in which a message can go out twice is a worker dying after a push service
accepted a message and before the outcome was written (at most ``FLUSH_S`` plus one write), or a worker cut off
from the database for longer than a lease; the payload's ``id`` lets the service worker drop such a duplicate.
Leases are in the workers' clock (``next_attempt_ms``), so the workers of one deployment must share it: the
machine's clock (NTP), or one shifted timeline. A worker told to stop finishes the requests in flight, writes
their outcomes and hands back what it had claimed but not started.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from piccolo.engine.base import Engine

from server.clock import Clock
from server.db.transactions import write_transaction
from server.push import alerts, reminders, schemas, store
from server.push.sender import Outcome, Sender

log = logging.getLogger("lehoi.push")

#: messages encrypted in a row before the senders get them
PREPARE_RUN = 32
#: seconds between reminder scans
REMINDER_SCAN_S = 10.0
#: seconds between looks for due alerts while the worker is sending
BUSY_POLL_S = 1.0
#: outcomes are written at least this often, and at once when this many are waiting
FLUSH_S = 0.1
FLUSH_SIZE = 500
#: backoff of a retry without Retry-After: BASE × 2^(attempt−1), at most MAX, ±20 %
BACKOFF_BASE_S = 2.0
BACKOFF_MAX_S = 600.0
#: a Retry-After longer than this is cut to it
RETRY_AFTER_MAX_S = 3600.0
_ALERT_CACHE = 1000


@dataclass(frozen=True, slots=True)
class AlertInfo:
    kind: str
    urgency: str
    ttl: int
    expires_ms: int | None
    topic: str
    #: the encoded payload per language
    payloads: dict[str, bytes]


def backoff_s(attempts: int) -> float:
    return min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** max(0, attempts - 1)) * random.uniform(0.8, 1.2)


def worker_name() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class PushWorker:
    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        sender: Sender,
        *,
        batch: int = 500,
        concurrency: int = 200,
        lease_s: float = 120.0,
        poll_s: float = 1.0,
        max_attempts: int = 8,
        on_fanned_out: Callable[[], None] | None = None,
    ) -> None:
        self.engine = engine
        self.deliveries = store.DeliveryQueue(engine)
        self.clock = clock
        self.sender = sender
        self.batch = max(1, batch)
        self.lease_ms = int(lease_s * 1000)
        self.poll_s = poll_s
        self.max_attempts = max_attempts
        self.on_fanned_out = on_fanned_out
        self.owner = worker_name()
        self.concurrency = max(1, concurrency)
        #: claimed rows, prepared (encrypted), waiting for a free sender; None tells a sender to stop. A queue
        #: wakes one idle sender per message, where an event would wake them all
        self._queue: asyncio.Queue[tuple | None] = asyncio.Queue()
        self._signal = asyncio.Event()
        self._results_ready = asyncio.Event()
        self._results: list[store.Result] = []
        self._unsent: list[int] = []
        #: ids of the rows this worker leases and has not yet written an outcome for: the leases it renews
        self._held: set[int] = set()
        self._renewed_enough = asyncio.Event()
        self._senders: list[asyncio.Task] = []
        #: claimed and not yet written into the outcome list (queued or being sent)
        self._pending = 0
        self._writing = 0
        self._claiming = False
        self._stopping = False
        self._paused = False
        self._alerts: OrderedDict[str, AlertInfo] = OrderedDict()
        self._scheduled_at = 0.0
        self._scanned_at = 0.0
        #: outcomes written so far, by kind (for logs and the bench)
        self.totals: dict[str, int] = {"sent": 0, "gone": 0, "failed": 0, "retry": 0}

    # -- control ---------------------------------------------------------------------------------------------

    def wake(self) -> None:
        """Look for work now rather than at the next poll (an alert was just created)."""
        self._scheduled_at = 0.0
        self._signal.set()

    def stop(self) -> None:
        self._stopping = True
        self._signal.set()

    async def pause(self) -> None:
        """Stop claiming and wait until everything in hand is sent and written (tests, maintenance)."""
        self._paused = True
        while self.busy:
            await asyncio.sleep(0.01)

    def resume(self) -> None:
        self._paused = False
        self.wake()

    async def tick(self) -> None:
        """Fan out what is due and scan reminders now."""
        await self._schedule(force=True)

    # -- the loop --------------------------------------------------------------------------------------------

    async def run(self) -> None:
        await self.sender.open()
        flusher = asyncio.create_task(self._flush_loop())
        renewer = asyncio.create_task(self._renew_loop())
        self._senders = [asyncio.create_task(self._send_loop()) for _ in range(self.concurrency)]
        failures = 0
        try:
            while not self._stopping:
                self._signal.clear()
                try:
                    claimed = 0
                    if not self._paused:
                        await self._schedule()
                        if self._pending <= self.batch // 2:
                            claimed = await self._claim()
                    failures = 0
                except Exception:
                    failures += 1
                    log.exception("push worker %s: a database step failed (retrying)", self.owner)
                    await asyncio.sleep(min(30.0, 0.5 * 2**failures))
                    continue
                if claimed:
                    continue
                try:
                    await asyncio.wait_for(self._signal.wait(), self.poll_s)
                except TimeoutError:
                    pass
        finally:
            self._stopping = True
            await self._drain()
            self._renewed_enough.set()  # after the drain: a request in flight keeps its lease until it ends
            await renewer
            self._results_ready.set()
            await flusher
            if self._unsent:
                try:
                    await self.deliveries.release(self.owner, self._unsent, store.ms(self.clock.now()))
                except Exception:
                    log.exception("push worker %s: could not hand back its claims; their leases will end", self.owner)
            await self.sender.close()
            await self.deliveries.close()

    async def _drain(self) -> None:
        """Hand back what no sender started; let the requests in flight finish (within the timeout)."""
        while not self._queue.empty():
            self._unsent.append(self._queue.get_nowait()[0].id)
            self._pending -= 1
        for _ in self._senders:
            self._queue.put_nowait(None)
        if self._senders:
            _, late = await asyncio.wait(self._senders, timeout=self.sender.timeout_s + 10)
            for task in late:
                task.cancel()

    async def _schedule(self, force: bool = False) -> None:
        mono = time.monotonic()
        # while sending, due alerts are looked for at most once a second: the queries cost CPU the sends need
        interval = self.poll_s if not self._pending else max(self.poll_s, BUSY_POLL_S)
        if force or mono - self._scheduled_at >= interval:
            self._scheduled_at = mono
            now = self.clock.now()
            fanned = False
            for alert_id in await alerts.due_alert_ids(now):
                async with write_transaction(self.engine):
                    fanned = (await alerts.fan_out(alert_id, now)) is not None or fanned
            if fanned and self.on_fanned_out:
                self.on_fanned_out()
        if force or mono - self._scanned_at >= REMINDER_SCAN_S:
            self._scanned_at = mono
            await reminders.scan(self.engine, self.clock.now())

    async def _claim(self) -> int:
        now_ms = store.ms(self.clock.now())
        self._claiming = True
        try:
            claimed = await self.deliveries.claim(self.owner, now_ms, now_ms + self.lease_ms, self.batch)
            if not claimed:
                return 0
            await self._load_alerts({c.alert_id for c in claimed})
        finally:
            self._claiming = False
        self._pending += len(claimed)
        self._held.update(c.id for c in claimed)
        # encrypt in runs of PREPARE_RUN (a few milliseconds each), handing each run to the senders at once
        for start in range(0, len(claimed), PREPARE_RUN):
            now_ms = store.ms(self.clock.now())
            for c in claimed[start : start + PREPARE_RUN]:
                self._queue.put_nowait(self._prepare(c, now_ms))
            await asyncio.sleep(0)
        return len(claimed)

    @property
    def busy(self) -> bool:
        """Claiming, sending or writing outcomes."""
        return bool(self._claiming or self._pending or self._results or self._writing)

    async def _load_alerts(self, ids: set[str]) -> None:
        missing = [i for i in ids if i not in self._alerts]
        if not missing:
            return
        rows = await store.raw(
            "SELECT id, kind, title_vi, title_en, body_vi, body_en, url, urgency, ttl, expires_ms, event_id "
            f"FROM push_alert WHERE id IN ({store.placeholders(missing)})",
            *missing,
        )
        for row in rows:
            topic = reminders.reminder_topic(row["event_id"]) if row["kind"] == "reminder" else row["id"][:32]
            self._alerts[row["id"]] = AlertInfo(
                kind=row["kind"],
                urgency=row["urgency"],
                ttl=int(row["ttl"]),
                expires_ms=int(row["expires_ms"]) if row["expires_ms"] is not None else None,
                topic=topic,
                payloads={lang: schemas.encode_payload(alerts.payload_for(row, lang)) for lang in ("vi", "en")},
            )
        while len(self._alerts) > _ALERT_CACHE:
            self._alerts.popitem(last=False)

    # -- one delivery ----------------------------------------------------------------------------------------

    async def _send_loop(self) -> None:
        """One of `concurrency` senders: take the next prepared message, send it, keep the outcome."""
        queue = self._queue
        while True:
            item = await queue.get()
            if item is None:
                return
            c, info, prepared = item
            try:
                if isinstance(prepared, store.Result):
                    result = prepared
                else:
                    outcome = prepared if isinstance(prepared, Outcome) else await self.sender.deliver(prepared)
                    result = self._result(c, info, outcome)
            except asyncio.CancelledError:
                self._pending -= 1
                self._held.discard(c.id)
                raise
            except Exception:  # a bug must not kill the worker; the lease brings the row back
                log.exception("push worker %s: delivery %s failed unexpectedly", self.owner, c.id)
                self._pending -= 1
                self._held.discard(c.id)
                continue
            self._results.append(result)
            self._pending -= 1
            if len(self._results) >= FLUSH_SIZE or len(self._results) == 1:
                self._results_ready.set()
            if self._pending <= self.batch // 2:
                self._signal.set()

    def _prepare(self, c: store.Claimed, now_ms: int) -> tuple[store.Claimed, AlertInfo | None, object]:
        """The row with what its sender will do: a ready Result, a failed Outcome, or an encrypted message."""
        if c.endpoint is None:
            return c, None, store.Result(c.id, "gone", "unsubscribed")
        info = self._alerts.get(c.alert_id)
        if info is None:
            return c, None, store.Result(c.id, "failed", "alert deleted")
        ttl = info.ttl
        if info.expires_ms is not None:
            left = (info.expires_ms - now_ms) // 1000
            if left < 0 and c.attempts > 1:
                return c, info, store.Result(c.id, "failed", "expired before it could be delivered")
            ttl = max(0, min(ttl, left))
        payload = info.payloads.get(c.lang) or info.payloads["vi"]
        try:
            prepared = self.sender.prepare(
                c.endpoint, c.p256dh or "", c.auth or "", payload, ttl=ttl, urgency=info.urgency, topic=info.topic
            )
        except Exception:
            log.exception("push worker %s: delivery %s could not be prepared", self.owner, c.id)
            prepared = Outcome("failed", "could not be encrypted")
        return c, info, prepared

    def _result(self, c: store.Claimed, info: AlertInfo, outcome: Outcome) -> store.Result:
        if outcome.kind == "sent":
            return store.Result(c.id, "sent")
        if outcome.kind == "gone":
            return store.Result(c.id, "gone", outcome.reason, subscription_endpoint=c.endpoint)
        if outcome.kind == "failed":
            return store.Result(c.id, "failed", outcome.reason)
        if c.attempts >= self.max_attempts:
            return store.Result(c.id, "failed", f"gave up after {c.attempts} attempts: {outcome.reason}"[:200])
        delay = outcome.retry_after if outcome.retry_after is not None else backoff_s(c.attempts)
        next_ms = store.ms(self.clock.now()) + int(min(delay, RETRY_AFTER_MAX_S) * 1000)
        if info.expires_ms is not None and next_ms >= info.expires_ms:
            return store.Result(c.id, "failed", f"expired while retrying: {outcome.reason}"[:200])
        return store.Result(c.id, "retry", outcome.reason, next_attempt_ms=next_ms)

    # -- writing outcomes ------------------------------------------------------------------------------------

    async def _flush_loop(self) -> None:
        while True:
            await self._results_ready.wait()
            if len(self._results) < FLUSH_SIZE and not self._stopping:
                await asyncio.sleep(FLUSH_S)
            self._results_ready.clear()
            await self._flush_all()
            if self._stopping and not self._pending:
                return

    async def _flush_all(self) -> None:
        while self._results:
            results, self._results = self._results, []
            self._writing += 1
            try:
                await self.deliveries.record(self.owner, store.ms(self.clock.now()), results)
            except Exception:
                log.exception("push worker %s: writing %d outcomes failed (retrying)", self.owner, len(results))
                self._results[:0] = results
                if self._stopping:
                    return
                await asyncio.sleep(1.0)
                continue
            finally:
                self._writing -= 1
            for r in results:
                self.totals[r.status] = self.totals.get(r.status, 0) + 1
                self._held.discard(r.delivery_id)

    async def _renew_loop(self) -> None:
        """Every third of a lease, extend the leases of the rows in hand; a failed renewal is tried again at the
        next turn, still before the lease ends."""
        while True:
            try:
                await asyncio.wait_for(self._renewed_enough.wait(), self.lease_ms / 3000)
                return
            except TimeoutError:
                pass
            if not self._held:
                continue
            try:
                until = store.ms(self.clock.now()) + self.lease_ms
                await self.deliveries.renew(self.owner, sorted(self._held), until)
            except Exception:
                log.exception("push worker %s: renewing %d leases failed (retrying)", self.owner, len(self._held))
