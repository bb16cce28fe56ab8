"""Mutations on a device's own data: favourites and settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from server.accounts.states import DeviceStates
from server.accounts.tables import Device, Favourite
from server.db.bulk import fetch, insert_rows, placeholders
from server.domain import BatchContext, Reject
from sync.messages import FavouriteArgs, Mutation, SettingsArgs

_TABLE = Favourite._meta.tablename
_COLUMNS = ("device", "event_id", "created_at")


@dataclass
class _Favourites:
    stored: set[str]
    wanted: set[str] = field(default_factory=set)


class _DeviceStateHandler:
    """A handler of the device's own state, which `GET /api/me` keeps copies of (server/accounts/states.py)."""

    def __init__(self, states: DeviceStates) -> None:
        self.states = states

    def committed(self, ctx: BatchContext, state) -> None:
        if self._changed(state):
            self.states.forget(ctx.principal.subject)


class FavouriteHandler(_DeviceStateHandler):
    names = ("favourite.set", "favourite.unset")
    #: load and flush await only the driver's statements (and `announce`, which awaits nothing on SQLite)
    one_step = True

    # through the driver (server/db/bulk.py): a one-favourite upload is the commonest write of all
    async def load(self, ctx: BatchContext) -> _Favourites:
        rows = await fetch(
            Favourite._meta.db, f"SELECT event_id FROM {_TABLE} WHERE device = $1", ctx.principal.subject
        )
        stored = {r["event_id"] for r in rows}
        return _Favourites(stored=stored, wanted=set(stored))

    def apply(self, ctx: BatchContext, state: _Favourites, mutation: Mutation, args: FavouriteArgs) -> None:
        if mutation.name == "favourite.set":
            if args.event_id not in ctx.snapshot.events_by_id:
                raise Reject("unknown_event")
            state.wanted.add(args.event_id)
        else:
            state.wanted.discard(args.event_id)

    async def flush(self, ctx: BatchContext, state: _Favourites) -> None:
        device = ctx.principal.subject
        removed = state.stored - state.wanted
        added = state.wanted - state.stored
        if removed or added:
            await self.states.announce(device)
        if removed:
            await fetch(
                Favourite._meta.db,
                f"DELETE FROM {_TABLE} WHERE device = $1 AND event_id IN ({placeholders(2, len(removed))})",
                device,
                *sorted(removed),
            )
        if added:
            await insert_rows(Favourite._meta.db, _TABLE, _COLUMNS, [(device, e, ctx.now) for e in sorted(added)])

    @staticmethod
    def _changed(state: _Favourites) -> bool:
        return state.stored != state.wanted


class SettingsHandler(_DeviceStateHandler):
    names = ("settings.set",)

    async def load(self, ctx: BatchContext) -> dict:
        return {}

    def apply(self, ctx: BatchContext, state: dict, mutation: Mutation, args: SettingsArgs) -> None:
        if args.lang is None and args.reminder_minutes is None:
            raise Reject("nothing_to_set")
        if args.lang is not None:
            state[Device.lang] = args.lang
        if args.reminder_minutes is not None:
            state[Device.reminder_minutes] = args.reminder_minutes

    async def flush(self, ctx: BatchContext, state: dict) -> None:
        if state:
            await self.states.announce(ctx.principal.subject)
            await Device.update(state).where(Device.id == ctx.principal.subject)

    @staticmethod
    def _changed(state: dict) -> bool:
        return bool(state)
