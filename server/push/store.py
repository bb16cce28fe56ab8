"""The delivery queue in SQL: fan-out, claims with leases, bulk result writes, counts. Both engines.

A queued row is due when ``next_attempt_ms <= now``. A claim sets ``next_attempt_ms`` to the end of the lease and
``lease_owner`` to the worker, so a leased row is simply not due; if its worker dies the lease end passes and the
row is due again, for any worker. On PostgreSQL the claim skips rows another worker's claim holds
(``FOR UPDATE SKIP LOCKED``); on SQLite it is one ``UPDATE … RETURNING`` statement in an immediate transaction
(SQLite has one writer at a time). Results are written only to rows the worker still leases, so a worker that
lost its lease (it stalled past it) cannot overwrite the outcome of the worker that took over.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from piccolo.engine.base import Engine

from server.db import kept
from server.db.engine import is_postgres
from server.db.kept import kept_connection
from server.db.transactions import write_transaction
from server.push.tables import Delivery

_COLUMNS = "(alert, subscription_id, status, attempts, next_attempt_ms)"
_ON_CONFLICT = "ON CONFLICT (alert, subscription_id) DO NOTHING"


def placeholders(values: Sequence[Any]) -> str:
    return ", ".join("{}" for _ in values)


async def raw(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await Delivery.raw(sql, *args)


def ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


# --- fan-out --------------------------------------------------------------------------------------------


def target_condition(target: dict) -> tuple[str, list[Any]]:
    """SQL over `push_subscription s` selecting an alert's recipients, with its arguments."""
    if target.get("all"):
        return "1 = 1", []
    if venues := target.get("venues"):
        sql = (
            "s.device IN (SELECT f.device FROM favourite f JOIN event e ON e.id = f.event_id "
            f"WHERE e.venue IN ({placeholders(venues)}))"
        )
        return sql, list(venues)
    if events := target.get("events"):
        return f"s.device IN (SELECT f.device FROM favourite f WHERE f.event_id IN ({placeholders(events)}))", list(
            events
        )
    if topics := target.get("topics"):
        return f"s.id IN (SELECT t.subscription FROM push_topic t WHERE t.topic IN ({placeholders(topics)}))", list(
            topics
        )
    raise ValueError(f"unknown alert target {target!r}")


async def insert_deliveries(alert_id: str, target: dict, now_ms: int) -> None:
    """A queued row for every subscription the target selects (none twice), inside the caller's transaction."""
    condition, args = target_condition(target)
    await raw(
        f"INSERT INTO push_delivery {_COLUMNS} SELECT {{}}, s.id, 'queued', 0, {{}} "
        f"FROM push_subscription s WHERE {condition} {_ON_CONFLICT}",
        alert_id,
        now_ms,
        *args,
    )


async def insert_reminder_deliveries(alert_id: str, event_id: str, minutes: int, now_ms: int) -> None:
    """Rows for every subscribed device with this favourite and this reminder setting (again: none twice)."""
    await raw(
        f"INSERT INTO push_delivery {_COLUMNS} SELECT {{}}, s.id, 'queued', 0, {{}} "
        "FROM favourite f JOIN device d ON d.id = f.device JOIN push_subscription s ON s.device = d.id "
        f"WHERE f.event_id = {{}} AND d.reminder_minutes = {{}} {_ON_CONFLICT}",
        alert_id,
        now_ms,
        event_id,
        minutes,
    )


async def missing_reminder_recipient(alert_id: str, event_id: str, minutes: int) -> bool:
    """Whether some subscribed device with this favourite and setting has no row for this reminder yet."""
    rows = await raw(
        "SELECT s.id FROM favourite f JOIN device d ON d.id = f.device JOIN push_subscription s ON s.device = d.id "
        "WHERE f.event_id = {} AND d.reminder_minutes = {} AND NOT EXISTS "
        "(SELECT 1 FROM push_delivery x WHERE x.alert = {} AND x.subscription_id = s.id) LIMIT 1",
        event_id,
        minutes,
        alert_id,
    )
    return bool(rows)


# --- claims ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    alert_id: str
    attempts: int
    #: None when the subscription was removed after the row was queued
    endpoint: str | None
    p256dh: str | None
    auth: str | None
    lang: str


_DUE = "SELECT id FROM push_delivery WHERE status = 'queued' AND next_attempt_ms <= {} LIMIT 1"


