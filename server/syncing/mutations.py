"""Applying a phone's batch of mutations exactly once.

The batch runs in one transaction: already-recorded ids answer `duplicate`; the rest are applied in order
against each domain's in-memory state, then each domain writes its net change and every mutation's record
in bulk. A mutation's effect and its record therefore commit together or not at all; a crash before the
commit leaves nothing, and the phone's retry applies the batch afresh. Per-client batches are serialised
(a row lock on PostgreSQL, the single writer on SQLite), so two uploads of the same outbox cannot interleave.

A handler's `load` sees the whole batch (`ctx.batch`), so it can fetch what its mutations need in one query
each rather than one per mutation. A handler whose effect can also arrive by another path (an online check-in
and a `checkin.scan` mutation share scan ids) raises `AlreadyApplied`, answered `duplicate`.

A device an organiser revoked still reaches the applier: every mutation is answered `rejected` with reason
`device_revoked`, and a handler with a `keep(ctx, state, mutation, args)` method stores it for review first
(check-in scans are facts about the past and must not be lost).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

import msgspec
from piccolo.engine.base import Engine

from server.accounts.principal import Principal
from server.db.bulk import insert_rows
from server.db.engine import is_postgres
from server.db.transactions import write_transaction
from server.programme.snapshot import Snapshot
from server.syncing.tables import AppliedMutation
from sync.messages import Applied, BadArgs, Duplicate, Mutation, Rejected, Result, decode_args


#: the reason every mutation of a revoked device is rejected with
DEVICE_REVOKED = "device_revoked"


class AlreadyApplied(Exception):
    """This mutation's effect is already recorded under its id (by another path): answered `duplicate`."""


class Reject(Exception):
    """This mutation can never apply; `reason` is a short snake_case word the phone can show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class BatchContext:
    principal: Principal
    snapshot: Snapshot
    now: datetime
    #: every mutation of the batch being applied, for handlers that prefetch in `load`
    batch: tuple[Mutation, ...] = ()


class MutationHandler(Protocol):
    """One domain's mutations: load its state once, apply each in order in memory, write the net change."""

    names: tuple[str, ...]
    args: dict[str, type[msgspec.Struct]]

    async def load(self, ctx: BatchContext) -> Any: ...

    def apply(self, ctx: BatchContext, state: Any, mutation: Mutation, args: msgspec.Struct) -> dict | None: ...

    async def flush(self, ctx: BatchContext, state: Any) -> None: ...


_RECORD_COLUMNS = ("client_id", "mutation_id", "name", "status", "reason", "at", "received_at")


class MutationApplier:
    def __init__(self, engine: Engine, handlers: list[MutationHandler]) -> None:
        self.engine = engine
        self.by_name = {name: h for h in handlers for name in h.names}
        self.args = {name: cls for h in handlers for name, cls in h.args.items()}

    async def apply_batch(self, ctx: BatchContext, mutations: list[Mutation]) -> list[Result]:
        client_id = ctx.principal.subject
        ctx = replace(ctx, batch=tuple(mutations))
        async with write_transaction(self.engine):
            if is_postgres(self.engine):
                await AppliedMutation.raw("SELECT id FROM device WHERE id = {} FOR UPDATE", client_id)
            # a UUID is the same in either case: the key is its lower-case form, the answer echoes it as sent
            seen = await self._recorded(client_id, [m.id.lower() for m in mutations])
            states: dict[int, tuple[MutationHandler, Any]] = {}
            results: list[Result] = []
            records: list[tuple] = []
            for mutation in mutations:
                key = mutation.id.lower()
                if key in seen:
                    results.append(Duplicate(id=mutation.id))
                    continue
                seen.add(key)
                result = await self._apply_one(ctx, mutation, states)
                results.append(result)
                rejected = isinstance(result, Rejected)
                records.append((
                    client_id,
                    key,
                    mutation.name[:32],
                    "rejected" if rejected else "applied",
                    result.reason if rejected else None,
                    mutation.at if mutation.at and mutation.at.tzinfo else None,
                    ctx.now,
                ))
            for handler, state in states.values():
                await handler.flush(ctx, state)
            # one multi-row INSERT: a Piccolo object per record cost more than the database's own work
            await insert_rows(self.engine, AppliedMutation._meta.tablename, _RECORD_COLUMNS, records)
        return results

    async def _recorded(self, client_id: str, ids: list[str]) -> set[str]:
        if not ids:
            return set()
        rows = await AppliedMutation.select(AppliedMutation.mutation_id).where(
            (AppliedMutation.client_id == client_id) & AppliedMutation.mutation_id.is_in(list(set(ids)))
        )
        return {r["mutation_id"] for r in rows}

    async def _apply_one(self, ctx: BatchContext, mutation: Mutation, states: dict) -> Result:
        try:
            args = decode_args(mutation, self.args)
        except BadArgs as exc:
            return Rejected(id=mutation.id, reason=exc.reason)
        handler = self.by_name[mutation.name]
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
        except AlreadyApplied:
            return Duplicate(id=mutation.id)
        return Applied(id=mutation.id, data=data)

    @staticmethod
    async def _state(ctx: BatchContext, handler: MutationHandler, states: dict) -> Any:
        if id(handler) not in states:
            states[id(handler)] = (handler, await handler.load(ctx))
        return states[id(handler)][1]
