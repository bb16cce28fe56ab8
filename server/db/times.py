"""Times as the database hands them back, made aware once for every engine."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any


def aware(value: Any) -> datetime | None:
    """A timestamptz as an aware datetime: raw SQLite rows give it as text, sometimes without an offset (UTC)."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def day(value: Any) -> date:
    """A date column read through a raw expression (SQLite gives it as text)."""
    return value if isinstance(value, date) else date.fromisoformat(value)