async def anything_due(now_ms: int) -> bool:
    return bool(await raw(_DUE, now_ms))


_DETAILS = (
    "SELECT c.id, c.alert, c.attempts, s.endpoint, s.p256dh, s.auth, dv.lang FROM {source} c "
    "LEFT JOIN push_subscription s ON s.id = c.subscription_id LEFT JOIN device dv ON dv.id = s.device"
)
_LEASE = "UPDATE push_delivery SET lease_owner = {}, next_attempt_ms = {}, attempts = attempts + 1 "
_DUE_IDS = (
    "SELECT id FROM push_delivery WHERE status = 'queued' AND next_attempt_ms <= {} ORDER BY next_attempt_ms LIMIT {}"
)


@dataclass(frozen=True, slots=True)
class Result:
    delivery_id: int
    status: Literal["sent", "gone", "failed", "retry"]
    reason: str | None = None
    #: for retry: when it may be claimed again
    next_attempt_ms: int | None = None
    #: for gone: the subscription to remove (None when it is already gone)
    subscription_endpoint: str | None = None


def _chunks(values: list, size: int = 500) -> Iterable[list]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def id_list(pg: bool, column: str, ids: list[int]) -> tuple[str, Any]:
    """`column` is one of `ids`, as one parameter (an array on PostgreSQL, a JSON array on SQLite): a batch
    costs one bound value rather than hundreds."""
    if pg:
        return f"{column} = ANY({{}})", ids
    return f"{column} IN (SELECT value FROM json_each({{}}))", json.dumps(ids)


#: statements of one transaction: (SQL with ``{}`` for each argument, arguments)
Statements = list[tuple[str, list[Any]]]


def _updates(pg: bool, set_sql: str, set_args: list, owner: str, ids: list[int]) -> Statements:
    statements = []
    for chunk in _chunks(ids, 5000):
        condition, arg = id_list(pg, "id", chunk)
        statements.append(
            (
                f"UPDATE push_delivery SET {set_sql} WHERE lease_owner = {{}} AND status = 'queued' AND {condition}",
                [*set_args, owner, arg],
            )
        )
    return statements


def _outcome_statements(pg: bool, owner: str, now_ms: int, results: Sequence[Result]) -> Statements:
    """One statement per kind of outcome (and reason), and the removal of subscriptions gone."""
    sent: list[int] = []
    finished: dict[tuple[str, str | None], list[int]] = defaultdict(list)
    retries: dict[tuple[int, str | None], list[int]] = defaultdict(list)
    gone_endpoints: set[str] = set()
    for r in results:
        if r.status == "sent":
            sent.append(r.delivery_id)
        elif r.status == "retry":
            retries[(r.next_attempt_ms or now_ms, r.reason)].append(r.delivery_id)
        else:
            finished[(r.status, r.reason)].append(r.delivery_id)
            if r.status == "gone" and r.subscription_endpoint:
                gone_endpoints.add(r.subscription_endpoint)
    statements: Statements = []
    if sent:
        statements += _updates(
            pg, "status = 'sent', lease_owner = NULL, reason = NULL, done_ms = {}", [now_ms], owner, sent
        )
    for (status, reason), ids in finished.items():
        statements += _updates(
            pg, "status = {}, lease_owner = NULL, reason = {}, done_ms = {}", [status, reason, now_ms], owner, ids
        )
    for (next_ms, reason), ids in retries.items():
        statements += _updates(
            pg, "lease_owner = NULL, reason = {}, next_attempt_ms = {}", [reason, next_ms], owner, ids
        )
    for chunk in _chunks(sorted(gone_endpoints)):
        # by endpoint, not id: a phone that re-subscribed since keeps its new subscription
        statements.append((f"DELETE FROM push_subscription WHERE endpoint IN ({placeholders(chunk)})", chunk))
    return statements


def _claimed(rows: Iterable[Any]) -> list[Claimed]:
    return [
        Claimed(r["id"], r["alert"], r["attempts"], r["endpoint"], r["p256dh"], r["auth"], r["lang"] or "vi")
        for r in rows
    ]


def _sqlite(sql: str) -> str:
    return sql.replace("{}", "?")


