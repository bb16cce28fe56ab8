"""Loading a festival file (fixtures/hcdf2024.json): validate every record, then upsert in one transaction.

A second load of the same file changes nothing: records equal to what is stored are not written, so the
programme version does not move. A broken file changes nothing and the error names the record and field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import msgspec
from piccolo.engine.base import Engine
from piccolo.table import Table

from server.db.transactions import write_transaction
from server.programme import records, schemas
from server.programme.tables import Event, Festival, Trail, Venue


class FixtureError(ValueError):
    """A festival file that cannot be loaded; the message names the record and the field."""


class FestivalIn(msgspec.Struct, forbid_unknown_fields=True):
    id: schemas.Slug
    name: schemas.Text
    theme: schemas.Text
    description: schemas.LongTextPair
    starts_on: date
    ends_on: date
    timezone: str = "Asia/Ho_Chi_Minh"
    website: str = ""
    sample_data_note: schemas.LongTextPair = schemas.LongTextPair()


@dataclass
class LoadReport:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


def _validate(section: str, raw: list[Any], cls: type) -> list[Any]:
    items = []
    for index, record in enumerate(raw):
        label = f"{section}[{index}]"
        if isinstance(record, dict) and isinstance(record.get("id"), str):
            label += f" (id {record['id']!r})"
        try:
            items.append(msgspec.convert(record, cls))
        except msgspec.ValidationError as exc:
            raise FixtureError(f"{label}: {exc}") from None
    ids = [item.id for item in items]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise FixtureError(f"{section}: duplicate ids {', '.join(duplicates)}")
    return items


def parse_file(path: Path) -> tuple[FestivalIn, list, list, list]:
    """Every record checked for types and references before anything is written."""
    try:
        raw = msgspec.json.decode(path.read_bytes())
    except (OSError, msgspec.DecodeError) as exc:
        raise FixtureError(f"{path}: cannot read JSON: {exc}") from None
    if not isinstance(raw, dict) or "festival" not in raw:
        raise FixtureError(f"{path}: expected an object with festival, venues, events, trails")
    try:
        festival = msgspec.convert(raw["festival"], FestivalIn)
    except msgspec.ValidationError as exc:
        raise FixtureError(f"festival: {exc}") from None
    venues = _validate("venues", raw.get("venues", []), schemas.VenueCreate)
    events = _validate("events", raw.get("events", []), schemas.EventCreate)
    trails = _validate("trails", raw.get("trails", []), schemas.TrailCreate)
    venue_ids = {v.id for v in venues}
    for index, event in enumerate(events):
        where = f"events[{index}] (id {event.id!r})"
        if event.venue_id not in venue_ids:
            raise FixtureError(f"{where}: venue_id {event.venue_id!r} is not a venue in this file")
        if event.starts_at.tzinfo is None or event.ends_at.tzinfo is None:
            raise FixtureError(f"{where}: starts_at and ends_at need a UTC offset")
        if event.ends_at <= event.starts_at:
            raise FixtureError(f"{where}: ends_at must be after starts_at")
    for index, trail in enumerate(trails):
        unknown = [s for s in trail.stops if s not in venue_ids]
        if unknown:
            raise FixtureError(f"trails[{index}] (id {trail.id!r}): stops are not venues: {', '.join(unknown)}")
    return festival, venues, events, trails


def _festival_columns(festival: FestivalIn) -> dict[str, Any]:
    columns = records.flatten(records.given_fields(festival))
    note = columns.pop("sample_data_note_vi"), columns.pop("sample_data_note_en")
    columns["sample_note_vi"], columns["sample_note_en"] = note
    return columns


async def _upsert(
    table: type[Table], items: list[dict[str, Any]], to_wire: Callable[[dict], Any], report: LoadReport
) -> None:
    existing = {row["id"]: row for row in await table.select().output(load_json=True)}
    for columns in items:
        current = existing.get(columns["id"])
        if current is None:
            await table.insert(table(**columns))
            report.inserted += 1
        elif to_wire({**current, **columns}) != to_wire(current):
            await table.update({k: v for k, v in columns.items() if k != "id"}).where(
                table._meta.primary_key == columns["id"]
            )
            report.updated += 1
        else:
            report.unchanged += 1


async def load_file(path: Path, engine: Engine) -> LoadReport:
    """Validate the whole file, then insert or update its records in one transaction."""
    festival, venues, events, trails = parse_file(path)
    report = LoadReport()

    def flat(item: msgspec.Struct) -> dict[str, Any]:
        return records.flatten(records.given_fields(item))

    async with write_transaction(engine):
        await _upsert(Festival, [_festival_columns(festival)], lambda r: records.festival(r, 0), report)
        await _upsert(Venue, [flat(v) for v in venues], records.venue, report)
        await _upsert(Event, [flat(e) for e in events], records.event, report)
        await _upsert(Trail, [flat(t) for t in trails], records.trail, report)
    return report
