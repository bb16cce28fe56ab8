"""The stamp passport: a venue poster's S1 token, scanned into a phone, becomes that venue's stamp.

Phones collect offline and upload `stamp.collect` mutations ({stamp_token, collected_at}); the server verifies
each token (signature, key in service at `collected_at`, not issued after it) and keeps one stamp per device
and venue, the first. Collecting a venue again is harmless: `applied` with `new: false`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from server.checkin.schemas import Passport, StampEntry
from server.checkin.signing import KeyRingRef
from server.checkin.tables import Stamp, device_scoped_id
from server.checkin.tokens import CLOCK_SKEW_S, TokenError, verify_stamp
from server.db.bulk import insert_rows
from server.domain import BatchContext, Reject
from sync.messages import Mutation, StampArgs


@dataclass
class _Stamps:
    held: dict[str, datetime]
    rows: list[tuple] = field(default_factory=list)


class StampHandler:
    names = ("stamp.collect",)

    def __init__(self, keys: KeyRingRef) -> None:
        self.keys = keys

    async def load(self, ctx: BatchContext) -> _Stamps:
        rows = await Stamp.select(Stamp.venue_id, Stamp.collected_at).where(Stamp.device_id == ctx.principal.subject)
        return _Stamps(held={r["venue_id"]: r["collected_at"] for r in rows})

    def apply(self, ctx: BatchContext, state: _Stamps, mutation: Mutation, args: StampArgs) -> dict:
        # a phone whose clock runs ahead collects "now"
        at = (
            min(args.collected_at, ctx.now)
            if args.collected_at > ctx.now + timedelta(seconds=CLOCK_SKEW_S)
            else args.collected_at
        )
        try:
            claims = verify_stamp(args.stamp_token, self.keys.ring, at)
        except TokenError as exc:
            raise Reject(exc.reason) from None
        venue_id = claims.venue_id
        if venue_id not in ctx.snapshot.venues:
            raise Reject("unknown_venue")
        first = state.held.get(venue_id)
        if first is not None:
            return {"venue_id": venue_id, "new": False, "collected_at": first.isoformat()}
        state.held[venue_id] = at
        state.rows.append(
            (device_scoped_id(ctx.principal.subject, mutation.id.lower()), ctx.principal.subject, venue_id, at, ctx.now)
        )
        return {"venue_id": venue_id, "new": True, "collected_at": at.isoformat()}

    async def flush(self, ctx: BatchContext, state: _Stamps) -> None:
        if state.rows:
            columns = ("id", "device_id", "venue_id", "collected_at", "received_at")
            await insert_rows(Stamp._meta.db, "stamp", columns, state.rows, skip_conflicts_on="id")


async def passport(device_id: str, total: int) -> Passport:
    rows = (
        await Stamp.select(Stamp.venue_id, Stamp.collected_at)
        .where(Stamp.device_id == device_id)
        .order_by(Stamp.collected_at)
    )
    stamps = [StampEntry(venue_id=r["venue_id"], collected_at=r["collected_at"]) for r in rows]
    return Passport(stamps=stamps, collected=len(stamps), total=total)
