"""Organiser writes to the programme; every write is one transaction and checks references first."""

from __future__ import annotations

from typing import Any

from piccolo.engine.base import Engine
from piccolo.table import Table

from server.db.transactions import write_transaction
from server.errors import Conflict, NotFound
from server.programme import records, schemas
from server.programme.checks import check_event, check_stops, free_id
from server.programme.snapshot import SnapshotCache
from server.programme.tables import Event, Trail, Venue


async def _exists(table: type[Table], ident: str) -> bool:
    return await table.exists().where(table._meta.primary_key == ident)


class ProgrammeService:
    """Create, update and delete venues, events and trails."""

    def __init__(self, engine: Engine, cache: SnapshotCache) -> None:
        self.engine = engine
        self.cache = cache

    async def _insert(
        self, table: type[Table], kind: str, ident: str | None, columns: dict[str, Any], names: tuple[str, ...] = ()
    ) -> str:
        """Insert the row under `ident`, or under a new id made from `names` when `ident` is None; returns the id."""
        async with write_transaction(self.engine):
            if ident is None:
                ident = await free_id(table, *names)
            elif await _exists(table, ident):
                raise Conflict(f"a {kind} with id {ident!r} already exists")
            await table.insert(table(**{**columns, "id": ident}))
        await self.cache.written()
        return ident

    async def _update(self, table: type[Table], kind: str, ident: str, columns: dict[str, Any]) -> None:
        async with write_transaction(self.engine):
            current = await table.select().where(table._meta.primary_key == ident).output(load_json=True).first()
            if current is None:
                raise NotFound(f"no {kind} with id {ident!r}")
            # only what changes is written: an edit that changes nothing must not send every phone a new version
            changed = {k: v for k, v in columns.items() if current[k] != v}
            if changed:
                await table.update(changed).where(table._meta.primary_key == ident)
        await self.cache.written()

    async def _delete(self, table: type[Table], kind: str, ident: str) -> None:
        async with write_transaction(self.engine):
            if not await _exists(table, ident):
                raise NotFound(f"no {kind} with id {ident!r}")
            await table.delete().where(table._meta.primary_key == ident)
        await self.cache.written()

    # venues

    async def create_venue(self, data: schemas.VenueCreate) -> None:
        await self._insert(Venue, "venue", data.id, records.flatten(records.given_fields(data)))

    async def update_venue(self, venue_id: str, data: schemas.VenueUpdate) -> None:
        await self._update(Venue, "venue", venue_id, records.flatten(records.given_fields(data)))

    async def delete_venue(self, venue_id: str) -> None:
        if await Event.exists().where(Event.venue == venue_id):
            raise Conflict(f"venue {venue_id!r} still has events: move or delete them first")
        if any(venue_id in t.stops for t in (await self.cache.get()).trails.values()):
            raise Conflict(f"venue {venue_id!r} is a stop of a trail: change the trail first")
        await self._delete(Venue, "venue", venue_id)

    # events

    async def create_event(self, data: schemas.EventCreate) -> str:
        """The new event's id: its own, or one made from its Vietnamese title (its English one if that has no
        letter or digit to make a slug of)."""
        await check_event(data.venue_id, data.starts_at, data.ends_at)
        return await self._insert(
            Event, "event", data.id, records.flatten(records.given_fields(data)), names=(data.title.vi, data.title.en)
        )

    async def update_event(self, event_id: str, data: schemas.EventUpdate) -> None:
        row = await Event.select(Event.venue, Event.starts_at, Event.ends_at).where(Event.id == event_id).first()
        if row is None:
            raise NotFound(f"no event with id {event_id!r}")
        fields = records.given_fields(data)
        await check_event(
            fields.get("venue_id", row["venue"]),
            fields.get("starts_at", row["starts_at"]),
            fields.get("ends_at", row["ends_at"]),
        )
        await self._update(Event, "event", event_id, records.flatten(fields))

    async def delete_event(self, event_id: str) -> None:
        await self._delete(Event, "event", event_id)

    # trails

    async def create_trail(self, data: schemas.TrailCreate) -> None:
        await check_stops(data.stops, (await self.cache.get()).venues)
        await self._insert(Trail, "trail", data.id, records.flatten(records.given_fields(data)))

    async def update_trail(self, trail_id: str, data: schemas.TrailUpdate) -> None:
        fields = records.given_fields(data)
        if "stops" in fields:
            await check_stops(fields["stops"], (await self.cache.get()).venues)
        await self._update(Trail, "trail", trail_id, records.flatten(fields))

    async def delete_trail(self, trail_id: str) -> None:
        await self._delete(Trail, "trail", trail_id)
