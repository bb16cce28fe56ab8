"""How full a venue is, and the check-in figures of the organisers' dashboard.

The occupancy model
-------------------
Gates scan people in and never out, so the count is an estimate: **the accepted check-ins of the last dwell
window**, where the window is the typical visit length of the venue's kind:

=============== ======= ===========================================================
kind            window  why
=============== ======= ===========================================================
garden          45 min  open-air installations seen in passing
heritage        60 min  an exhibition in a heritage building
creative_space  90 min  talks, workshops and exhibitions in one place
craft_village   120 min a village walk with workshops, far from the centre
=============== ======= ===========================================================

A person counts from their scan (its `scanned_at`) until the window has passed. Offline scans count from when
they were made, so a late upload adds only the part of its window still running. Scans uploaded by a revoked
device and rejected scans never count.

The level compares the count with the venue's capacity: below 50 % `low`, below 80 % `medium`, below 100 %
`high`, else `full`; a venue whose capacity is set refuses online check-ins with `capacity_full` at that point.
A venue without a capacity (gardens, villages, squares) is compared with a nominal figure for its kind instead
and is never `full`: it cannot refuse anyone, it can only look crowded.

Counts come from the database (one indexed range count), so every process agrees; each process keeps a count
for at most `CACHE_S` for the public occupancy endpoint, and refreshes it at once after its own check-ins.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from server.checkin.schemas import CheckinStats, Occupancy, StatsCounts, StatsRow
from server.checkin.tables import Scan
from server.clock import FESTIVAL_TZ
from server.db.times import day as as_day
from server.programme.schemas import Venue

DWELL_MIN: dict[str, int] = {"garden": 45, "heritage": 60, "creative_space": 90, "craft_village": 120}
DEFAULT_DWELL_MIN = 60
#: the yardstick of venues without a capacity
NOMINAL_CAPACITY: dict[str, int] = {"garden": 800, "heritage": 400, "creative_space": 400, "craft_village": 600}
LEVELS = ((0.5, "low"), (0.8, "medium"), (1.0, "high"))
CACHE_S = 2.0


def window(venue: Venue) -> timedelta:
    return timedelta(minutes=DWELL_MIN.get(venue.kind, DEFAULT_DWELL_MIN))


def level(count: int, venue: Venue) -> str:
    """low, medium, high or full for this many people at this venue."""
    yardstick = venue.capacity or NOMINAL_CAPACITY.get(venue.kind, 400)
    if yardstick <= 0:
        return "full" if venue.capacity is not None else "high"
    ratio = count / yardstick
    for bound, name in LEVELS:
        if ratio < bound:
            return name
    return "full" if venue.capacity is not None else "high"


def is_full(count: int, venue: Venue) -> bool:
    """Whether an online check-in must be refused with `capacity_full`."""
    return venue.capacity is not None and count >= venue.capacity


def occupancy(venue: Venue, count: int, now: datetime) -> Occupancy:
    return Occupancy(
        venue_id=venue.id,
        count=count,
        capacity=venue.capacity,
        level=level(count, venue),
        updated_at=now,
        window_min=int(window(venue).total_seconds() // 60),
    )


#: the count query, shared by the online check-in (inside its transaction) and the board
COUNT_SQL = "SELECT count(*) AS n FROM scan WHERE venue_id = {} AND status = 'accepted' AND scanned_at > {}"


async def count(venue: Venue, now: datetime) -> int:
    rows = await Scan.raw(COUNT_SQL, venue.id, now - window(venue))
    return int(rows[0]["n"])


@dataclass
class _Cached:
    count: int
    at: datetime
    stamp: float


class OccupancyBoard:
    """The per-process view of venue counts: fresh after local check-ins, at most CACHE_S old otherwise."""

    def __init__(self) -> None:
        self._counts: dict[str, _Cached] = {}

    async def get(self, venue: Venue, now: datetime) -> Occupancy:
        cached = self._counts.get(venue.id)
        if (
            cached is None
            or time.monotonic() - cached.stamp > CACHE_S
            or abs((now - cached.at).total_seconds()) > CACHE_S
        ):
            cached = self.put(venue.id, await count(venue, now), now)
        return occupancy(venue, cached.count, now)

    def put(self, venue_id: str, value: int, now: datetime) -> _Cached:
        cached = _Cached(value, now, time.monotonic())
        self._counts[venue_id] = cached
        return cached

    def forget(self, venue_ids: set[str]) -> None:
        for venue_id in venue_ids:
            self._counts.pop(venue_id, None)


def _flag(value: object) -> bool:
    return bool(value) and value not in ("0", b"0")


async def checkin_stats(
    by: str, day: date | None, venue_id: str | None, venues: dict[str, Venue], board: OccupancyBoard, now: datetime
) -> CheckinStats:
    """Accepted, rejected (by reason), offline, flagged and revoked-device scans per venue or per hour."""
    keys = "venue_id" if by == "venue" else "day, hour"
    flagged = "CASE WHEN conflict IS NULL THEN 0 ELSE 1 END"
    where, args = [], []
    if day is not None:
        where.append("day = {}")
        args.append(day)
    if venue_id is not None:
        where.append("venue_id = {}")
        args.append(venue_id)
    sql = (
        f"SELECT {keys}, status, reason, offline, {flagged} AS flagged, device_revoked, count(*) AS n FROM scan "
        f"{'WHERE ' + ' AND '.join(where) if where else ''} "
        f"GROUP BY {keys}, status, reason, offline, {flagged}, device_revoked"
    )
    rows = await Scan.raw(sql, *args)
    totals = StatsCounts(reasons={})
    by_key: dict[str, StatsCounts] = {}
    for row in rows:
        if by == "venue":
            key = row["venue_id"]
        else:
            start = datetime.combine(as_day(row["day"]), datetime.min.time(), FESTIVAL_TZ).replace(
                hour=int(row["hour"])
            )
            key = start.isoformat()
        counts = by_key.setdefault(key, StatsCounts(reasons={}))
        for target in (counts, totals):
            n = int(row["n"])
            if row["status"] == "accepted":
                target.accepted += n
            else:
                target.rejected += n
                reason = row["reason"] or "unknown"
                target.reasons[reason] = target.reasons.get(reason, 0) + n
            target.offline += n if _flag(row["offline"]) else 0
            target.flagged += n if _flag(row["flagged"]) else 0
            target.device_revoked += n if _flag(row["device_revoked"]) else 0
    result = []
    for key in sorted(by_key):
        live = None
        if by == "venue" and key in venues:
            live = await board.get(venues[key], now)
        result.append(StatsRow(key=key, counts=by_key[key], occupancy=live))
    return CheckinStats(by=by, day=day, venue_id=venue_id, generated_at=now, totals=totals, rows=result)
