"""Wire types of check-ins: passes, scans and their verdicts, occupancy, stats, the stamp passport."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from msgspec import Meta, Struct

from server.programme.schemas import Slug
from sync.messages import PLAIN, Instant, MutationId, QrText

Level = Literal["low", "medium", "high", "full"]
Status = Literal["accepted", "duplicate", "rejected"]
Reason = Literal[
    "invalid_signature",
    "unknown_key",
    "revoked",
    "expired",
    "not_enrolled",
    "capacity_full",
    "already_checked_in",
]


class PassIssued(Struct):
    pass_id: str
    #: the P1 token the QR code holds; keep it on the phone for offline use
    token: str
    kind: str
    issued_at: datetime
    valid_until: datetime
    #: the same token drawn as a QR code (owner's token or an organiser's)
    qr_svg: str
    qr_png: str
    revoked_at: datetime | None = None


class RevokeRequest(Struct, forbid_unknown_fields=True):
    reason: Annotated[str, Meta(max_length=200), PLAIN] = ""


class PassRevoked(Struct):
    pass_id: str
    revoked_at: datetime


#: what the dashboard flags in a recorded scan (server/checkin/scans.py says when each is set)
ScanConflict = Literal["revoked", "double_scan", "clock_skew"]


class ScanRequest(Struct, forbid_unknown_fields=True):
    #: the scan id the phone made (a UUID): the same id as its checkin.scan mutation, if it queues one
    id: MutationId
    pass_token: QrText
    venue_id: Slug
    scanned_at: Instant


class Occupancy(Struct):
    venue_id: str
    #: people counted in the venue now (see server/checkin/occupancy.py for the model)
    count: int
    capacity: int | None
    level: Level
    updated_at: datetime
    #: minutes a check-in keeps counting at this venue
    window_min: int


class ScanVerdict(Struct, omit_defaults=True):
    id: str
    status: Status
    venue_id: str
    occupancy: Occupancy
    #: a verdict reason of docs/contract.md (see `Reason`), for `rejected`
    reason: Reason | None = None
    pass_id: str | None = None
    #: for `duplicate`: the verdict first recorded under this scan id (accepted or rejected) and its reason
    recorded_status: Literal["accepted", "rejected"] | None = None
    recorded_reason: str | None = None


class StatsCounts(Struct):
    accepted: int = 0
    rejected: int = 0
    offline: int = 0
    #: scans with a conflict flag (revoked, double_scan, clock_skew)
    flagged: int = 0
    #: uploads from revoked devices, kept for review (counted as rejected too)
    device_revoked: int = 0
    reasons: dict[str, int] = {}


class StatsRow(Struct):
    #: a venue id (by=venue) or the start of a festival-local hour (by=hour), e.g. 2024-11-12T10:00:00+07:00
    key: str
    counts: StatsCounts
    occupancy: Occupancy | None = None


class CheckinStats(Struct):
    by: Literal["venue", "hour"]
    day: date | None
    venue_id: str | None
    generated_at: datetime
    totals: StatsCounts
    rows: list[StatsRow]


class ScanRecord(Struct):
    id: str
    pass_id: str | None
    venue_id: str
    device_id: str
    scanned_at: datetime
    received_at: datetime
    status: Literal["accepted", "rejected"]
    reason: str | None
    offline: bool
    conflicts: list[ScanConflict]
    device_revoked: bool
    verdict_shown: str | None


class StampEntry(Struct):
    venue_id: str
    collected_at: datetime


class Passport(Struct):
    stamps: list[StampEntry]
    collected: int
    #: venues in the programme: the passport is complete at this many stamps
    total: int
