"""Scans: the verdict on a pass at a venue entrance, live (`POST /api/checkins`) or uploaded later
(`checkin.scan` mutations), recorded once per scan id whichever way it arrives.

Checks, in the order of docs/contract.md, "Tokens and QR codes": signature (`invalid_signature`, `unknown_key`),
revocation (`revoked`), validity window (`expired`), venue rules (`not_enrolled`, `capacity_full`), duplicate at
this venue on this festival day (`already_checked_in`). `judge` is the one function both paths call.

Online scans are judged at the server's now and must be live: `scanned_at` at most `FUTURE_S` ahead and
`ONLINE_PAST_S` behind, else 422 (an older scan belongs in the phone's outbox as a mutation).

Offline scans are facts: each is recorded when it arrives, even when it would be refused online now, judged at
its own `scanned_at` with everything the server knows by then, and flagged `offline` when the phone says it judged
the scan itself (no connection, or no answer to its online check in time) or the scan arrives more than
`OFFLINE_AFTER_S` after it was made. The capacity is not
judged after the fact (the person is inside; the count must include them). Conflict flags mark what the phone
could not have known, for the dashboard:

* `revoked`: the pass was revoked at or before the scan (its bundle was older than the revocation);
* `double_scan`: the pass was already accepted at this venue that day by another device, online or offline;
  the later-arriving scan is the one recorded `rejected` / `already_checked_in` and flagged, so stored facts
  are never rewritten and a person is counted once;
* `clock_skew`: the phone's `scanned_at` was in the future; the scan is recorded at its arrival instead.

A phone that says it refused the scan itself (`verdict_shown` other than `accepted`) is in no conflict.

Exactly once: a scan is its scan id on its device (a unique index on `device_id, scan_id`; ids are the phone's own, so
two devices may make the same one and still record two scans). An online scan repeated answers `duplicate` with the
verdict first recorded; a `checkin.scan` mutation whose id an online scan already used answers `duplicate` too, and the
other way round. A duplicate mutation carries the recorded verdict as its `data`, as an applied one does: the phone that
queued it may never have heard that verdict (its online check timed out after the server had recorded the scan, or the
answer to an upload was lost), and it must learn when the scan it let through was refused.

Cost: the batch path verifies every token in memory and reads what it needs in three queries per batch (scan
ids already stored, revocations of the batch's passes, accepted scans of those passes at those venues on those
days), on SQLite in parallel with the signature checks; it then writes all its scans in one multi-row insert.
The live path is one transaction of one read and one insert, on SQLite a single call on a kept connection
(server/checkin/writer.py). On PostgreSQL, writers of the same venue take one advisory lock per venue in sorted
order, so the duplicate and capacity checks hold across processes; on SQLite the write transaction holds the
single writer lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

import msgspec
from piccolo.engine.base import Engine

from server.auth import Principal
from server.checkin import occupancy as occ
from server.checkin.keys import KeyRing
from server.checkin.schemas import ScanConflict, ScanRequest, ScanVerdict
from server.checkin.signing import KeyRingRef
from server.checkin.tables import Scan, device_scoped_id
from server.checkin.tokens import CLOCK_SKEW_S, TokenError, check_pass_window, peek_pass_id, verify_pass_signature
from server.checkin.writer import GateWriter, insert_sql
from server.clock import FESTIVAL_TZ
from server.db.bulk import insert_rows
from server.db.engine import is_postgres
from server.db.kept import KeptSqlite, SqliteWriter, kept_connection
from server.db.times import aware
from server.db.times import day as as_day
from server.db.transactions import lock_names
from server.domain import AlreadyApplied, BatchContext, Reject
from server.errors import Conflict, Invalid
from server.programme.snapshot import Snapshot
from sync.messages import Mutation, ScanArgs

FUTURE_S = CLOCK_SKEW_S
ONLINE_PAST_S = 15 * 60
#: a scan uploaded this long after it was made was made without a connection, whatever the phone says: the volunteer
#: app says so itself (`ScanArgs.offline`) of every scan it queues, but a client may send scans through its outbox
#: while online, where having come that way says nothing of the venue's signal and the delay does
OFFLINE_AFTER_S = 60
COLUMNS = (
    "id",
    "scan_id",
    "pass_id",
    "venue_id",
    "device_id",
    "scanned_at",
    "received_at",
    "day",
    "hour",
    "status",
    "reason",
    "offline",
    "conflict",
    "device_revoked",
    "verdict_shown",
)


@dataclass(frozen=True)
class TokenCheck:
    """What the token alone says: its verified pass id, or why it fails; `expired` is judged after revocation."""

    pass_id: str | None
    error: str | None = None
    expired: bool = False


def check_token(token: str, ring: KeyRing, at: datetime) -> TokenCheck:
    try:
        claims = verify_pass_signature(token, ring, at)
    except TokenError as exc:
        return TokenCheck(pass_id=None, error=exc.reason)
    try:
        check_pass_window(claims, at)
    except TokenError:
        return TokenCheck(pass_id=claims.pass_id, expired=True)
    return TokenCheck(pass_id=claims.pass_id)


def conflict_column(conflicts: tuple[ScanConflict, ...]) -> str | None:
    """A scan's conflicts as its `conflict` column holds them: comma-separated, null for none."""
    return ",".join(conflicts) or None


