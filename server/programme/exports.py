"""The programme in other people's formats: iCalendar (RFC 5545) and frab schedule XML."""

from __future__ import annotations

import asyncio
import re
import uuid
import zlib
from datetime import datetime, timedelta
from functools import partial
from xml.etree import ElementTree as ET

import icalendar
import msgspec

from server.apart import in_build_process
from server.clock import FESTIVAL_TZ, Clock
from server.programme import schemas
from server.programme.search import fold
from server.programme.snapshot import Snapshot
from server.syncing.latest import Latest

_NAMESPACE = uuid.UUID("6f1c3d2e-9b1a-4f57-8d8e-4c0a1e2b3c4d")
PRODID = "-//lehoi//festival companion//EN"
_json = msgspec.json.Encoder()


def _both(text: schemas.Text | schemas.LongTextPair) -> str:
    if not text.vi or text.vi == text.en:
        return text.en
    return f"{text.vi}\n\n{text.en}" if text.en else text.vi


def _vevent(event: schemas.Event, venue: schemas.Venue | None, stamp: datetime, base_url: str) -> icalendar.Event:
    item = icalendar.Event()
    item.add("uid", f"{event.id}@lehoi")
    item.add("dtstamp", stamp)
    item.add("dtstart", event.starts_at.astimezone(FESTIVAL_TZ))
    item.add("dtend", event.ends_at.astimezone(FESTIVAL_TZ))
    item.add("summary", f"{event.title.vi} / {event.title.en}" if event.title.vi != event.title.en else event.title.en)
    item.add("description", _both(event.description))
    item.add("categories", [event.category])
    item.add("url", f"{base_url}/#/events/{event.id}")
    item.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
    if venue:
        item.add("location", f"{venue.name.vi}, {venue.address.vi or venue.district}")
        item.add("geo", (venue.lat, venue.lon))
    return item


class Programme(msgspec.Struct, frozen=True):
    """What the whole-programme exports read of a snapshot: handed to the build process as JSON."""

    version: int
    festival: schemas.Festival | None
    venues: dict[str, schemas.Venue]
    events: list[schemas.Event]


