"""The one clock every "now" in lehoi reads, so the 2024 festival can run as if live."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

FESTIVAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ShiftedClock:
    """Reads `start` at the real instant `since` (Unix seconds; default: when made) and runs at real speed from
    there (a live-looking demo). Processes given the same `since` read the same time, wherever they started."""

    def __init__(self, start: datetime, since: float | None = None) -> None:
        self._start = start.astimezone(UTC)
        self._since = time.time() if since is None else since

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.time() - self._since)


class FixedClock:
    """Stands still until moved: for tests and reproducible demos."""

    def __init__(self, at: datetime) -> None:
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at.astimezone(UTC)

    def advance(self, **delta: float) -> None:
        self._at += timedelta(**delta)


def wall_seconds() -> float:
    """The machine's real time in Unix seconds, for what other parties judge by their own clocks: a push service
    checks a VAPID token's `exp` and dates a Retry-After by the real time, whatever festival time lehoi runs at."""
    return time.time()


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant; without an offset it is read in the festival's zone."""
    at = datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=FESTIVAL_TZ)


def clock_from_setting(value: str) -> Clock:
    """`""` → system clock; `2024-11-12T10:00+07:00` → runs from then; `fixed:…` → frozen there;
    `2024-11-12T10:00+07:00@2026-12-07T22:00Z` → read 10:00 at that real instant (see `anchored`).
    A value that is none of these raises ValueError."""
    if not value:
        return SystemClock()
    if value.startswith("fixed:"):
        return FixedClock(parse_instant(value.removeprefix("fixed:")))
    start, _, since = value.partition("@")
    return ShiftedClock(parse_instant(start), parse_instant(since).timestamp() if since else None)


def anchored(value: str) -> str:
    """The setting with a running clock pinned to the real instant of this call: a server's worker processes, and
    hosts or `lehoi worker`s given the result, then read one festival time instead of each its own (a clock that
    starts with each process drifts by its start-up: a reminder due twice, a lease read wrongly). A setting that
    is checked here: ValueError when it is not one `clock_from_setting` takes."""
    clock_from_setting(value)
    if not value or value.startswith("fixed:") or "@" in value:
        return value
    return f"{value}@{datetime.fromtimestamp(time.time(), UTC).isoformat()}"
