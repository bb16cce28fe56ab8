"""Applying a phone's batch of mutations exactly once.

The batch runs in one transaction: already-recorded ids answer `duplicate`; the rest are applied in order
against each domain's in-memory state, then each domain writes its net change and every mutation's record
in bulk. A mutation's effect and its record therefore commit together or not at all; a crash before the
commit leaves nothing, and the phone's retry applies the batch afresh. Per-client batches are serialised
(a row lock on PostgreSQL, the single writer on SQLite), so two uploads of the same outbox cannot interleave.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import msgspec
from piccolo.engine.base import Engine

from server.accounts.principal import Principal
from server.db.engine import is_postgres
from server.db.transactions import write_transaction
from server.programme.snapshot import Snapshot
from server.syncing.tables import AppliedMutation
from sync.messages import Applied, BadArgs, Duplicate, Mutation, Rejected, Result, decode_args


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


class MutationHandler(Protocol):
    """One domain's mutations: load its state once, apply each in order in memory, write the net change."""

    names: tuple[str, ...]
    args: dict[str, type[msgspec.Struct]]

    async def load(self, ctx: BatchContext) -> Any: ...

    def apply(self, ctx: BatchContext, state: Any, mutation: Mutation, args: msgspec.Struct) -> dict | None: ...

    async def flush(self, ctx: BatchContext, state: Any) -> None: ...


class MutationApplier:
    def __init__(self, engine: Engine, handlers: list[MutationHandler]) -> None:
        self.engine = engine
        self.by_name = {name: h for h in handlers for name in h.names}
        self.args = {name: cls for h in handlers for name, cls in h.args.items()}

    async def apply_batch(self, ctx: BatchContext, mutations: list[Mutation]) -> list[Result]:
        client_id = ctx.principal.subject
        async with write_transaction(self.engine):
            if is_postgres(self.engine):
                await AppliedMutation.raw("SELECT id FROM device WHERE id = {} FOR UPDATE", client_id)
            seen = await self._recorded(client_id, [m.id for m in mutations])
            states: dict[int, tuple[MutationHandler, Any]] = {}
            results: list[Result] = []
            records: list[AppliedMutation] = []
            for mutation in mutations:
                if mutation.id in seen:
                    results.append(Duplicate(id=mutation.id))
                    continue
                seen.add(mutation.id)
                result = await self._apply_one(ctx, mutation, states)
                results.append(result)
                records.append(
                    AppliedMutation(
                        client_id=client_id,
                        mutation_id=mutation.id,
                        name=mutation.name[:32],
                        status="rejected" if isinstance(result, Rejected) else "applied",
                        reason=result.reason if isinstance(result, Rejected) else None,
                        at=mutation.at if mutation.at and mutation.at.tzinfo else None,
                        received_at=ctx.now,
                    )
                )
            for handler, state in states.values():
                await handler.flush(ctx, state)
            if records:
                await AppliedMutation.insert(*records)
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
        if id(handler) not in states:
            states[id(handler)] = (handler, await handler.load(ctx))
        try:
            data = handler.apply(ctx, states[id(handler)][1], mutation, args)
        except Reject as exc:
            return Rejected(id=mutation.id, reason=exc.reason)
        return Applied(id=mutation.id, data=data)
