"""What a programme row must be, whichever way it is written: the API (`service`) or /admin (`admin_hooks`).

/admin writes table rows with only the columns' types to guard them; a venue at latitude 999 would then reach
every phone, and every travel time computed from it would be nonsense. So each row /admin would save is read
back into its wire form and checked against the API's own schema and reference checks before it is written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Container
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
from piccolo.columns import Column
from piccolo.table import Table
from piccolo_api.crud.hooks import Hook, HookType
from starlette.exceptions import HTTPException

from server.errors import Invalid
from server.programme import records, schemas
from server.programme.search import fold
from server.programme.tables import Announcement, Event, Festival, Trail, Venue

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def _aware(at: datetime, field: str) -> None:
    if at.tzinfo is None:
        raise Invalid(f"{field} needs a UTC offset, for example 2024-11-12T10:00:00+07:00")


async def check_event(venue_id: str, starts_at: datetime, ends_at: datetime) -> None:
    """An event's times have offsets and run forwards, at a venue that exists."""
    _aware(starts_at, "starts_at")
    _aware(ends_at, "ends_at")
    if ends_at <= starts_at:
        raise Invalid("ends_at must be after starts_at")
    if not await Venue.exists().where(Venue.id == venue_id):
        raise Invalid(f"venue_id {venue_id!r} is not a venue")


async def check_stops(stops: list[str], known: Container[str] = ()) -> None:
    """Every stop of a trail is a venue (`known` ones need no query)."""
    missing = [s for s in stops if s not in known and not await Venue.exists().where(Venue.id == s)]
    if missing:
        raise Invalid(f"trail stops are not venues: {', '.join(missing)}")


def _festival(row: dict) -> schemas.Festival:
    if row["starts_on"] > row["ends_on"]:
        raise Invalid("ends_on must not be before starts_on")
    try:
        ZoneInfo(row["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(f"timezone {row['timezone']!r} is not an IANA time zone") from None
    return records.festival(row, version=0)


#: per table: its row read into its wire form, and the schema that form must pass
_FORMS: dict[type[Table], tuple[Callable[[dict], msgspec.Struct], type[msgspec.Struct]]] = {
    Venue: (records.venue, schemas.VenueCreate),
    Event: (records.event, schemas.EventCreate),
    Trail: (records.trail, schemas.TrailCreate),
    Announcement: (records.announcement, schemas.Announcement),
    Festival: (_festival, schemas.Festival),
}


async def check_row(table: type[Table], row: dict[str, Any]) -> None:
    """`Invalid` unless the whole row, as it would be stored, is one the API would have accepted."""
    for column in table._meta.columns:
        value = row.get(column._meta.name)
        if isinstance(value, datetime):
            _aware(value, column._meta.name)
    read, schema = _FORMS[table]
    try:
        wire = read(row)
        msgspec.convert(msgspec.to_builtins(wire), schema)
    except (msgspec.ValidationError, KeyError, TypeError, ValueError) as exc:
        raise Invalid(str(exc)) from None
    if isinstance(wire, schemas.Event):
        await check_event(wire.venue_id, wire.starts_at, wire.ends_at)
    elif isinstance(wire, schemas.Trail):
        await check_stops(wire.stops)


def slugify(text: str) -> str:
    """A slug's stem from a name: "Vườn thú: Hà Nội!" → "vuon-thu-ha-noi"; "" when nothing of it is a-z or 0-9."""
    return "-".join(_NOT_SLUG.sub(" ", fold(unicodedata.normalize("NFC", text))).split())[:56].strip("-")


async def free_id(table: type[Table], *names: str) -> str:
    """A slug from the first of `names` that makes one, that no row of `table` has yet: "vuon-thu-ha-noi", else
    "vuon-thu-ha-noi-2", … Names with nothing to make a slug of (punctuation, emoji) give the table's word
    ("event", "event-2", …).

    Call it inside the transaction that inserts the row: one query reads every id the stem could clash with."""
    base = next(filter(None, map(slugify, names)), table._meta.tablename.replace("_", "-"))
    key = table._meta.primary_key
    taken = {row["id"] for row in await table.select(key.as_alias("id")).where((key == base) | key.like(base + "-%"))}
    ident, n = base, 1
    while ident in taken:
        n += 1
        ident = f"{base}-{n}"
    return ident


def admin_hooks(table: type[Table]) -> list[Hook]:
    """piccolo-admin hooks that refuse, with a 422 naming the field, a row the API would refuse."""

    async def refused(row: dict[str, Any]) -> None:
        try:
            await check_row(table, row)
        except Invalid as exc:
            raise HTTPException(status_code=422, detail=exc.detail) from None

    async def pre_save(row: Table) -> Table:
        # piccolo-admin passes a field the form left out as None: a column that cannot be null takes its default
        for column in table._meta.columns:
            if getattr(row, column._meta.name) is None and not column._meta.null:
                setattr(row, column._meta.name, column.get_default_value())
        if not row.id:  # its form has no field for the key: the id is made from the Vietnamese name
            row.id = await free_id(table, getattr(row, "name_vi", None) or getattr(row, "title_vi", None) or "")
        await refused(row.to_dict())
        return row

    async def pre_patch(row_id: Any, values: dict[Column | str, Any]) -> dict:
        current = await table.select().where(table._meta.primary_key == row_id).first()
        if current is not None:  # else the update touches nothing, and piccolo-admin answers as much
            changes = {(k._meta.name if isinstance(k, Column) else k): v for k, v in values.items()}
            await refused({**current, **changes})
        return values

    return [Hook(HookType.pre_save, pre_save), Hook(HookType.pre_patch, pre_patch)]