def conflicts_of(column: str | None) -> list[ScanConflict]:
    """The conflicts of a `conflict` column, in the order they were recorded."""
    return column.split(",") if column else []  # type: ignore[return-value]


@dataclass(frozen=True)
class Verdict:
    status: Literal["accepted", "rejected"]
    reason: str | None = None
    conflicts: tuple[ScanConflict, ...] = ()


ACCEPTED = Verdict("accepted")


def judge(
    token: TokenCheck,
    *,
    revoked_at: datetime | None,
    at: datetime,
    enrolled: bool,
    full: bool,
    prior_device: str | None,
    device_id: str,
    offline: bool,
    shown: str | None = None,
) -> Verdict:
    """The verdict on one scan, checks in the order of docs/contract.md.

    `at` is when the scan is judged (now online, scanned_at offline); `prior_device` is the device of an accepted
    scan of this pass at this venue on this festival day, if any; `full` says the venue is at capacity.
    """
    unaware = offline and shown in (None, "accepted")
    if token.error is not None:
        return Verdict("rejected", token.error)
    if revoked_at is not None and revoked_at <= at:
        return Verdict("rejected", "revoked", ("revoked",) if unaware else ())
    if token.expired:
        return Verdict("rejected", "expired")
    if not enrolled:
        return Verdict("rejected", "not_enrolled")
    if full:
        return Verdict("rejected", "capacity_full")
    if prior_device is not None:
        clash = unaware and prior_device != device_id
        return Verdict("rejected", "already_checked_in", ("double_scan",) if clash else ())
    return ACCEPTED


def festival_day(at: datetime) -> tuple[Any, int]:
    local = at.astimezone(FESTIVAL_TZ)
    return local.date(), local.hour


def _made_offline(args: ScanArgs, scanned_at: datetime, now: datetime) -> bool:
    return bool(args.offline) or (now - scanned_at).total_seconds() > OFFLINE_AFTER_S


def _row(
    scan_id: str,
    pass_id: str | None,
    venue_id: str,
    device_id: str,
    scanned_at: datetime,
    now: datetime,
    verdict: Verdict,
    *,
    offline: bool,
    device_revoked: bool = False,
    shown: str | None = None,
) -> tuple:
    day, hour = festival_day(scanned_at)
    return (
        device_scoped_id(device_id, scan_id),
        scan_id,
        pass_id,
        venue_id,
        device_id,
        scanned_at,
        now,
        day,
        hour,
        verdict.status,
        verdict.reason,
        offline,
        conflict_column(verdict.conflicts),
        device_revoked,
        shown,
    )


# -- online --------------------------------------------------------------------------------------------------------

_FACTS_SQL = (
    "SELECT (SELECT status FROM scan WHERE device_id = {} AND scan_id = {}) AS seen_status,"
    " (SELECT reason FROM scan WHERE device_id = {} AND scan_id = {}) AS seen_reason,"
    " (SELECT pass_id FROM scan WHERE device_id = {} AND scan_id = {}) AS seen_pass,"
    " (SELECT venue_id FROM scan WHERE device_id = {} AND scan_id = {}) AS seen_venue,"
    " (SELECT revoked_at FROM revoked_pass WHERE id = {}) AS revoked_at,"
    " (SELECT device_id FROM scan WHERE pass_id = {} AND venue_id = {} AND day = {} AND status = 'accepted')"
    " AS prior_device,"
    f" ({occ.COUNT_SQL.replace('AS n', '')}) AS occupancy"
)


