"""Collapsing change-log rows into what a phone must apply: the last operation per record wins."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import msgspec


class ChangeRow(msgspec.Struct, frozen=True):
    version: int
    kind: str
    record_id: str
    op: Literal["upsert", "delete"]


class Feed(msgspec.Struct, frozen=True):
    upserts: dict[str, list[str]]
    deletes: dict[str, list[str]]


class CursorGone(Exception):
    """The phone's cursor is older than the retained log (or newer than the server): take the bundle."""


def check_cursor(since: int, pruned_through: int, current: int) -> None:
    if since < pruned_through:
        raise CursorGone(f"version {since} is older than the retained change log (from {pruned_through})")
    if since > current:
        raise CursorGone(f"version {since} is newer than the server's version {current}")


def collapse(rows: Iterable[ChangeRow]) -> Feed:
    """Upserted and deleted ids per kind, in first-seen order; a record deleted and re-created is an upsert."""
    last: dict[tuple[str, str], str] = {}
    for row in sorted(rows, key=lambda r: r.version):
        key = (row.kind, row.record_id)
        last.pop(key, None)
        last[key] = row.op
    upserts: dict[str, list[str]] = {}
    deletes: dict[str, list[str]] = {}
    for (kind, record_id), op in last.items():
        (upserts if op == "upsert" else deletes).setdefault(kind, []).append(record_id)
    return Feed(upserts=upserts, deletes=deletes)
