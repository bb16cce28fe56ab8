"""A venue's opening windows on given days, as the planner wants them.

A venue's `opening_hours` give its week (`{"mon": [["08:00", "17:00"]]}`, a weekday it does not list is
closed) and its `festival_hours` override whole days (`{"2024-11-12": [["08:00", "22:00"]]}`; an empty
list closes that day). Times are festival-local wall clock; `24:00` is the next midnight.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from server.wayfinding.travel import FESTIVAL_TZ

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

Window = tuple[datetime, datetime]


def hours_on(opening_hours: Mapping[str, Sequence[Sequence[str]]], festival_hours: Mapping[Any, Any], day: date):
    """The [open, close] pairs ("HH:MM") that hold on `day`: the festival override if the day has one."""
    for key in (day, day.isoformat()):
        if key in festival_hours:
            return festival_hours[key]
    return opening_hours.get(WEEKDAYS[day.weekday()], ())


def windows_on(
    opening_hours: Mapping[str, Sequence[Sequence[str]]], festival_hours: Mapping[Any, Any], days: Iterable[date]
) -> tuple[Window, ...]:
    """Opening windows on `days` as aware datetimes in the festival's zone, in order; windows that touch
    (a garden open 00:00–24:00 two days running) are merged into one."""
    spans = sorted(
        (_at(day, opens), _at(day, closes))
        for day in set(days)
        for opens, closes in hours_on(opening_hours, festival_hours, day)
    )
    windows: list[Window] = []
    for start, end in spans:
        if end <= start:
            continue
        if windows and windows[-1][1] >= start:
            windows[-1] = (windows[-1][0], max(windows[-1][1], end))
        else:
            windows.append((start, end))
    return tuple(windows)


def plan_days(start_at: datetime, end_at: datetime | None, most: int = 3) -> list[date]:
    """The festival-local days a plan spans: the start's day through the end's, at most `most` days."""
    first = start_at.astimezone(FESTIVAL_TZ).date()
    last = end_at.astimezone(FESTIVAL_TZ).date() if end_at else first
    count = max(1, min((last - first).days + 1, most))
    return [first + timedelta(days=i) for i in range(count)]


def _at(day: date, clock: str) -> datetime:
    hours, minutes = (int(part) for part in clock.split(":"))
    return datetime.combine(day, time(0), FESTIVAL_TZ) + timedelta(hours=hours, minutes=minutes)
