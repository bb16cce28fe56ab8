"""Something derived from the programme, built once per version per process in a task of its own, the previous
version served while the next one builds: the offline bundle (server/syncing/bundles.py) and the exports
(server/programme/exports.py) are kept this way, so no request waits behind a city-sized build and no build runs
twice for one version however many requests ask at once.

A request waits at most `FRESH_WAIT_S` for the new version, then takes what there is. A build that fails is
logged, the previous version stays, and the next request after `RETRY_S` tries again. A build's CPU-heavy work
runs off the event loop: in a worker thread (`asyncio.to_thread`) when it is C that lets go of the GIL (compression,
msgspec), in the build process (server/apart.py says why) when it is pure Python.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from litestar.exceptions import ServiceUnavailableException

from server.domain import Versioned

#: how long a request waits for a version being built before it takes the previous one: a demo-sized build is
#: ready well within it, a city-sized one is not, and then no request waits behind it
FRESH_WAIT_S = 0.1
#: how long after a failed build the next one is tried
RETRY_S = 5.0
T = TypeVar("T")
log = logging.getLogger(__name__)


class Latest(Generic[T]):
    """`build(snapshot)` of the newest snapshot asked for, or, while that one builds, the previous one."""

    def __init__(self, build: Callable[[Versioned], Awaitable[T]], what: str) -> None:
        self._build = build
        self._what = what
        self._built: tuple[int, T] | None = None
        self._building: asyncio.Task[T] | None = None
        self._failed: tuple[int, float] | None = None

    async def get(self, snapshot: Versioned) -> T:
        """The value at `snapshot`'s version, or the previous version's while that one is being built."""
        built = self._built
        if built is not None and built[0] == snapshot.version:
            return built[1]
        task = self._build_for(snapshot)
        if built is None:  # nothing to serve meanwhile: the first build of this process
            try:
                if task is not None:
                    return await asyncio.shield(task)
            except Exception:  # noqa: BLE001 - _finished logs why
                pass
            raise ServiceUnavailableException(f"the {self._what} could not be built: try again shortly")
        if task is not None:
            try:
                return await asyncio.wait_for(asyncio.shield(task), FRESH_WAIT_S)
            except Exception:  # noqa: BLE001 - still building, or failed (which _finished logs)
                pass
        return (self._built or built)[1]

    @property
    def built(self) -> T | None:
        """The newest value built so far; None before the first."""
        return None if self._built is None else self._built[1]

    def _build_for(self, snapshot: Versioned) -> asyncio.Task[T] | None:
        """The task building `snapshot`'s value: the one under way, a new one, or None while a failure rests."""
        if self._building is not None:
            return self._building  # one build at a time: a newer version starts when this one ends
        if (
            self._failed is not None
            and self._failed[0] == snapshot.version
            and time.monotonic() - self._failed[1] < RETRY_S
        ):
            return None
        name = f"{self._what}-{snapshot.version}"
        task = asyncio.get_running_loop().create_task(self._build(snapshot), name=name)
        task.add_done_callback(lambda done: self._finished(snapshot.version, done))
        self._building = task
        return task

    def _finished(self, version: int, task: asyncio.Task[T]) -> None:
        self._building = None
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            log.error(
                "the %s of version %s could not be built; the previous one is served",
                self._what,
                version,
                exc_info=error,
            )
            self._failed = (version, time.monotonic())
            return
        self._failed = None
        if self._built is None or version >= self._built[0]:
            self._built = (version, task.result())
