"""Applying a phone's batch of mutations exactly once.

A batch runs inside one transaction: already-recorded ids answer `duplicate`; the rest are applied in order against each
domain's in-memory state, then each domain writes its net change and every mutation's record in bulk. A mutation's
effect and its record therefore commit together or not at all; a crash before the commit leaves nothing, and the phone's
retry applies the batch afresh. Per-client batches are serialised (an advisory lock per client on PostgreSQL, the single
writer on SQLite), so two uploads of the same outbox cannot interleave.

Uploads that arrive while a transaction is being written wait for the next one and then commit together (group
commit): one transaction and one flush to disk for up to `MAX_GROUP` phones, and one failing batch fails alone
(the group is written again with each batch in a savepoint of its own, see `_commit_group`). A batch with a
handler marked `groupable = False` commits alone. On SQLite a group whose handlers are all marked `one_step = True`
is written in one step on the process's writer (server/db/kept.py `SqliteWriter`, server/db/bulk.py `in_one_step`),
so the write lock is held only while the work runs rather than across a dozen round trips through the event loop,
and the group shares its transaction and flush to disk with the live check-ins queued meanwhile.

Domains fill the contract of server/domain.py (`MutationHandler`). A handler's `load` sees the whole batch
(`ctx.batch`), so it can fetch what its mutations need in one query each rather than one per mutation. A handler
whose effect can also arrive by another path (an online check-in and a `checkin.scan` mutation share scan ids)
raises `AlreadyApplied`, answered `duplicate`; a handler with `recall` gives a duplicate the `data` it first
answered, so a phone whose first answer was lost still learns it (a check-in scan's verdict).

A device an organiser revoked still reaches the applier: every mutation is answered `rejected` with reason
`device_revoked`, and a handler with a `keep(ctx, state, mutation, args)` method stores it for review first
(check-in scans are facts about the past and must not be lost).
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from functools import partial
from typing import Any

from piccolo.engine.base import Engine

from server.db.bulk import MAX_PARAMS, fetch, in_one_step, insert_rows, placeholders
from server.db.group_commit import GroupCommit
from server.db.kept import SqliteWriter
from server.db.transactions import lock_names, write_transaction
from server.domain import DEVICE_REVOKED, AlreadyApplied, BatchContext, MutationHandler, Reject
from server.syncing.tables import AppliedMutation
from sync.messages import MUTATION_ARGS, Applied, BadArgs, Duplicate, Mutation, Rejected, Result, decode_args

#: uploads committed in one transaction at the most
MAX_GROUP = 64
_RECORD_COLUMNS = ("client_id", "mutation_id", "name", "status", "reason", "at", "received_at")


class _BatchFailed(Exception):
    """A batch failed in a group written without savepoints: the whole transaction must roll back."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class MutationApplier:
    def __init__(self, engine: Engine, handlers: list[MutationHandler], writer: SqliteWriter | None = None) -> None:
        """`writer`: the process's SQLite writer, which whole groups are written on in one step (see
        `_write_group`); without it every group goes through the ORM's transaction."""
        self.engine = engine
        self.by_name: dict[str, MutationHandler] = {}
        for handler in handlers:
            for name in handler.names:
                if name not in MUTATION_ARGS:
                    raise ValueError(f"{name!r} is not a mutation of the sync protocol (sync.messages.MUTATION_ARGS)")
                if name in self.by_name:
                    raise ValueError(f"two handlers for the mutation {name!r}")
                self.by_name[name] = handler
        self._commits: GroupCommit[BatchContext, list[Result]] = GroupCommit(self._commit_group, self._group_size)
        self._writer = writer

    async def apply_batch(self, ctx: BatchContext, mutations: list[Mutation]) -> list[Result]:
        """Apply one upload; it commits with the others waiting at the same moment (see `_commit_group`)."""
        return await self._commits.submit(replace(ctx, batch=tuple(mutations)))

    def _group_size(self, waiting: deque[BatchContext]) -> int:
        """Up to MAX_GROUP uploads that may share a transaction; arrival order holds, so an upload that commits
        alone waits for the group before it and then goes by itself."""
        count = 0
        for ctx in waiting:
            if count == MAX_GROUP or not self._groupable(ctx):
                break
            count += 1
        return count or 1

    def _groupable(self, ctx: BatchContext) -> bool:
        """Whether every handler the batch needs reads inside the transaction (ScanHandler's SQLite reader
        does not, so it would miss what an earlier batch of the group wrote)."""
        return all(getattr(self.by_name.get(m.name), "groupable", True) for m in ctx.batch)

    async def _commit_group(self, group: list[BatchContext]) -> list[list[Result] | BaseException]:
        """One write transaction for the group; the commit makes every batch's effects and records durable at
        once, or none of them. Batches go in order of their device (arrival order for one device), and their
        devices are locked in that order (PostgreSQL), so two processes' groups never deadlock.

        A batch that fails must fail alone, leaving nothing: the group is first written without savepoints (two
        round trips a batch saved, and batches nearly never fail); if one does, that transaction is rolled back and
        the group written again with each batch in a savepoint of its own."""
        order = sorted(range(len(group)), key=lambda n: group[n].principal.subject)
        try:
            return await self._write_group(group, order, isolated=False)
        except _BatchFailed as failed:
            if len(group) == 1:  # alone in its transaction, which rolled back: nothing of it was written
                return [failed.error]
        return await self._write_group(group, order, isolated=True)

    async def _write_group(
        self, group: list[BatchContext], order: list[int], *, isolated: bool
    ) -> list[list[Result] | BaseException]:
        write = partial(self._write, group, order, isolated)
        if self._writer is not None and all(self._in_one_step(ctx) for ctx in group):
            # the whole group in one step on the writer's thread (server/db/bulk.py `in_one_step`), in the writer's
            # transaction with whatever else it commits meanwhile (live check-ins)
            outcomes, applied = await self._writer.transact(in_one_step, write)
        else:
            async with write_transaction(self.engine):
                outcomes, applied = await write()
        for n, results, states in applied:
            for handler, state in states:
                committed = getattr(handler, "committed", None)
                if committed is not None:
                    committed(group[n], state)
            outcomes[n] = results
        return outcomes

    async def _write(
        self, group: list[BatchContext], order: list[int], isolated: bool
    ) -> tuple[list[list[Result] | BaseException], list[tuple[int, list[Result], list]]]:
        """The group's statements, inside its transaction: each batch's outcome so far (a failed batch's error),
        and the batches applied, with their results and handlers' states."""
        outcomes: list[list[Result] | BaseException] = [RuntimeError("not applied")] * len(group)
        applied: list[tuple[int, list[Result], list]] = []
        clients = [group[n].principal.subject for n in order]
        # one client's batches one at a time across processes: a lock on its name, which needs no table of a
        # domain above this one (SQLite's writer lock does it there); taken before what it guards is read
        await lock_names(self.engine, [f"lehoi.client:{client}" for client in clients])
        recorded = await self._recorded(clients, [m.id.lower() for ctx in group for m in ctx.batch])
        for n in order:
            if isolated:
                await fetch(self.engine, "SAVEPOINT batch")
            try:
                results, states, keys = await self._apply(group[n], recorded)
            except Exception as exc:  # noqa: BLE001 - this batch fails, the group goes on
                if not isolated:
                    raise _BatchFailed(exc) from exc
                await fetch(self.engine, "ROLLBACK TO SAVEPOINT batch")
                await fetch(self.engine, "RELEASE SAVEPOINT batch")
                outcomes[n] = exc
                continue
            if isolated:
                await fetch(self.engine, "RELEASE SAVEPOINT batch")
            recorded.update((group[n].principal.subject, key) for key in keys)
            applied.append((n, results, states))
        return outcomes, applied

    def _in_one_step(self, ctx: BatchContext) -> bool:
        """Whether every handler the batch needs writes only through server/db/bulk.py (`one_step`)."""
        return all(getattr(self.by_name.get(m.name), "one_step", False) for m in ctx.batch)

    async def _apply(self, ctx: BatchContext, recorded: set[tuple[str, str]]) -> tuple[list[Result], list, set[str]]:
        """One batch inside the group's transaction: its results, each handler's state for `committed`, and the
        mutation ids it recorded. `recorded` holds the (client, mutation id) pairs recorded before it."""
        client_id = ctx.principal.subject
        # a UUID is the same in either case: the key is its lower-case form, the answer echoes it as sent
        seen: set[str] = set()
        states: dict[int, tuple[MutationHandler, Any]] = {}
        results: list[Result] = []
        records: list[tuple] = []
        for mutation in ctx.batch:
            key = mutation.id.lower()
            if key in seen or (client_id, key) in recorded:
                results.append(await self._duplicate(ctx, mutation, states))
                continue
            seen.add(key)
            result = await self._apply_one(ctx, mutation, states)
            results.append(result)
            rejected = isinstance(result, Rejected)
            records.append(
                (
                    client_id,
                    key,
                    mutation.name[:32],
                    "rejected" if rejected else "applied",
                    result.reason if rejected else None,
                    mutation.at if mutation.at and mutation.at.tzinfo else None,
                    ctx.now,
                )
            )
        for handler, state in states.values():
            await handler.flush(ctx, state)
        # one multi-row INSERT: a Piccolo object per record cost more than the database's own work
        await insert_rows(self.engine, AppliedMutation._meta.tablename, _RECORD_COLUMNS, records)
        return results, list(states.values()), seen

    async def _recorded(self, clients: list[str], ids: list[str]) -> set[tuple[str, str]]:
        """Which of these mutation ids these clients have recorded: (client, id) pairs, in one statement."""
        if not ids:
            return set()
        clients, ids = sorted(set(clients)), sorted(set(ids))
        found: set[tuple[str, str]] = set()
        per_statement = MAX_PARAMS - len(clients)
        for start in range(0, len(ids), per_statement):
            chunk = ids[start : start + per_statement]
            rows = await fetch(
                self.engine,
                f'SELECT client_id, mutation_id FROM "{AppliedMutation._meta.tablename}" '
                f"WHERE client_id IN ({placeholders(1, len(clients))}) "
                f"AND mutation_id IN ({placeholders(len(clients) + 1, len(chunk))})",
                *clients,
                *chunk,
            )
            found.update((r["client_id"], r["mutation_id"]) for r in rows)
        return found

    async def _apply_one(self, ctx: BatchContext, mutation: Mutation, states: dict) -> Result:
        try:
            args = decode_args(mutation)
        except BadArgs as exc:
            return Rejected(id=mutation.id, reason=exc.reason)
        handler = self.by_name.get(mutation.name)
        if handler is None:  # a protocol mutation no domain of this app handles
            return Rejected(id=mutation.id, reason="unknown_mutation")
        if ctx.principal.revoked:
            keep = getattr(handler, "keep", None)
            if keep is not None:
                keep(ctx, await self._state(ctx, handler, states), mutation, args)
            return Rejected(id=mutation.id, reason=DEVICE_REVOKED)
        state = await self._state(ctx, handler, states)
        try:
            data = handler.apply(ctx, state, mutation, args)
        except Reject as exc:
            return Rejected(id=mutation.id, reason=exc.reason)
        except AlreadyApplied as exc:
            return Duplicate(id=mutation.id, data=exc.data)
        return Applied(id=mutation.id, data=data)

    async def _duplicate(self, ctx: BatchContext, mutation: Mutation, states: dict) -> Duplicate:
        """A mutation recorded before: a handler with `recall` says again what it did, since a phone retries
        when the answer was lost, so it may never have heard the first one."""
        handler = self.by_name.get(mutation.name)
        recall = getattr(handler, "recall", None)
        if recall is None:
            return Duplicate(id=mutation.id)
        return Duplicate(id=mutation.id, data=recall(ctx, await self._state(ctx, handler, states), mutation))

    @staticmethod
    async def _state(ctx: BatchContext, handler: MutationHandler, states: dict) -> Any:
        if id(handler) not in states:
            states[id(handler)] = (handler, await handler.load(ctx))
        return states[id(handler)][1]