_INSERT_SQL = insert_sql("scan", COLUMNS)


class CheckinService:
    """Live check-ins at a gate."""

    def __init__(
        self, engine: Engine, writer: SqliteWriter | None, keys: KeyRingRef, board: occ.OccupancyBoard
    ) -> None:
        self.engine = engine
        self.keys = keys
        self.board = board
        self.writer = GateWriter(engine, writer)

    async def scan(self, principal: Principal, snapshot: Snapshot, data: ScanRequest, now: datetime) -> ScanVerdict:
        venue = snapshot.venue(data.venue_id)
        if data.scanned_at > now + timedelta(seconds=FUTURE_S):
            raise Invalid(
                f"scanned_at {data.scanned_at.isoformat()} is in the future (server time "
                f"{now.isoformat()}): check the phone's clock"
            )
        if data.scanned_at < now - timedelta(seconds=ONLINE_PAST_S):
            raise Invalid(
                f"scanned_at is more than {ONLINE_PAST_S // 60} minutes ago: upload the scan as a "
                f"checkin.scan mutation through /api/sync/push"
            )
        scan_id = data.id.lower()
        token = check_token(data.pass_token, self.keys.ring, now)  # CPU only, before the transaction
        day, _ = festival_day(data.scanned_at)
        pass_id = token.pass_id or ""

        def decide(facts: dict[str, Any]) -> tuple[tuple[Verdict | None, dict[str, Any]], tuple | None]:
            """Inside the transaction: None for a scan id recorded before (the facts tell its verdict)."""
            if facts["seen_status"] is not None:
                if facts["seen_venue"] != venue.id or (facts["seen_pass"] or "") != pass_id:
                    raise Conflict(f"scan id {scan_id} was already used for another scan: make a new id per scan")
                return (None, facts), None
            verdict = judge(
                token,
                revoked_at=aware(facts["revoked_at"]),
                at=now,
                enrolled=venue.id in principal.venues,
                full=occ.is_full(int(facts["occupancy"]), venue),
                prior_device=facts["prior_device"],
                device_id=principal.subject,
                offline=False,
            )
            return (verdict, facts), _row(
                scan_id, token.pass_id, venue.id, principal.subject, data.scanned_at, now, verdict, offline=False
            )

        verdict, facts = await self.writer.run(
            f"lehoi.scan:{venue.id}",
            _FACTS_SQL,
            (*(principal.subject, scan_id) * 4, pass_id, pass_id, venue.id, day, venue.id, now - occ.window(venue)),
            decide,
            _INSERT_SQL,
        )
        count = int(facts["occupancy"])
        if verdict is None:
            self.board.put(venue.id, count, now)
            return ScanVerdict(
                id=scan_id,
                status="duplicate",
                venue_id=venue.id,
                occupancy=occ.occupancy(venue, count, now),
                pass_id=token.pass_id,
                recorded_status=facts["seen_status"],
                recorded_reason=facts["seen_reason"],
            )
        if verdict.status == "accepted" and data.scanned_at > now - occ.window(venue):
            count += 1
        self.board.put(venue.id, count, now)
        return ScanVerdict(
            id=scan_id,
            status=verdict.status,
            venue_id=venue.id,
            occupancy=occ.occupancy(venue, count, now),
            reason=verdict.reason,
            pass_id=token.pass_id,
        )


# -- offline -------------------------------------------------------------------------------------------------------


@dataclass
class _Batch:
    checks: dict[str, TokenCheck]
    #: scan id → the verdict recorded under it, as a mutation's `data`
    stored: dict[str, dict]
    revoked: dict[str, datetime]
    #: (pass id, venue id, day) → device of the accepted scan
    accepted: dict[tuple, str]
    rows: list[tuple] = field(default_factory=list)
    venues: set[str] = field(default_factory=set)


