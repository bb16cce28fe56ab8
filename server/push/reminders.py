"""Reminders before favourited events, through the same delivery rows as organisers' alerts.

A reminder is an Alert row of kind ``reminder`` per (event, event start, minutes before): its id is derived from
the three, so every worker computes the same one and a rescan adds only what is missing. A device gets a
reminder when it is subscribed, has favourited the event, and has ``reminder_minutes`` > 0 (0 turns reminders
off), from ``starts_at − reminder_minutes`` until the event starts; a favourite made inside that window is
reminded at the next scan. So

* a cancelled event gets no reminder (only ``scheduled`` events are scanned), and a reminder still queued when
  its event is cancelled, moved or deleted is withdrawn (failed, with the reason);
* a moved event gets a new reminder at its new time (its start is part of the id); the Topic header is the same
  for every reminder of one event, so a push service holding a stale one for an offline phone replaces it;
* the text carries both languages; the service worker shows the device's (the payload's ``lang``).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from piccolo.engine.base import Engine

from server.clock import FESTIVAL_TZ
from server.db.transactions import write_transaction
from server.programme.tables import Event
from server.push import store
from server.push.tables import Alert


def reminder_id(event_id: str, starts_at: datetime, minutes: int) -> str:
    key = f"{event_id}|{store.ms(starts_at)}|{minutes}".encode()
    return "reminder-" + hashlib.sha256(key).hexdigest()[:20]


def reminder_topic(event_id: str) -> str:
    """The Topic header of an event's reminders (RFC 8030: at most 32 base64url characters)."""
    return "r" + hashlib.sha256(event_id.encode()).hexdigest()[:24]


def _texts(event: dict) -> dict[str, str]:
    at = event["starts_at"].astimezone(FESTIVAL_TZ).strftime("%H:%M")
    return {
        "title_vi": event["title_vi"][:200],
        "title_en": event["title_en"][:200],
        "body_vi": f"Bắt đầu lúc {at} tại {event['venue.name_vi']}",
        "body_en": f"Starts at {at} at {event['venue.name_en']}",
    }


async def scan(engine: Engine, now: datetime) -> int:
    """Create due reminders and their missing deliveries, withdraw stale ones; returns reminders touched."""
    now_ms = store.ms(now)
    touched = 0
    settings = await store.raw(
        "SELECT DISTINCT d.reminder_minutes AS m FROM push_subscription s JOIN device d ON d.id = s.device "
        "WHERE d.reminder_minutes > 0"
    )
    minutes = sorted(int(r["m"]) for r in settings)
    if minutes:
        events = await Event.select(
            Event.id, Event.title_vi, Event.title_en, Event.starts_at, Event.venue.name_vi, Event.venue.name_en
        ).where(
            (Event.status == "scheduled")
            & (Event.starts_at > now)
            & (Event.starts_at <= now + timedelta(minutes=minutes[-1]))
        )
        for event in events:
            for m in minutes:
                if event["starts_at"] - timedelta(minutes=m) > now:
                    continue
                rid = reminder_id(event["id"], event["starts_at"], m)
                if not await store.missing_reminder_recipient(rid, event["id"], m):
                    continue
                async with write_transaction(engine):
                    await Alert.insert(
                        Alert(
                            id=rid,
                            kind="reminder",
                            **_texts(event),
                            url=f"/#/events/{event['id']}",
                            target={"events": [event["id"]]},
                            urgency="normal",
                            ttl=max(60, int((event["starts_at"] - now).total_seconds())),
                            send_at=event["starts_at"] - timedelta(minutes=m),
                            created_at=now,
                            fanned_out_at=now,
                            expires_ms=store.ms(event["starts_at"]),
                            event_id=event["id"],
                            event_starts_at=event["starts_at"],
                            reminder_minutes=m,
                        )
                    ).on_conflict(action="DO NOTHING")
                    await store.insert_reminder_deliveries(rid, event["id"], m, now_ms)
                touched += 1
    touched += await withdraw_stale(engine, now_ms)
    return touched


async def withdraw_stale(engine: Engine, now_ms: int) -> int:
    """Queued reminders of events since cancelled, moved or deleted: failed, with the reason."""
    stale = await store.raw(
        "SELECT a.id, e.id AS event, e.status FROM push_alert a LEFT JOIN event e ON e.id = a.event_id "
        "WHERE a.kind = 'reminder' AND a.expires_ms > {} "
        "AND (e.id IS NULL OR e.status <> 'scheduled' OR e.starts_at <> a.event_starts_at) "
        "AND EXISTS (SELECT 1 FROM push_delivery d WHERE d.alert = a.id AND d.status = 'queued')",
        now_ms,
    )
    for row in stale:
        reason = (
            "event deleted"
            if row["event"] is None
            else "event cancelled"
            if row["status"] != "scheduled"
            else "event moved"
        )
        async with write_transaction(engine):
            await store.raw(
                "UPDATE push_delivery SET status = 'failed', reason = {}, done_ms = {}, lease_owner = NULL "
                "WHERE alert = {} AND status = 'queued'",
                reason,
                now_ms,
                row["id"],
            )
    return len(stale)
