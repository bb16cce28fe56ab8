"""The programme in other people's formats: iCalendar (RFC 5545) and frab schedule XML."""

from __future__ import annotations

import uuid
import zlib
from datetime import datetime, timedelta
from xml.etree import ElementTree as ET

import icalendar

from server.clock import FESTIVAL_TZ
from server.programme import schemas
from server.programme.snapshot import Snapshot

_NAMESPACE = uuid.UUID("6f1c3d2e-9b1a-4f57-8d8e-4c0a1e2b3c4d")
PRODID = "-//lehoi//festival companion//EN"


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


def calendar(snapshot: Snapshot, events: list[schemas.Event], stamp: datetime, base_url: str) -> bytes:
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


def _hhmm(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def frab_id(event_id: str) -> int:
    """frab wants integer ids; a stable hash of the slug keeps them from moving between versions."""
    return zlib.crc32(event_id.encode()) & 0x7FFFFFFF


def schedule_xml(snapshot: Snapshot, base_url: str) -> bytes:
    """The frab schedule format read by Giggity and EventFahrplan: days → rooms (venues) → events."""
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", name="lehoi")
    ET.SubElement(root, "version").text = str(snapshot.version)
    fest = snapshot.festival
    conf = ET.SubElement(root, "conference")
    if fest:
        ET.SubElement(conf, "acronym").text = fest.id
        ET.SubElement(conf, "title").text = fest.name.en
        ET.SubElement(conf, "start").text = fest.starts_on.isoformat()
        ET.SubElement(conf, "end").text = fest.ends_on.isoformat()
        ET.SubElement(conf, "days").text = str((fest.ends_on - fest.starts_on).days + 1)
        ET.SubElement(conf, "time_zone_name").text = fest.timezone
        ET.SubElement(conf, "url").text = base_url
    ET.SubElement(conf, "timeslot_duration").text = "00:15"
    by_day: dict = {}
    for event in snapshot.events:
        local = event.starts_at.astimezone(FESTIVAL_TZ)
        by_day.setdefault(local.date(), {}).setdefault(event.venue_id, []).append(event)
    for index, day in enumerate(sorted(by_day), start=1):
        start = datetime.combine(day, datetime.min.time(), FESTIVAL_TZ)
        day_el = ET.SubElement(
            root, "day", index=str(index), date=day.isoformat(),
            start=start.isoformat(), end=(start + timedelta(days=1, seconds=-1)).isoformat(),
        )
        for venue_id in sorted(by_day[day]):
            venue = snapshot.venues.get(venue_id)
            room_name = venue.name.en if venue else venue_id
            room = ET.SubElement(day_el, "room", name=room_name, guid=str(uuid.uuid5(_NAMESPACE, venue_id)))
            for event in by_day[day][venue_id]:
                local = event.starts_at.astimezone(FESTIVAL_TZ)
                el = ET.SubElement(room, "event", guid=str(uuid.uuid5(_NAMESPACE, event.id)), id=str(frab_id(event.id)))
                for tag, value in (
                    ("date", local.isoformat()),
                    ("start", local.strftime("%H:%M")),
                    ("duration", _hhmm(event.ends_at - event.starts_at)),
                    ("room", room_name),
                    ("slug", event.id),
                    ("url", f"{base_url}/#/events/{event.id}"),
                    ("title", event.title.en),
                    ("subtitle", event.title.vi),
                    ("track", event.category),
                    ("type", event.category),
                    ("language", "vi"),
                    ("abstract", event.description.en),
                    ("description", event.description.vi),
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
            "properties": {"id": v.id, "name": v.name, "kind": v.kind, "district": v.district,
                           "capacity": v.capacity},
        }
        for v in venues
    ]
    collection: dict = {"type": "FeatureCollection", "features": features}
    if venues:
        lons = [round(v.lon, 6) for v in venues]
        lats = [round(v.lat, 6) for v in venues]
        collection["bbox"] = [min(lons), min(lats), max(lons), max(lats)]
    return collection