def _scan_time(args: ScanArgs, now: datetime) -> tuple[datetime, tuple[str, ...]]:
    """The instant a scan is recorded at: its own, or its arrival when the phone's clock ran ahead."""
    if args.scanned_at > now + timedelta(seconds=FUTURE_S):
        return now, ("clock_skew",)
    return args.scanned_at, ()


def _batch_queries(device_id: str, scan_ids: list[str], pass_ids: list[str], venues: list[str], days: list, mark: str):
    def marks(n: int) -> str:
        return ", ".join([mark] * n)

    if scan_ids:
        yield (
            "stored",
            (
                f"SELECT scan_id, status, reason, conflict, pass_id FROM scan "
                f"WHERE device_id = {mark} AND scan_id IN ({marks(len(scan_ids))})"
            ),
            [device_id, *scan_ids],
        )
    if pass_ids:
        yield "revoked", f"SELECT id, revoked_at FROM revoked_pass WHERE id IN ({marks(len(pass_ids))})", pass_ids
        yield (
            "accepted",
            (
                f"SELECT pass_id, venue_id, day, device_id FROM scan WHERE status = 'accepted' "
                f"AND pass_id IN ({marks(len(pass_ids))}) AND venue_id IN ({marks(len(venues))}) "
                f"AND day IN ({marks(len(days))})"
            ),
            [*pass_ids, *venues, *days],
        )


def _said(status: str, reason: str | None, conflicts: tuple[str, ...] | list[str], pass_id: str | None) -> dict:
    """A scan's verdict as a `checkin.scan` mutation's `data`."""
    return {"verdict": status, "reason": reason, "conflicts": list(conflicts), "pass_id": pass_id}


def _facts(rows: dict[str, list]) -> tuple[dict[str, dict], dict[str, datetime], dict[tuple, str]]:
    return (
        {
            r["scan_id"]: _said(r["status"], r["reason"], conflicts_of(r["conflict"]), r["pass_id"])
            for r in rows.get("stored", [])
        },
        {r["id"]: aware(r["revoked_at"]) for r in rows.get("revoked", [])},
        {(r["pass_id"], r["venue_id"], as_day(r["day"])): r["device_id"] for r in rows.get("accepted", [])},
    )


def _read_batch(connection, device_id, scan_ids, pass_ids, venues, days, mark):
    """On a kept SQLite connection's thread."""
    rows = {
        name: connection.execute(sql, args).fetchall()
        for name, sql, args in _batch_queries(device_id, scan_ids, pass_ids, venues, days, mark)
    }
    return _facts(rows)


async def _read_batch_piccolo(device_id, scan_ids, pass_ids, venues, days):
    rows = {
        name: await Scan.raw(sql, *args)
        for name, sql, args in _batch_queries(device_id, scan_ids, pass_ids, venues, days, "{}")
    }
    return _facts(rows)


