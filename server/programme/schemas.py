"""Wire types of the programme: what the API sends and accepts (msgspec, no per-request reflection)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct

from sync.messages import PLAIN, Instant, Slug

#: a name or a title: as long as the shortest column one is kept in (a venue's or a trail's name, 200)
ShortText = Annotated[str, Meta(min_length=1, max_length=200), PLAIN]
LongText = Annotated[str, Meta(max_length=5000), PLAIN]
Clock24 = Annotated[str, Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$", description="HH:MM")]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
VenueKind = Literal["heritage", "craft_village", "creative_space", "garden"]
Mode = Literal["walk", "bicycle", "motorbike", "car", "bus"]
EventStatus = Literal["scheduled", "cancelled"]
Category = Annotated[str, Meta(pattern=r"^[a-z][a-z_-]{1,31}$")]
Tag = Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")]
Lat = Annotated[float, Meta(ge=-90, le=90)]
Lon = Annotated[float, Meta(ge=-180, le=180)]
Capacity = Annotated[int, Meta(ge=0, le=1_000_000)]
Window = tuple[Clock24, Clock24]
#: a venue's hours as organisers write them: a few windows a day, every weekday, every day of a year
OpeningHours = Annotated[dict[Weekday, Annotated[list[Window], Meta(max_length=8)]], Meta(max_length=7)]
#: (msgspec's schema leaves a date key's format out: stated here, so a client knows the keys are dates)
FestivalHours = Annotated[
    dict[date, Annotated[list[Window], Meta(max_length=8)]],
    Meta(max_length=366, extra_json_schema={"propertyNames": {"type": "string", "format": "date"}}),
]


class Text(Struct, frozen=True):
    """A user-facing text in both languages."""

    vi: ShortText
    en: ShortText


class LongTextPair(Struct, frozen=True):
    vi: LongText = ""
    en: LongText = ""


class AddressPair(LongTextPair, frozen=True):
    """A venue's address in both languages, as long as its columns hold."""

    vi: Annotated[str, Meta(max_length=300), PLAIN] = ""
    en: Annotated[str, Meta(max_length=300), PLAIN] = ""


class Festival(Struct, frozen=True):
    id: str
    name: Text
    theme: Text
    description: LongTextPair
    starts_on: date
    ends_on: date
    timezone: str
    website: str
    sample_data_note: LongTextPair
    version: int


class Venue(Struct, frozen=True):
    id: str
    name: Text
    kind: VenueKind
    district: str
    address: AddressPair
    lat: float
    lon: float
    opening_hours: dict[Weekday, list[Window]]
    festival_hours: dict[date, list[Window]]
    capacity: int | None
    accessibility: LongTextPair
    description: LongTextPair
    role: str
    sample: bool


class Event(Struct, frozen=True):
    id: str
    title: Text
    category: str
    venue_id: str
    starts_at: datetime
    ends_at: datetime
    description: LongTextPair
    capacity: int | None
    tags: list[str]
    status: EventStatus
    sample: bool
    source: str | None = None


class Trail(Struct, frozen=True):
    id: str
    name: Text
    description: LongTextPair
    mode: Mode
    duration_min: int
    stops: list[str]
    path: list[tuple[float, float]] | None


class Announcement(Struct, frozen=True):
    id: str
    title: Text
    body: LongTextPair
    url: str
    published_at: datetime
    expires_at: datetime | None


class SearchHit(Struct, frozen=True):
    type: Literal["venue", "event"]
    id: str
    score: float
    venue: Venue | None = None
    event: Event | None = None


class SearchResults(Struct, frozen=True):
    q: str
    results: list[SearchHit]


# --- writes (organisers) ---------------------------------------------------------------------


class VenueCreate(Struct, kw_only=True, forbid_unknown_fields=True):
    id: Slug
    name: Text
    kind: VenueKind
    lat: Lat
    lon: Lon
    district: Annotated[str, Meta(max_length=100), PLAIN] = ""
    address: AddressPair = AddressPair()
    opening_hours: OpeningHours = {}
    festival_hours: FestivalHours = {}
    capacity: Capacity | None = None
    accessibility: LongTextPair = LongTextPair()
    description: LongTextPair = LongTextPair()
    role: Annotated[str, Meta(max_length=32), PLAIN] = ""
    sample: bool = False


