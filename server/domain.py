"""What a domain package contributes to the app, and the contracts it fills: mutation handlers, bundle parts,
change-feed records. Each package's `domain.py` builds one `Domain`; server/app.py lists them.

The sync engine (server/syncing) runs these contracts without knowing any domain: it sees the programme snapshot
only as a `Versioned` value and hands it to the handlers and parts, which know what it holds.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

import msgspec
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from piccolo.engine.base import Engine

from server.auth import Principal
from server.state import CLOCK, ENGINE, StateKey
from sync.messages import Mutation


@runtime_checkable  # handlers take it as a dependency, which Litestar checks with isinstance
class Versioned(Protocol):
    """The programme as one process holds it (server.programme.snapshot.Snapshot), seen from below."""

    version: int


@runtime_checkable  # handlers take it as a dependency, which Litestar checks with isinstance
class SnapshotSource(Protocol):
    async def get(self) -> Versioned:
        """The current snapshot, reloaded when the programme version moved."""
        ...

    def invalidate(self) -> None:
        """Reload at the next `get`: this process has just written to the programme."""
        ...


class Transactor(Protocol):
    """The process's one writer of the hot paths on SQLite (server.db.kept.SqliteWriter), seen from above."""

    async def transact(self, work: Callable[..., Any], *args: Any) -> Any:
        """`work(connection, *args)` inside a write transaction, durable once this returns."""
        ...


#: a domain's part of the offline bundle: top-level keys computed from the programme snapshot
BundlePart = Callable[[Any], Awaitable[dict[str, Any]]]
#: a member a domain adds to the answer of GET /api/festival: called with the app's state each time the answer is
#: encoded (once per programme version), its value encoded as JSON
FestivalMember = Callable[[State], Any]
#: run with the app's state when the app starts (after the database opens) or stops
Hook = Callable[[State], Awaitable[None]]
#: the change feed's records of one logged kind at the snapshot's version: (snapshot, ids) → {id: record};
#: an id missing from the answer is sent as deleted
FeedRecords = Callable[[Any, list[str]], Awaitable[dict[str, Any]]]


# --- the mutation contract (see docs/protocol.md) ----------------------------------------------

#: the reason every mutation of a revoked device is rejected with
DEVICE_REVOKED = "device_revoked"


class AlreadyApplied(Exception):
    """This mutation's effect is already recorded under its id (by another path): answered `duplicate`, with
    `data` saying again what was recorded (a check-in scan's verdict)."""

    def __init__(self, data: dict | None = None) -> None:
        super().__init__()
        self.data = data