class ScanHandler:
    """`checkin.scan` mutations: offline scans, recorded as facts (see the module docstring)."""

    names = ("checkin.scan",)
    #: on SQLite `load` reads on a connection of its own, which would not see what an earlier upload of the same
    #: group commit wrote: scan uploads commit alone (see server/syncing/mutations.py)
    groupable = False

    def __init__(self, keys: KeyRingRef, board: occ.OccupancyBoard) -> None:
        self.keys = keys
        self.board = board
        self._reader: KeptSqlite | None = None

    async def close(self) -> None:
        if self._reader is not None:
            await self._reader.close()

    async def load(self, ctx: BatchContext) -> _Batch:
        """What the batch's scans need, read while their signatures are checked.

        On SQLite the reads run on a kept connection's thread, in parallel with the checks: the applier's
        transaction holds the writer lock and has written nothing yet, so that connection sees exactly the state
        the transaction does. On PostgreSQL they run in the transaction, after the venues' locks.
        """
        scans: list[tuple[str, ScanArgs, datetime]] = []
        for mutation in ctx.batch:
            if mutation.name not in self.names:
                continue
            try:
                args = msgspec.convert(mutation.args, ScanArgs)
            except msgspec.ValidationError:
                continue  # answered invalid_args by the applier
            scans.append((mutation.id, args, _scan_time(args, ctx.now)[0]))
        scan_ids = sorted({scan_id.lower() for scan_id, _, _ in scans})
        # unverified: only to fetch a few rows more than needed when a token is forged
        pass_ids = sorted({p for p in (peek_pass_id(args.pass_token) for _, args, _ in scans) if p})
        venues = sorted({args.venue_id for _, args, _ in scans})
        days = sorted({festival_day(at)[0] for _, _, at in scans})
        engine = Scan._meta.db
        if is_postgres(engine):
            await lock_names(engine, [f"lehoi.scan:{v}" for v in venues])
            reads = None
        else:
            if self._reader is None:
                self._reader = kept_connection(engine)
            reads = self._reader.submit(_read_batch, ctx.principal.subject, scan_ids, pass_ids, venues, days, "?")
        ring = self.keys.ring
        checks = {scan_id: check_token(args.pass_token, ring, at) for scan_id, args, at in scans}
        if reads is None:
            stored, revoked, accepted = await _read_batch_piccolo(
                ctx.principal.subject, scan_ids, pass_ids, venues, days
            )
        else:
            stored, revoked, accepted = await reads
        return _Batch(checks=checks, stored=stored, revoked=revoked, accepted=accepted)

    def apply(self, ctx: BatchContext, state: _Batch, mutation: Mutation, args: ScanArgs) -> dict:
        scan_id = mutation.id.lower()
        if scan_id in state.stored:
            raise AlreadyApplied(state.stored[scan_id])
        if ctx.principal.role != "volunteer":
            raise Reject("not_volunteer")
        venue = ctx.snapshot.venues.get(args.venue_id)
        if venue is None:
            raise Reject("unknown_venue")
        at, skew = _scan_time(args, ctx.now)
        token = state.checks[mutation.id]
        day, _ = festival_day(at)
        key = (token.pass_id, venue.id, day)
        verdict = judge(
            token,
            revoked_at=state.revoked.get(token.pass_id or ""),
            at=at,
            enrolled=venue.id in ctx.principal.venues,
            full=False,
            prior_device=state.accepted.get(key),
            device_id=ctx.principal.subject,
            offline=True,
            shown=args.verdict_shown,
        )
        if skew:
            verdict = Verdict(verdict.status, verdict.reason, verdict.conflicts + skew)
        if verdict.status == "accepted":
            state.accepted[key] = ctx.principal.subject
        said = _said(verdict.status, verdict.reason, verdict.conflicts, token.pass_id)
        state.stored[scan_id] = said
        state.venues.add(venue.id)
        state.rows.append(
            _row(
                scan_id,
                token.pass_id,
                venue.id,
                ctx.principal.subject,
                at,
                ctx.now,
                verdict,
                offline=_made_offline(args, at, ctx.now),
                shown=args.verdict_shown,
            )
        )
        return said

    def recall(self, ctx: BatchContext, state: _Batch, mutation: Mutation) -> dict | None:
        """The verdict recorded under a scan id the applier has seen before, for its `duplicate` answer."""
        return state.stored.get(mutation.id.lower())

    def keep(self, ctx: BatchContext, state: _Batch, mutation: Mutation, args: ScanArgs) -> None:
        """A revoked device's scan: stored for review, refused, never counted."""
        scan_id = mutation.id.lower()
        if scan_id in state.stored:
            return
        at, skew = _scan_time(args, ctx.now)
        token = state.checks.get(mutation.id, TokenCheck(pass_id=None))
        verdict = Verdict("rejected", "device_revoked", skew)
        state.stored[scan_id] = _said(verdict.status, verdict.reason, verdict.conflicts, token.pass_id)
        state.rows.append(
            _row(
                scan_id,
                token.pass_id,
                args.venue_id[:64],
                ctx.principal.subject,
                at,
                ctx.now,
                verdict,
                offline=_made_offline(args, at, ctx.now),
                device_revoked=True,
                shown=args.verdict_shown,
            )
        )

    async def flush(self, ctx: BatchContext, state: _Batch) -> None:
        if state.rows:
            await insert_rows(Scan._meta.db, "scan", COLUMNS, state.rows, skip_conflicts_on="id")
            self.board.forget(state.venues)
