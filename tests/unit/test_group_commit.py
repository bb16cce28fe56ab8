"""server/db/group_commit.py: jobs that arrive during a commit wait and go together in the next, in arrival order;
a job's own failure is its own, a failed commit fails its group only."""

from __future__ import annotations

import asyncio

import pytest

from server.db.group_commit import GroupCommit


async def test_jobs_arriving_during_a_commit_go_together_in_the_next():
    groups: list[list[int]] = []
    release = asyncio.Event()

    async def commit(jobs: list[int]) -> list[int | BaseException]:
        groups.append(jobs)
        if len(groups) == 1:
            await release.wait()  # the first commit is slow: everything else queues behind it
        return [ValueError(f"job {j}") if j == 3 else j * 10 for j in jobs]

    committer: GroupCommit[int, int] = GroupCommit(commit)
    first = asyncio.ensure_future(committer.submit(0))
    await asyncio.sleep(0)
    rest = [asyncio.ensure_future(committer.submit(j)) for j in range(1, 5)]
    await asyncio.sleep(0)
    release.set()
    assert await first == 0
    answers = await asyncio.gather(*rest, return_exceptions=True)
    assert groups == [[0], [1, 2, 3, 4]]
    assert answers[:2] == [10, 20] and isinstance(answers[2], ValueError) and answers[3] == 40


async def test_the_size_bounds_a_group_and_a_failed_commit_fails_only_its_group():
    groups: list[list[int]] = []

    async def commit(jobs: list[int]) -> list[int]:
        groups.append(jobs)
        if 2 in jobs:
            raise OSError("disk full")
        return jobs

    committer: GroupCommit[int, int] = GroupCommit(commit, size=lambda waiting: 2)
    answers = await asyncio.gather(*(committer.submit(j) for j in range(5)), return_exceptions=True)
    assert groups == [[0, 1], [2, 3], [4]]
    assert answers[0:2] == [0, 1] and answers[4] == 4
    assert all(isinstance(a, OSError) for a in answers[2:4])
    with pytest.raises(OSError):
        await GroupCommit(commit).submit(2)


async def test_a_group_never_sees_what_an_earlier_group_left_in_its_context():
    import contextvars

    # as an ORM's "current transaction" left set by a transaction whose ending failed (its connection cut)
    current: contextvars.ContextVar[str | None] = contextvars.ContextVar("current", default=None)
    seen: list[str | None] = []

    async def commit(jobs: list[int]) -> list[int]:
        seen.append(current.get())
        current.set(f"transaction of group {jobs}")  # never reset
        await asyncio.sleep(0)
        return jobs

    committer: GroupCommit[int, int] = GroupCommit(commit, size=lambda waiting: 1)
    assert await asyncio.gather(*(committer.submit(j) for j in range(3))) == [0, 1, 2]
    assert seen == [None, None, None]
