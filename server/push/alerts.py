"""Organisers' alerts: validation, storage, fan-out into delivery rows (now or when due), figures.

An alert due now is fanned out in the request's own transaction; a scheduled one by whichever worker first sees
it due (the festival clock's now ≥ send_at). Fan-out is one ``INSERT … SELECT`` guarded by the alert row
(``fanned_out_at IS NULL``, taken with ``UPDATE … RETURNING``), so two workers never fan out the same alert, and
the unique (alert, subscription) index would absorb it if they did. The same transaction writes the alert as an
Announcement, so phones that are offline, unsubscribed or without push at all see it at their next sync.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import msgspec
from piccolo.engine.base import Engine

from server.clock import Clock
from server.db.times import aware
from server.db.transactions import write_transaction
from server.errors import Conflict, Invalid, NotFound
from server.programme.snapshot import SnapshotCache
from server.programme.tables import Announcement
from server.push import schemas, store
from server.push.tables import Alert

#: a send_at this far in the past is refused (a little slack for the organiser's clock)
PAST_SLACK = timedelta(minutes=1)
#: and this far ahead
FUTURE_LIMIT = timedelta(days=60)

_ALERT_COLUMNS = (
    "id, kind, title_vi, title_en, body_vi, body_en, url, target, urgency, ttl, send_at, created_at, "
    "fanned_out_at, cancelled_at, expires_ms, event_id"
)


def new_alert_id() -> str:
    return "alert-" + secrets.token_hex(8)


def _json(value):
    return msgspec.json.decode(value) if isinstance(value, (str, bytes)) else value


def payload_for(row: dict, lang: str) -> schemas.Payload:
    """The message for one alert row in one language (the texts carry both)."""
    return schemas.Payload(
        id=row["id"],
        kind=row["kind"],
        title=schemas.Bilingual(vi=row["title_vi"], en=row["title_en"]),
        body=schemas.Bilingual(vi=row["body_vi"], en=row["body_en"]),
        url=row["url"],
        lang=lang,
        event_id=row.get("event_id"),
    )


def check_url(url: str | None) -> str:
    if not url:
        return ""
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    if url.startswith("https://") and len(url) > len("https://") and not any(c.isspace() for c in url):
        return url
    raise Invalid("url must be a path of this site (/#/events/…) or an https:// URL")


async def fan_out(alert_id: str, now: datetime) -> int | None:
    """Fan a due alert out, inside the caller's write transaction; None if it was fanned out or cancelled already.

    Returns how many subscriptions it went to.
    """
    now_ms = store.ms(now)
    rows = await Alert.raw(
        "UPDATE push_alert SET fanned_out_at = {}, expires_ms = CAST({} AS BIGINT) + CAST(ttl AS BIGINT) * 1000 "
        "WHERE id = {} AND fanned_out_at IS NULL AND cancelled_at IS NULL "
        f"RETURNING {_ALERT_COLUMNS}",
        now,
        now_ms,
        alert_id,
    )
    if not rows:
        return None
    row = rows[0]
    await store.insert_deliveries(alert_id, _json(row["target"]), now_ms)
    if row["kind"] == "alert":
        await Announcement.insert(
            Announcement(
                id=alert_id,
                title_vi=row["title_vi"],
                title_en=row["title_en"],
                body_vi=row["body_vi"],
                body_en=row["body_en"],
                url=row["url"],
                published_at=now,
            )
        )
    counted = await store.raw("SELECT COUNT(*) AS n FROM push_delivery WHERE alert = {}", alert_id)
    return int(counted[0]["n"])


async def due_alert_ids(now: datetime, limit: int = 20) -> list[str]:
    rows = (
        await Alert.select(Alert.id)
        .where(Alert.fanned_out_at.is_null() & Alert.cancelled_at.is_null() & (Alert.send_at <= now))
        .order_by(Alert.send_at)
        .limit(limit)
    )
    return [r["id"] for r in rows]


def status_of(row: dict, counts: dict[str, int]) -> schemas.AlertStatus:
    if row["cancelled_at"] is not None:
        return "cancelled"
    if row["fanned_out_at"] is None:
        return "scheduled"
    return "sending" if counts.get("queued", 0) else "done"


def _counts(found: dict[str, int]) -> schemas.AlertCounts:
    c = schemas.AlertCounts(**{k: found.get(k, 0) for k in ("queued", "sent", "failed", "gone")})
    c.total = c.queued + c.sent + c.failed + c.gone
    return c


class AlertService:
    def __init__(self, engine: Engine, clock: Clock, snapshots: SnapshotCache, wake: Callable[[], None]) -> None:
        self.engine = engine
        self.clock = clock
        self.snapshots = snapshots
        self.wake = wake

    async def _check_target(self, target: schemas.AlertTarget) -> dict:
        given = msgspec.structs.asdict(target)
        chosen = {k: v for k, v in given.items() if v is not msgspec.UNSET}
        if len(chosen) != 1:
            raise Invalid(
                'target must be exactly one of {"all": true}, {"venues": [...]}, {"events": [...]}, {"topics": [...]}'
            )
        ((kind, value),) = chosen.items()
        if kind == "all":
            if value is not True:
                raise Invalid('target {"all": …} must be true')
            return {"all": True}
        ids = list(dict.fromkeys(value))
        snapshot = await self.snapshots.get()
        known = snapshot.venues if kind == "venues" else snapshot.events_by_id if kind == "events" else None
        if known is not None:
            unknown = [i for i in ids if i not in known]
            if unknown:
                raise Invalid(f"unknown {kind[:-1]} ids in target: {', '.join(unknown)}")
        return {kind: ids}

    async def create(self, data: schemas.AlertCreate, created_by: str | None) -> schemas.AlertCreated:
        now = self.clock.now()
        send_at = data.send_at
        if send_at is None:
            send_at = now
        elif send_at.tzinfo is None:
            raise Invalid("send_at needs a UTC offset, for example 2024-11-12T18:00:00+07:00")
        elif send_at < now - PAST_SLACK:
            raise Invalid(f"send_at {send_at.isoformat()} is in the past (now is {now.isoformat()})")
        elif send_at > now + FUTURE_LIMIT:
            raise Invalid(f"send_at may be at most {FUTURE_LIMIT.days} days ahead")
        send_at = send_at.astimezone(UTC)
        target = await self._check_target(data.target)
        url = check_url(data.url)
        alert_id = new_alert_id()
        row = {
            "id": alert_id,
            "kind": "alert",
            "title_vi": data.title.vi,
            "title_en": data.title.en,
            "body_vi": data.body.vi,
            "body_en": data.body.en,
            "url": url,
        }
        size = max(len(schemas.encode_payload(payload_for(row, lang))) for lang in ("vi", "en"))
        if size > schemas.MAX_PAYLOAD_BYTES:
            raise Invalid(
                f"title and body make a {size}-byte message; a push message holds "
                f"{schemas.MAX_PAYLOAD_BYTES} bytes: shorten them"
            )
        recipients = None
        async with write_transaction(self.engine):
            await Alert.insert(
                Alert(
                    **row,
                    target=target,
                    urgency=data.urgency,
                    ttl=data.ttl,
                    send_at=send_at,
                    created_at=now,
                    created_by=created_by,
                )
            )
            if send_at <= now:
                recipients = await fan_out(alert_id, now)
        if recipients is not None:
            # the alert's announcement moved the programme's version: this request waits for the reload (so the
            # organiser's next read has it); every other request keeps the held snapshot meanwhile
            await self.snapshots.written()
            self.wake()
        return schemas.AlertCreated(
            id=alert_id,
            status="scheduled" if recipients is None else ("sending" if recipients else "done"),
            send_at=send_at,
            recipients=recipients or 0,
        )

    async def cancel(self, alert_id: str) -> None:
        """Cancel a scheduled alert; one conditional update, so it cannot cross a worker's fan-out."""
        async with write_transaction(self.engine):
            done = await Alert.raw(
                "UPDATE push_alert SET cancelled_at = {} WHERE id = {} AND kind = 'alert' "
                "AND fanned_out_at IS NULL AND cancelled_at IS NULL RETURNING id",
                self.clock.now(),
                alert_id,
            )
        if done:
            return
        row = await Alert.select(Alert.fanned_out_at, Alert.cancelled_at).where(Alert.id == alert_id).first()
        if row is None:
            raise NotFound(f"no alert with id {alert_id!r}")
        if row["cancelled_at"] is None:
            raise Conflict("this alert has been sent already; only a scheduled alert can be cancelled")

    async def get(self, alert_id: str) -> schemas.AlertView:
        rows = await Alert.raw(f"SELECT {_ALERT_COLUMNS} FROM push_alert WHERE id = {{}}", alert_id)
        if not rows:
            raise NotFound(f"no alert with id {alert_id!r}")
        found = (await store.counts([alert_id])).get(alert_id, {})
        view = self._view(rows[0], found)
        if found.get("failed"):
            view.failures = await store.failure_reasons(alert_id)
        return view

    async def list(self, kind: str, limit: int, before: datetime | None) -> list[schemas.AlertView]:
        where = "kind = {}"
        args: list = [kind]
        if before is not None:
            where += " AND created_at < {}"
            args.append(before)
        rows = await Alert.raw(
            f"SELECT {_ALERT_COLUMNS} FROM push_alert WHERE {where} ORDER BY created_at DESC, id LIMIT {{}}",
            *args,
            limit,
        )
        found = await store.counts([r["id"] for r in rows])
        return [self._view(r, found.get(r["id"], {})) for r in rows]

    def _view(self, row: dict, found: dict[str, int]) -> schemas.AlertView:
        return schemas.AlertView(
            id=row["id"],
            kind=row["kind"],
            status=status_of(row, found),
            title=schemas.AlertTitle(vi=row["title_vi"], en=row["title_en"]),
            body=schemas.AlertBody(vi=row["body_vi"], en=row["body_en"]),
            url=row["url"],
            target=_json(row["target"]),
            urgency=row["urgency"],
            ttl=row["ttl"],
            send_at=aware(row["send_at"]),
            created_at=aware(row["created_at"]),
            fanned_out_at=aware(row["fanned_out_at"]),
            counts=_counts(found),
            event_id=row["event_id"],
        )