class VenueUpdate(Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    name: Text | msgspec.UnsetType = msgspec.UNSET
    kind: VenueKind | msgspec.UnsetType = msgspec.UNSET
    lat: Lat | msgspec.UnsetType = msgspec.UNSET
    lon: Lon | msgspec.UnsetType = msgspec.UNSET
    district: Annotated[str, Meta(max_length=100), PLAIN] | msgspec.UnsetType = msgspec.UNSET
    address: AddressPair | msgspec.UnsetType = msgspec.UNSET
    opening_hours: OpeningHours | msgspec.UnsetType = msgspec.UNSET
    festival_hours: FestivalHours | msgspec.UnsetType = msgspec.UNSET
    capacity: Capacity | None | msgspec.UnsetType = msgspec.UNSET
    accessibility: LongTextPair | msgspec.UnsetType = msgspec.UNSET
    description: LongTextPair | msgspec.UnsetType = msgspec.UNSET
    role: Annotated[str, Meta(max_length=32), PLAIN] | msgspec.UnsetType = msgspec.UNSET
    sample: bool | msgspec.UnsetType = msgspec.UNSET


class EventCreate(Struct, kw_only=True, forbid_unknown_fields=True):
    #: omitted: the server makes one from the Vietnamese title, unique among events (`vuon-thu`, `vuon-thu-2`, …)
    id: Slug | None = None
    title: Text
    category: Category
    venue_id: Slug
    starts_at: Instant
    ends_at: Instant
    description: LongTextPair = LongTextPair()
    capacity: Capacity | None = None
    tags: Annotated[list[Tag], Meta(max_length=20)] = []
    status: EventStatus = "scheduled"
    sample: bool = False
    source: Annotated[str, Meta(max_length=300), PLAIN] | None = None


class EventUpdate(Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    title: Text | msgspec.UnsetType = msgspec.UNSET
    category: Category | msgspec.UnsetType = msgspec.UNSET
    venue_id: Slug | msgspec.UnsetType = msgspec.UNSET
    starts_at: Instant | msgspec.UnsetType = msgspec.UNSET
    ends_at: Instant | msgspec.UnsetType = msgspec.UNSET
    description: LongTextPair | msgspec.UnsetType = msgspec.UNSET
    capacity: Capacity | None | msgspec.UnsetType = msgspec.UNSET
    tags: Annotated[list[Tag], Meta(max_length=20)] | msgspec.UnsetType = msgspec.UNSET
    status: EventStatus | msgspec.UnsetType = msgspec.UNSET
    sample: bool | msgspec.UnsetType = msgspec.UNSET
    source: Annotated[str, Meta(max_length=300), PLAIN] | None | msgspec.UnsetType = msgspec.UNSET


class TrailCreate(Struct, kw_only=True, forbid_unknown_fields=True):
    id: Slug
    name: Text
    mode: Mode
    duration_min: Annotated[int, Meta(ge=1, le=24 * 60)]
    stops: Annotated[list[Slug], Meta(min_length=2, max_length=50)]
    description: LongTextPair = LongTextPair()
    path: Annotated[list[tuple[Lon, Lat]], Meta(min_length=2, max_length=5000)] | None = None


class TrailUpdate(Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    name: Text | msgspec.UnsetType = msgspec.UNSET
    mode: Mode | msgspec.UnsetType = msgspec.UNSET
    duration_min: Annotated[int, Meta(ge=1, le=24 * 60)] | msgspec.UnsetType = msgspec.UNSET
    stops: Annotated[list[Slug], Meta(min_length=2, max_length=50)] | msgspec.UnsetType = msgspec.UNSET
    description: LongTextPair | msgspec.UnsetType = msgspec.UNSET
    path: Annotated[list[tuple[Lon, Lat]], Meta(min_length=2, max_length=5000)] | None | msgspec.UnsetType = (
        msgspec.UNSET
    )
