"""Group commit: writes that arrive while a transaction is being written wait for the next one, which takes them
together, so a flush to disk (and on PostgreSQL a round trip for COMMIT) is paid once per group rather than once
per write. The mutation applier (server/syncing/mutations.py) and the live check-in (server/checkin/writer.py)
commit this way; each says how to commit a group and how large the next one may be.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

J = TypeVar("J")
R = TypeVar("R")
#: commit(jobs) → one outcome per job, in order: its answer, or the exception it alone failed with; raising fails
#: every job of the group (nothing of it was written)
Commit = Callable[[list[J]], Awaitable[list[R | BaseException]]]
#: size(waiting) → how many jobs from the left of the queue the next group takes (at least one is taken)
Size = Callable[[deque[J]], int]


def everything(waiting: deque) -> int:
    return len(waiting)


class GroupCommit(Generic[J, R]):
    """A queue of jobs committed group by group, in arrival order, by one task at a time."""

    def __init__(self, commit: Commit[J, R], size: Size[J] = everything) -> None:
        self._commit = commit
        self._size = size
        self._jobs: deque[J] = deque()
        self._futures: deque[asyncio.Future[R]] = deque()
        self._drainer: asyncio.Task[None] | None = None

    async def submit(self, job: J) -> R:
        """The job's answer, once the group it joins has committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._jobs.append(job)
        self._futures.append(future)
        if self._drainer is None:
            self._drainer = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        # Each group commits in a fresh copy of the context the drainer started with: a transaction whose ending
        # failed (its connection cut by a database restart) can leave the ORM's "current transaction" set in the
        # context it ran in, and the next group would then write into that dead transaction instead of its own.
        start = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        try:
            while self._jobs:
                count = min(len(self._jobs), max(1, self._size(self._jobs)))
                jobs = [self._jobs.popleft() for _ in range(count)]
                futures = [self._futures.popleft() for _ in range(count)]
                try:
                    outcomes = await loop.create_task(self._commit(jobs), context=start.copy())
                except Exception as exc:  # noqa: BLE001 - the group's transaction failed: every job of it fails
                    outcomes = [exc] * count
                for future, outcome in zip(futures, outcomes, strict=True):
                    _settle(future, outcome)
        finally:
            self._drainer = None


def _settle(future: asyncio.Future, outcome: object) -> None:
    """Hand the job its answer, unless its caller went away (a phone asks again and is answered `duplicate`)."""
    if future.done():
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
