"""Conversions between table rows and wire types, written once for every entity."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import msgspec

from server.clock import FESTIVAL_TZ
from server.programme import schemas


def _json(value: Any) -> Any:
    # Piccolo hands JSON columns back as text unless asked otherwise; accept both.
    return json.loads(value) if isinstance(value, str) else value


def _local(at: datetime) -> datetime:
    return at.astimezone(FESTIVAL_TZ)


def _pair(row: dict, name: str, cls: type = schemas.LongTextPair) -> Any:
    return cls(vi=row[f"{name}_vi"], en=row[f"{name}_en"])


def flatten(fields: dict[str, Any]) -> dict[str, Any]:
    """Wire fields → column values: bilingual pairs become *_vi/*_en, venue_id becomes venue."""
    columns: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(value, (schemas.Text, schemas.LongTextPair)):
            columns[f"{key}_vi"] = value.vi
            columns[f"{key}_en"] = value.en
        elif key == "venue_id":
            columns["venue"] = value
        elif key in ("opening_hours", "festival_hours", "tags", "stops", "path"):
            columns[key] = msgspec.to_builtins(value)
        else:
            columns[key] = value
    return columns


def given_fields(update: msgspec.Struct) -> dict[str, Any]:
    """The fields an Update struct actually carries."""
    return {f: getattr(update, f) for f in update.__struct_fields__ if getattr(update, f) is not msgspec.UNSET}


def festival(row: dict, version: int) -> schemas.Festival:
    return schemas.Festival(
        id=row["id"],
        name=_pair(row, "name", schemas.Text),
        theme=_pair(row, "theme", schemas.Text),
        description=_pair(row, "description"),
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        timezone=row["timezone"],
        website=row["website"],
        sample_data_note=_pair(row, "sample_note"),
        version=version,
    )


def venue(row: dict) -> schemas.Venue:
    return schemas.Venue(
        id=row["id"],
        name=_pair(row, "name", schemas.Text),
        kind=row["kind"],
        district=row["district"],
        address=_pair(row, "address", schemas.AddressPair),
        lat=row["lat"],
        lon=row["lon"],
        opening_hours=msgspec.convert(_json(row["opening_hours"]), dict[schemas.Weekday, list[schemas.Window]]),
        festival_hours=msgspec.convert(_json(row["festival_hours"]), dict[Any, list[schemas.Window]], strict=False),
        capacity=row["capacity"],
        accessibility=_pair(row, "accessibility"),
        description=_pair(row, "description"),
        role=row["role"],
        sample=bool(row["sample"]),
    )


def event(row: dict) -> schemas.Event:
    return schemas.Event(
        id=row["id"],
        title=_pair(row, "title", schemas.Text),
        category=row["category"],
        venue_id=row["venue"],
        starts_at=_local(row["starts_at"]),
        ends_at=_local(row["ends_at"]),
        description=_pair(row, "description"),
        capacity=row["capacity"],
        tags=list(_json(row["tags"])),
        status=row["status"],
        sample=bool(row["sample"]),
        source=row["source"],
    )


def trail(row: dict) -> schemas.Trail:
    path = _json(row["path"])
    return schemas.Trail(
        id=row["id"],
        name=_pair(row, "name", schemas.Text),
        description=_pair(row, "description"),
        mode=row["mode"],
        duration_min=row["duration_min"],
        stops=list(_json(row["stops"])),
        path=[tuple(p) for p in path] if path else None,
    )


def announcement(row: dict) -> schemas.Announcement:
    return schemas.Announcement(
        id=row["id"],
        title=_pair(row, "title", schemas.Text),
        body=_pair(row, "body"),
        url=row["url"],
        published_at=_local(row["published_at"]),
        expires_at=_local(row["expires_at"]) if row["expires_at"] else None,
    )
