"""iCalendar and frab XML, read back by independent parsers."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import icalendar


async def test_programme_ics_is_valid_rfc5545(client):
    response = await client.get("/api/programme.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    text = response.text
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n")), "content lines fold at 75 octets"
    cal = icalendar.Calendar.from_ical(text)
    events = cal.walk("VEVENT")
    assert len(events) == len((await client.get("/api/events")).json())
    zones = cal.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Asia/Ho_Chi_Minh"]
    first = events[0]
    for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
        assert prop in first
    assert first["DTSTART"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert len({str(e["UID"]) for e in events}) == len(events)


async def test_one_event_ics(client):
    event = (await client.get("/api/events", params={"venue": "quang-truong-cmt8", "day": "2024-11-09"})).json()[0]
    response = await client.get(f"/api/events/{event['id']}.ics")
    assert response.status_code == 200
    cal = icalendar.Calendar.from_ical(response.text)
    [vevent] = cal.walk("VEVENT")
    assert str(vevent["UID"]) == f"{event['id']}@lehoi"
    start = vevent["DTSTART"].dt
    assert start.isoformat() == event["starts_at"]
    assert (await client.get("/api/events/nope.ics")).status_code == 404


async def test_frab_schedule_xml(client):
    response = await client.get("/api/schedule.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.tag == "schedule"
    conference = root.find("conference")
    assert conference.findtext("start") == "2024-11-09" and conference.findtext("days") == "9"
    assert conference.findtext("time_zone_name") == "Asia/Ho_Chi_Minh"
    days = root.findall("day")
    assert [d.get("date") for d in days] == [f"2024-11-{d:02d}" for d in range(9, 18)]
    events = root.findall("day/room/event")
    assert len(events) == len((await client.get("/api/events")).json())
    ids = [e.get("id") for e in events]
    assert len(set(ids)) == len(ids) and all(i.isdigit() for i in ids)
    for event in events:
        for tag in ("date", "start", "duration", "room", "title", "slug", "type"):
            assert event.findtext(tag), tag
        hours, minutes = event.findtext("duration").split(":")
        assert int(minutes) < 60 and int(hours) >= 0