def _claim_sqlite(
    connection: sqlite3.Connection, owner: str, now_ms: int, lease_until_ms: int, limit: int
) -> list[Claimed]:
    """On the kept connection's thread: look first (no write lock while there is nothing to do), then lease."""
    if not connection.execute(_sqlite(_DUE), (now_ms,)).fetchone():
        return []

    def lease(connection: sqlite3.Connection) -> list[Claimed]:
        ids = [
            r[0]
            for r in connection.execute(
                _sqlite(f"{_LEASE}WHERE id IN ({_DUE_IDS}) RETURNING id"), (owner, lease_until_ms, now_ms, limit)
            )
        ]
        if not ids:
            return []
        condition, arg = id_list(False, "c.id", ids)
        return _claimed(
            connection.execute(_sqlite(_DETAILS.format(source="push_delivery") + f" WHERE {condition}"), (arg,))
        )

    return kept.transaction(connection, lease)


def _run_sqlite(connection: sqlite3.Connection, statements: Statements) -> None:
    for sql, args in statements:
        connection.execute(_sqlite(sql), args)


class DeliveryQueue:
    """The delivery rows as a worker works them: claims with leases, outcomes written in bulk, claims handed back.

    On PostgreSQL through Piccolo's pool. On SQLite on a kept connection (`server.db.kept`): a claim or a batch
    of outcomes is then one hop to one thread, where through Piccolo it would open a connection and make a hop per
    statement; at thousands of deliveries a second that was a tenth of a worker's time.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pg = is_postgres(engine)
        self._kept = kept_connection(engine)

    async def close(self) -> None:
        if self._kept is not None:
            await self._kept.close()

    async def claim(self, owner: str, now_ms: int, lease_until_ms: int, limit: int) -> list[Claimed]:
        """Lease up to `limit` due rows to `owner` until `lease_until_ms`; each claim counts as an attempt."""
        if self._kept is not None:
            return await self._kept.run(_claim_sqlite, owner, now_ms, lease_until_ms, limit)
        if not await anything_due(now_ms):
            return []
        return _claimed(
            await raw(
                f"WITH c AS ({_LEASE}WHERE id IN ({_DUE_IDS} FOR UPDATE SKIP LOCKED) "
                "RETURNING id, alert, attempts, subscription_id) " + _DETAILS.format(source="c"),
                owner,
                lease_until_ms,
                now_ms,
                limit,
            )
        )

    async def record(self, owner: str, now_ms: int, results: Sequence[Result]) -> None:
        """Write a batch of outcomes in one transaction, to the rows `owner` still leases."""
        await self._write(_outcome_statements(self.pg, owner, now_ms, results))

    async def renew(self, owner: str, ids: list[int], lease_until_ms: int) -> None:
        """Extend `owner`'s leases on rows still in its hands (a request held long by a push service must not
        let the lease end under a live worker: another would claim the row and send it again)."""
        if ids:
            await self._write(_updates(self.pg, "next_attempt_ms = {}", [lease_until_ms], owner, ids))

    async def release(self, owner: str, ids: list[int], now_ms: int) -> None:
        """Give claimed but unsent rows back at once (a worker stopping cleanly); the claim is not an attempt."""
        if ids:
            await self._write(
                _updates(
                    self.pg, "lease_owner = NULL, next_attempt_ms = {}, attempts = attempts - 1", [now_ms], owner, ids
                )
            )

    async def _write(self, statements: Statements) -> None:
        if self._kept is not None:
            await self._kept.run(kept.transaction, _run_sqlite, statements)
            return
        async with write_transaction(self.engine):
            for sql, args in statements:
                await raw(sql, *args)


# --- figures --------------------------------------------------------------------------------------------


async def counts(alert_ids: Sequence[str]) -> dict[str, dict[str, int]]:
    """Deliveries per alert and status."""
    if not alert_ids:
        return {}
    rows = await raw(
        f"SELECT alert, status, COUNT(*) AS n FROM push_delivery WHERE alert IN ({placeholders(alert_ids)}) "
        "GROUP BY alert, status",
        *alert_ids,
    )
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for r in rows:
        found[r["alert"]][r["status"]] = int(r["n"])
    return found


async def failure_reasons(alert_id: str, limit: int = 10) -> dict[str, int]:
    rows = await raw(
        "SELECT reason, COUNT(*) AS n FROM push_delivery WHERE alert = {} AND status = 'failed' "
        "GROUP BY reason ORDER BY n DESC, reason LIMIT {}",
        alert_id,
        limit,
    )
    return {(r["reason"] or "unknown"): int(r["n"]) for r in rows}
