"""The festival programme: festival, venues, events, trails and announcements.

Bilingual texts are column pairs (`*_vi`, `*_en`) so that /admin edits them as plain fields.
"""

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class Festival(Table):
    id = Varchar(length=64, primary_key=True)
    name_vi = Varchar(length=200)
    name_en = Varchar(length=200)
    theme_vi = Varchar(length=200)
    theme_en = Varchar(length=200)
    description_vi = Text()
    description_en = Text()
    starts_on = Date()
    ends_on = Date()
    timezone = Varchar(length=64, default="Asia/Ho_Chi_Minh")
    website = Varchar(length=300, default="")
    sample_note_vi = Text(default="")
    sample_note_en = Text(default="")


class Venue(Table):
    id = Varchar(length=64, primary_key=True)
    name_vi = Varchar(length=200)
    name_en = Varchar(length=200)
    kind = Varchar(length=32, index=True)
    district = Varchar(length=100, default="")
    address_vi = Varchar(length=300, default="")
    address_en = Varchar(length=300, default="")
    lat = DoublePrecision()
    lon = DoublePrecision()
    #: {"mon": [["08:00", "17:00"]], …}; a missing day is closed.
    opening_hours = JSON(default={})
    #: {"2024-11-09": [["08:00", "22:00"]], …}; replaces the weekly hours on that date.
    festival_hours = JSON(default={})
    capacity = Integer(null=True, default=None)
    accessibility_vi = Text(default="")
    accessibility_en = Text(default="")
    description_vi = Text(default="")
    description_en = Text(default="")
    role = Varchar(length=32, default="")
    sample = Boolean(default=True)


class Event(Table):
    id = Varchar(length=64, primary_key=True)
    title_vi = Varchar(length=300)
    title_en = Varchar(length=300)
    category = Varchar(length=32, index=True)
    venue = ForeignKey(references=Venue, null=False, index=True, on_delete=OnDelete.restrict)
    starts_at = Timestamptz(index=True, index_method=IndexMethod.btree)
    ends_at = Timestamptz()
    description_vi = Text(default="")
    description_en = Text(default="")
    capacity = Integer(null=True, default=None)
    tags = JSON(default=[])
    #: scheduled or cancelled; a cancelled event stays listed so phones can show it struck out.
    status = Varchar(length=16, default="scheduled")
    sample = Boolean(default=True)
    source = Varchar(length=300, null=True, default=None)


class Trail(Table):
    id = Varchar(length=64, primary_key=True)
    name_vi = Varchar(length=200)
    name_en = Varchar(length=200)
    description_vi = Text(default="")
    description_en = Text(default="")
    mode = Varchar(length=16, default="walk")
    duration_min = Integer(default=60)
    #: ordered venue ids
    stops = JSON(default=[])
    #: drawn path as [[lon, lat], …], or null for straight legs
    path = JSON(null=True, default=None)


class Announcement(Table):
    id = Varchar(length=64, primary_key=True)
    title_vi = Varchar(length=200)
    title_en = Varchar(length=200)
    body_vi = Text(default="")
    body_en = Text(default="")
    url = Varchar(length=300, default="")
    published_at = Timestamptz()
    expires_at = Timestamptz(null=True, default=None)