class Reject(Exception):
    """This mutation can never apply; `reason` is a short snake_case word the phone can show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class BatchContext:
    principal: Principal
    #: the programme snapshot the batch is judged against (server.programme.snapshot.Snapshot)
    snapshot: Any
    now: datetime
    #: every mutation of the batch being applied, for handlers that prefetch in `load`
    batch: tuple[Mutation, ...] = ()


class MutationHandler(Protocol):
    """One domain's mutations: load its state once, apply each in order in memory, write the net change.

    `names` are mutation names of sync.messages.MUTATION_ARGS, which holds their argument types. A handler
    whose effect can also arrive by another path raises `AlreadyApplied`; one that must keep what a revoked
    device sent has a `keep(ctx, state, mutation, args)` method, called instead of `apply`; one whose answer
    the phone must not miss has a `recall(ctx, state, mutation) -> dict | None` method, whose value is the `data`
    of the `duplicate` answer to a mutation already recorded (its first answer may have been lost on the way);
    one whose effect others keep copies of has a `committed(ctx, state)` method, called once the batch is
    committed; one that reads outside the applier's transaction sets `groupable = False`, and its batches commit
    alone; one whose `load` and `flush` await nothing but server/db/bulk.py's statements sets `one_step = True`,
    and on SQLite its batches' transaction runs in one step on the database's thread.
    """

    names: tuple[str, ...]

    async def load(self, ctx: BatchContext) -> Any: ...

    def apply(self, ctx: BatchContext, state: Any, mutation: Mutation, args: msgspec.Struct) -> dict | None: ...

    async def flush(self, ctx: BatchContext, state: Any) -> None: ...


@dataclass(frozen=True)
class Domain:
    route_handlers: list[Any] = field(default_factory=list)
    mutation_handlers: list[MutationHandler] = field(default_factory=list)
    bundle_parts: list[BundlePart] = field(default_factory=list)
    #: members added to the festival answer (GET /api/festival), which the programme domain serves without
    #: knowing the domains below or beside it (the basemap's `map`); never one of the festival's own fields
    festival_members: dict[str, FestivalMember] = field(default_factory=dict)
    #: change-feed kinds this domain logs (a migration of its own installs their change-log triggers), with how to read
    #: their records
    feed_records: dict[str, FeedRecords] = field(default_factory=dict)
    #: path prefixes this domain answers before Litestar routes the request, with the bare ASGI app answering them:
    #: for hot paths whose answer is ready bytes (routing, dependency injection and response building would cost
    #: more than sending them); such paths are not in the OpenAPI document
    fast_paths: dict[str, Any] = field(default_factory=dict)
    #: values put on app.state at creation, each under the typed key the domain declares for it
    state: dict[StateKey[Any], Any] = field(default_factory=dict)
    #: dependencies its handlers receive by name (`provide_*` functions of its `deps.py`, which alone read app.state)
    dependencies: dict[str, Any] = field(default_factory=dict)
    on_startup: list[Hook] = field(default_factory=list)
    on_shutdown: list[Hook] = field(default_factory=list)
    #: its `lehoi` subcommands (the COMMANDS of its commands.py, which the command line registers without building
    #: the domain: a command must not need a running app)
    commands: list[Any] = field(default_factory=list)


#: the programme as this process holds it, per version (server.programme.snapshot.SnapshotCache)
SNAPSHOTS: StateKey[SnapshotSource] = StateKey("snapshots")
#: the process's SQLite writer, shared by the hot writers so they never wait on each other in SQLite's lock; None on
#: PostgreSQL
WRITER: StateKey[Transactor | None] = StateKey("writer")
#: every domain's members of the festival answer (`Domain.festival_members`)
FESTIVAL_MEMBERS: StateKey[dict[str, FestivalMember]] = StateKey("festival_members")


async def provide_snapshot(state: State) -> Any:
    """The programme as this process currently holds it (a `SnapshotSource`'s current snapshot)."""
    return await SNAPSHOTS.of(state).get()


def provide_snapshots(state: State) -> SnapshotSource:
    """Where the snapshot comes from, for handlers that make it reload (`invalidate`) after a write."""
    return SNAPSHOTS.of(state)


def provide_now(state: State) -> datetime:
    """The festival clock's reading for this request (server/clock.py)."""
    return CLOCK.of(state).now()


def provide_engine(state: State) -> Engine:
    """The database engine, for services that open their own transactions."""
    return ENGINE.of(state)


def provide_festival_members(state: State) -> dict[str, Any]:
    """The members other domains add to the festival answer (`Domain.festival_members`), read now."""
    return {name: member(state) for name, member in FESTIVAL_MEMBERS.of(state).items()}


#: how handlers name the kernel's dependencies (Litestar wants dependencies marked as such)
Now = NamedDependency[datetime]
EngineDep = NamedDependency[Engine]
SnapshotsDep = NamedDependency[SnapshotSource]

#: what every handler may take by name, whatever its domain
KERNEL_DEPENDENCIES = {
    "snapshot": Provide(provide_snapshot),
    "snapshots": Provide(provide_snapshots, sync_to_thread=False),
    "now": Provide(provide_now, sync_to_thread=False),
    "engine": Provide(provide_engine, sync_to_thread=False),
    "festival_members": Provide(provide_festival_members, sync_to_thread=False),
}
