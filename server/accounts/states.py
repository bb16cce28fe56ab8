"""What `GET /api/me` answers, kept per device in each process until the device's state changes.

Every phone asks on every sync and its favourites and settings change only through its own uploads (and its language
through its push subscription), so each process keeps the encoded answer. Every write that changes a device's state
calls `announce` inside its transaction and `forget` once it commits; on PostgreSQL the same transaction sends
`NOTIFY lehoi_device` with the device id, which every process listens to, so an upload through one host is seen by
all the others at its commit. A dropped listening connection forgets everything and listens again.

Entries also age, the bound on any staleness should a notice ever be missed: one older than `KEPT_S` (each entry's
own age, drawn between half of it and all of it) is still answered and read again in the background. Entries
that expired all at once, and were read again by the requests that found them expired, were the periodic stall
of `/api/me` (p99 up to 900 ms at half load while its p50 was 1 ms).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import OrderedDict

import msgspec
from piccolo.engine.base import Engine

from server.accounts.devices import device_state
from server.accounts.schemas import DeviceState
from server.accounts.tables import Device
from server.db.engine import is_postgres
from server.db.kept import KeptSqlite, kept_connection

CHANNEL = "lehoi_device"
#: how long a kept answer may be served before it is read again
KEPT_S = 30.0
KEPT_DEVICES = 100_000
_RELISTEN_S = 1.0
_encoder = msgspec.json.Encoder()
log = logging.getLogger(__name__)


class DeviceStates:
    def __init__(self) -> None:
        #: device id → (when the entry is read again, the encoded answer)
        self._kept: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        #: forgettings so far: a reading that one overtook is not kept (it may be older than the change)
        self._forgotten = 0
        self._rereading: dict[str, asyncio.Task[bytes]] = {}
        #: on SQLite, where a Piccolo query outside a transaction opens a connection and a thread of its own, the
        #: connection a device's state is read on (one hop for both reads); None on PostgreSQL, or before the first
        self._kept_sqlite: KeptSqlite | None = None

    async def encoded(self, device_id: str) -> bytes:
        """The JSON of the device's state as the server holds it."""
        kept = self._kept.get(device_id)
        if kept is None:
            return await self._read(device_id)
        self._kept.move_to_end(device_id)
        if kept[0] <= time.monotonic() and device_id not in self._rereading:
            task = asyncio.get_running_loop().create_task(self._read(device_id))
            self._rereading[device_id] = task
            task.add_done_callback(lambda done: self._reread(device_id, done))
        return kept[1]

    async def _read(self, device_id: str) -> bytes:
        forgotten = self._forgotten
        if self._kept_sqlite is None:
            self._kept_sqlite = kept_connection(Device._meta.db)
        body = _encoder.encode(DeviceState(**(await device_state(device_id, self._kept_sqlite))))
        if forgotten == self._forgotten:
            self._kept[device_id] = (time.monotonic() + KEPT_S * random.uniform(0.5, 1.0), body)
            self._kept.move_to_end(device_id)
            if len(self._kept) > KEPT_DEVICES:
                self._kept.popitem(last=False)
        return body

    def _reread(self, device_id: str, task: asyncio.Task[bytes]) -> None:
        self._rereading.pop(device_id, None)
        if not task.cancelled() and task.exception() is not None:  # the kept answer stays, read again next time
            log.warning("reading device %s again failed", device_id, exc_info=task.exception())

    async def close(self) -> None:
        """Close the kept connection, if one was opened."""
        if self._kept_sqlite is not None:
            await self._kept_sqlite.close()
            self._kept_sqlite = None

    def forget(self, device_id: str) -> None:
        self._forgotten += 1
        self._kept.pop(device_id, None)

    def forget_all(self) -> None:
        self._forgotten += 1
        self._kept.clear()

    @staticmethod
    async def announce(device_id: str) -> None:
        """Inside a writing transaction: tell every process, at commit, that this device's state changed."""
        if is_postgres(Device._meta.db):
            await Device.raw("SELECT pg_notify({}, {})", CHANNEL, device_id)

    async def listen(self, engine: Engine) -> None:
        """Follow other processes' notices until cancelled (PostgreSQL; on SQLite one process holds the file)."""
        if not is_postgres(engine):
            return
        while True:
            connection = None
            try:
                connection = await engine.get_new_connection()
                lost = asyncio.get_running_loop().create_future()
                connection.add_termination_listener(lambda _c, lost=lost: lost.done() or lost.set_result(None))
                await connection.add_listener(CHANNEL, lambda _c, _pid, _channel, device_id: self.forget(device_id))
                self.forget_all()  # whatever changed while nobody listened
                await lost
                log.warning("device notices: the listening connection closed; listening again")
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the database may be restarting; serve from what was read
                log.warning("device notices: cannot listen", exc_info=True)
            finally:
                if connection is not None and not connection.is_closed():
                    await connection.close()
            self.forget_all()
            await asyncio.sleep(_RELISTEN_S)