def calendar(snapshot: Snapshot | Programme, events: list[schemas.Event], stamp: datetime, base_url: str) -> bytes:
    """A VCALENDAR with one VEVENT per event and the festival zone's VTIMEZONE."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if snapshot.festival:
        cal.add("x-wr-calname", snapshot.festival.name.en)
    cal.add("x-wr-timezone", str(FESTIVAL_TZ))
    for event in events:
        cal.add_component(_vevent(event, snapshot.venues.get(event.venue_id), stamp, base_url))
    cal.add_missing_timezones()
    return cal.to_ical()


#: frab durations are HH:MM and the c3voc XSD allows two digits of hours; a longer event (a week-long
#: exhibition) is written as the longest duration the format holds, its page has the real end.
_LONGEST = timedelta(hours=99, minutes=59)
#: characters XML 1.0 cannot carry at all; a stray control character in a title would make the file unreadable
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: enough of the title to recognise the event in a file name or a URL
_SLUG_TITLE_MAX = 48


def _hhmm(delta: timedelta) -> str:
    minutes = int(min(delta, _LONGEST).total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def frab_id(event_id: str) -> int:
    """frab wants positive integer ids; a stable hash of the event id keeps them from moving between versions."""
    return zlib.crc32(event_id.encode()) & 0x7FFFFFFF or 0x7FFFFFFF


def frab_acronym(festival: schemas.Festival | None) -> str:
    """The festival id as a c3voc acronym: lowercase ascii letters, digits, `-` and `_`, at least four of them."""
    return ("-".join(fold(festival.id).split()) if festival else "lehoi").ljust(4, "_")


def frab_slug(acronym: str, event: schemas.Event) -> str:
    """`<acronym>-<event id>-<title>` as frab writes them, within the c3voc slug pattern.

    The pattern wants at least four of [a-z0-9_] before the first hyphen, so the acronym's hyphens become `_`. The
    title part is folded to ascii words joined by `_`: having no hyphen, it leaves the event id readable between
    the first and the last hyphen, so slugs are as unique as event ids (which are already lowercase ascii).
    """
    title = "_".join(fold(event.title.en)[:_SLUG_TITLE_MAX].split()) or "event"
    return f"{acronym.replace('-', '_')}-{f'{event.id}-{title}'.ljust(4, '_')}"


def schedule_xml(snapshot: Snapshot | Programme, base_url: str) -> bytes:
    """The frab schedule format read by Giggity and EventFahrplan: days → rooms (venues) → events.

    It follows the c3voc schedule XSD (tests/data/schedule.xml.xsd) that frab and pretalx write to.
    """
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", name="lehoi")
    ET.SubElement(root, "url").text = f"{base_url}/api/schedule.xml"
    ET.SubElement(root, "version").text = str(snapshot.version)
    fest = snapshot.festival
    acronym = frab_acronym(fest)
    conf = ET.SubElement(root, "conference")
    ET.SubElement(conf, "acronym").text = acronym
    if fest:
        ET.SubElement(conf, "title").text = _xml_text(fest.name.en)
        ET.SubElement(conf, "start").text = fest.starts_on.isoformat()
        ET.SubElement(conf, "end").text = fest.ends_on.isoformat()
        ET.SubElement(conf, "days").text = str((fest.ends_on - fest.starts_on).days + 1)
        ET.SubElement(conf, "time_zone_name").text = fest.timezone
        if fest.website.startswith(("https://", "http://")):
            ET.SubElement(conf, "url").text = fest.website
    ET.SubElement(conf, "base_url").text = f"{base_url}/"
    ET.SubElement(conf, "timeslot_duration").text = "00:15"
    # every festival day gets its <day>, with or without events: the XSD wants at least one, apps count them
    by_day: dict = {}
    if fest:
        for offset in range((fest.ends_on - fest.starts_on).days + 1):
            by_day[fest.starts_on + timedelta(days=offset)] = {}
    for event in snapshot.events:
        local = event.starts_at.astimezone(FESTIVAL_TZ)
        by_day.setdefault(local.date(), {}).setdefault(event.venue_id, []).append(event)
    for index, day in enumerate(sorted(by_day), start=1):
        start = datetime.combine(day, datetime.min.time(), FESTIVAL_TZ)
        day_el = ET.SubElement(
            root,
            "day",
            index=str(index),
            date=day.isoformat(),
            start=start.isoformat(),
            end=(start + timedelta(days=1, seconds=-1)).isoformat(),
        )
        for venue_id in sorted(by_day[day]):
            venue = snapshot.venues.get(venue_id)
            room_name = _xml_text(venue.name.en if venue else venue_id)
            room = ET.SubElement(day_el, "room", name=room_name, guid=str(uuid.uuid5(_NAMESPACE, venue_id)))
            for event in by_day[day][venue_id]:
                local = event.starts_at.astimezone(FESTIVAL_TZ)
                el = ET.SubElement(room, "event", guid=str(uuid.uuid5(_NAMESPACE, event.id)), id=str(frab_id(event.id)))
                for tag, value in (
                    ("date", local.isoformat()),
                    ("start", local.strftime("%H:%M")),
                    ("duration", _hhmm(event.ends_at - event.starts_at)),
                    ("room", room_name),
                    ("slug", frab_slug(acronym, event)),
                    ("url", f"{base_url}/#/events/{event.id}"),
                    ("title", _xml_text(event.title.en)),
                    ("subtitle", _xml_text(event.title.vi)),
                    ("track", event.category),
                    ("type", event.category),
                    ("language", "vi"),
                    ("abstract", _xml_text(event.description.en)),
                    ("description", _xml_text(event.description.vi)),
                ):
                    ET.SubElement(el, tag).text = value
                ET.SubElement(el, "persons")
                ET.SubElement(el, "links")
                ET.SubElement(el, "attachments")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")).encode()


def venues_geojson(venues: list[schemas.Venue]) -> dict:
    """RFC 7946: [lon, lat] at most 6 decimals, a bbox, no crs."""
    features = [
        {
            "type": "Feature",
            "id": v.id,
            "geometry": {"type": "Point", "coordinates": [round(v.lon, 6), round(v.lat, 6)]},
            "properties": {"id": v.id, "name": v.name, "kind": v.kind, "district": v.district, "capacity": v.capacity},
        }
        for v in venues
    ]
    collection: dict = {"type": "FeatureCollection", "features": features}
    if venues:
        lons = [round(v.lon, 6) for v in venues]
        lats = [round(v.lat, 6) for v in venues]
        collection["bbox"] = [min(lons), min(lats), max(lons), max(lats)]
    return collection


def _built_apart(kind: str, programme: bytes, stamp: datetime, base_url: str) -> bytes:
    """`calendar` or `schedule_xml` of a `Programme`'s JSON: what the build process runs."""
    snapshot = msgspec.json.decode(programme, type=Programme)
    if kind == "programme.ics":
        return calendar(snapshot, snapshot.events, stamp, base_url)
    return schedule_xml(snapshot, base_url)


class Exports:
    """The whole-programme exports of one process, each built once per programme version and kept
    (server/syncing/latest.py): the previous version's file is served while the next one builds. The calendar and
    the frab XML are pure Python (over a second of CPU for a city-sized calendar), so they are built in the build
    process; the GeoJSON is msgspec's work, in a thread. A file is stamped (iCalendar's DTSTAMP) with the instant
    its version was exported."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._kept: dict[tuple[str, str], Latest[bytes]] = {}

    async def calendar(self, snapshot: Snapshot, base_url: str) -> bytes:
        """`calendar` of every event."""
        return await self._get("programme.ics", base_url, snapshot)

    async def schedule_xml(self, snapshot: Snapshot, base_url: str) -> bytes:
        """`schedule_xml`."""
        return await self._get("schedule.xml", base_url, snapshot)

    async def venues_geojson(self, snapshot: Snapshot) -> bytes:
        """`venues_geojson` of every venue, as JSON."""
        return await self._get("venues.geojson", "", snapshot)

    async def _get(self, kind: str, base_url: str, snapshot: Snapshot) -> bytes:
        latest = self._kept.get((kind, base_url))
        if latest is None:
            # the base URL is the request's (a proxy's host): one file per address the programme is asked at
            latest = self._kept[(kind, base_url)] = Latest(partial(self._build, kind, base_url), kind)
        return await latest.get(snapshot)

    async def _build(self, kind: str, base_url: str, snapshot: Snapshot) -> bytes:
        if kind == "venues.geojson":
            return await asyncio.to_thread(lambda: _json.encode(venues_geojson(list(snapshot.venues.values()))))
        programme = await asyncio.to_thread(
            snapshot.encoded,
            Programme,
            lambda: Programme(snapshot.version, snapshot.festival, snapshot.venues, snapshot.events),
        )
        return await in_build_process(_built_apart, kind, programme, self._clock.now(), base_url)
