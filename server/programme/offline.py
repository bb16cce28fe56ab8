"""The programme's part of what phones keep offline: its share of the bundle and its change-feed records."""

from __future__ import annotations

from typing import Any

from server.programme.snapshot import Snapshot


async def bundle_part(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "festival": snapshot.festival,
        "venues": list(snapshot.venues.values()),
        "events": snapshot.events,
        "trails": list(snapshot.trails.values()),
        "announcements": snapshot.announcements,
    }


def _pick(held: dict[str, Any], ids: list[str]) -> dict[str, Any]:
    return {record_id: held[record_id] for record_id in ids if record_id in held}


async def _festival(snapshot: Snapshot, ids: list[str]) -> dict[str, Any]:
    festival = snapshot.festival
    return _pick({festival.id: festival} if festival is not None else {}, ids)


async def _venues(snapshot: Snapshot, ids: list[str]) -> dict[str, Any]:
    return _pick(snapshot.venues, ids)


async def _events(snapshot: Snapshot, ids: list[str]) -> dict[str, Any]:
    return _pick(snapshot.events_by_id, ids)


async def _trails(snapshot: Snapshot, ids: list[str]) -> dict[str, Any]:
    return _pick(snapshot.trails, ids)


async def _announcements(snapshot: Snapshot, ids: list[str]) -> dict[str, Any]:
    return _pick({a.id: a for a in snapshot.announcements}, ids)


#: the change feed's programme kinds (the change-log triggers log them), read from the snapshot
FEED_RECORDS = {
    "festival": _festival,
    "venue": _venues,
    "event": _events,
    "trail": _trails,
    "announcement": _announcements,
}
