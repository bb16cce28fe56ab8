"""Check-in endpoints: passes and their QR codes, live scans, occupancy, posters, the passport, and the
organisers' revocations, dashboard figures and scan review."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Annotated, Literal

from litestar import Controller, Request, Response, Router, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import PermissionDeniedException
from litestar.middleware.rate_limit import get_remote_address
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body, PathParameter, QueryParameter

from server.auth import (
    Caller,
    Principal,
    RoleGuard,
    attendee_device,
    bearer_token,
    organiser_only,
    token_hash,
    volunteer_only,
)
from server.checkin import passes, posters
from server.checkin.deps import provide_board, provide_checkins, provide_keyring
from server.checkin.keys import KeyRing
from server.checkin.occupancy import OccupancyBoard, checkin_stats
from server.checkin.scans import CheckinService, conflicts_of
from server.checkin.schemas import (
    CheckinStats,
    Occupancy,
    PassIssued,
    Passport,
    PassRevoked,
    RevokeRequest,
    ScanRecord,
    ScanRequest,
    ScanVerdict,
)
from server.checkin.stamps import passport
from server.checkin.tables import Scan
from server.checkin.tokens import issue_stamp
from server.codecs import qr
from server.domain import EngineDep, Now, SnapshotsDep
from server.errors import Conflict
from server.http import DeviceQuery, ReadErrors, SlugPath, SlugQuery, WriteErrors, base_url, rate_limit
from server.programme.snapshot import SnapshotDep

#: pass requests per device and minute (a second request returns the same pass, so this only bounds load)
PASS_RATE_PER_MINUTE = 10
VenueParam = SlugPath
PassParam = Annotated[str, PathParameter(pattern=r"^[A-Za-z0-9]{1,16}$", description="a pass id")]


@lru_cache(maxsize=1024)
def _qr_svg(token: str) -> bytes:
    """A pass's QR code, drawn once per process: phones fetch the same pass again and again."""
    return qr.svg(token)


@lru_cache(maxsize=1024)
def _qr_png(token: str, scale: int) -> bytes:
    return qr.png(token, scale=scale)


def _issued(request: Request, row: dict, revoked_at=None) -> PassIssued:
    base = f"{base_url(request)}/api/passes/{row['id']}"
    return PassIssued(
        pass_id=row["id"],
        token=row["token"],
        kind=row["kind"],
        issued_at=row["issued_at"],
        valid_until=row["valid_until"],
        qr_svg=f"{base}/qr.svg",
        qr_png=f"{base}/qr.png",
        revoked_at=revoked_at,
    )


def _device_or_address(request: Request) -> str:
    token = bearer_token(request)
    return f"device:{token_hash(token)}" if token else get_remote_address(request)


def pass_issuing() -> Router:
    """POST /api/passes behind a per-device rate limit."""

    @post(
        "/passes",
        guards=[RoleGuard("attendee")],
        raises=[Conflict],
        status_code=201,
        tags=["check-ins"],
        dependencies={"keyring": Provide(provide_keyring, sync_to_thread=False)},
        responses={200: ResponseSpec(PassIssued, description="The active pass this device already has")},
    )
    async def issue(
        request: Request,
        now: Now,
        engine: EngineDep,
        principal: Caller,
        keyring: NamedDependency[KeyRing],
        snapshot: SnapshotDep,
    ) -> Response[PassIssued]:
        """The calling attendee device's pass: a new one (201), or the active one it already has (200).

        The token is a P1 pass valid until the day after the festival ends; keep it for offline use. Rate-limited.
        """
        row, created = await passes.issue_or_get(engine, keyring, snapshot.festival, principal.subject, now)
        return Response(_issued(request, row), status_code=201 if created else 200)

    return Router(
        "/api", route_handlers=[issue], middleware=[rate_limit("passes", PASS_RATE_PER_MINUTE, _device_or_address)]
    )


async def _own_pass(principal: Principal, pass_id: str) -> dict:
    """The pass, for its owning device or an organiser: 403 for anyone else, 404 unknown."""
    row = await passes.find(pass_id)
    if principal.role != "organiser" and row["device"] != principal.subject:
        raise PermissionDeniedException("this pass belongs to another device")
    return row


class PassController(Controller):
    path = "/api/passes"
    tags = ["check-ins"]
    guards = [RoleGuard("organiser", "attendee", "volunteer")]

    @get("/{pass_id:str}", raises=ReadErrors)
    async def status(self, request: Request, principal: Caller, pass_id: PassParam) -> PassIssued:
        """A pass with its token and whether it was revoked (its owning device or an organiser)."""
        row = await _own_pass(principal, pass_id)
        return _issued(request, row, await passes.revoked_at(pass_id))

    @get("/{pass_id:str}/qr.svg", raises=ReadErrors, media_type="image/svg+xml")
    async def qr_svg(self, principal: Caller, pass_id: PassParam) -> Response[bytes]:
        """The pass's QR code as SVG (its owning device or an organiser: the code is the pass)."""
        row = await _own_pass(principal, pass_id)
        return Response(
            _qr_svg(row["token"]), media_type="image/svg+xml", headers={"cache-control": "private, max-age=86400"}
        )

    @get("/{pass_id:str}/qr.png", raises=ReadErrors, media_type="image/png")
    async def qr_png(
        self,
        principal: Caller,
        pass_id: PassParam,
        scale: Annotated[int, QueryParameter(ge=1, le=20, description="pixels per module")] = 8,
    ) -> Response[bytes]:
        """The pass's QR code as PNG (its owning device or an organiser)."""
        row = await _own_pass(principal, pass_id)
        return Response(
            _qr_png(row["token"], scale), media_type="image/png", headers={"cache-control": "private, max-age=86400"}
        )


class CheckinController(Controller):
    path = "/api"
    tags = ["check-ins"]
    dependencies = {
        "checkins": Provide(provide_checkins, sync_to_thread=False),
        "board": Provide(provide_board, sync_to_thread=False),
        "keyring": Provide(provide_keyring, sync_to_thread=False),
    }

    @post("/checkins", guards=[volunteer_only], raises=WriteErrors, status_code=200)
    async def check_in(
        self,
        now: Now,
        principal: Caller,
        snapshot: SnapshotDep,
        checkins: NamedDependency[CheckinService],
        data: Annotated[ScanRequest, Body()],
    ) -> ScanVerdict:
        """Judge a pass scanned at a venue entrance now (volunteers enrolled for the venue).

        `accepted`, or `rejected` with a reason in the order of docs/contract.md (invalid_signature, unknown_key,
        revoked, expired, not_enrolled, capacity_full, already_checked_in); `duplicate` when this scan id was recorded
        before, with the verdict it got. Scans older than 15 minutes go through /api/sync/push instead.
        """
        return await checkins.scan(principal, snapshot, data, now)

    @get("/venues/{venue_id:str}/occupancy", raises=ReadErrors)
    async def occupancy(
        self, now: Now, snapshot: SnapshotDep, board: NamedDependency[OccupancyBoard], venue_id: VenueParam
    ) -> Occupancy:
        """How full a venue is now: its count, capacity and level (low, medium, high, full). Public."""
        return await board.get(snapshot.venue(venue_id), now)

    @get(
        "/venues/{venue_id:str}/poster.svg",
        guards=[organiser_only],
        raises=ReadErrors,
        media_type="image/svg+xml",
    )
    async def poster(
        self, now: Now, snapshot: SnapshotDep, keyring: NamedDependency[KeyRing], venue_id: VenueParam
    ) -> Response[bytes]:
        """An A4 poster for the venue's entrance: its name in vi/en and the QR code of a stamp token (organisers).

        `lehoi posters --out posters.pdf` prints every venue's poster into one PDF.
        """
        venue = snapshot.venue(venue_id)
        token = issue_stamp(keyring, venue_id=venue.id, now=now)
        body = posters.poster_svg(venue, snapshot.festival, token, keyring.signing_key_id)
        return Response(
            body,
            media_type="image/svg+xml",
            headers={"content-disposition": f'inline; filename="poster-{venue.id}.svg"'},
        )

    @get(
        "/me/stamps",
        guards=[attendee_device],
    )
    async def stamps(self, principal: Caller, snapshot: SnapshotDep) -> Passport:
        """The calling device's stamp passport: the venues it collected, first collection each."""
        return await passport(principal.subject, len(snapshot.venues))


def _record(row: dict) -> ScanRecord:
    def flag(value: object) -> bool:
        return value in (True, 1, "1")

    return ScanRecord(
        id=row["scan_id"],
        pass_id=row["pass_id"],
        venue_id=row["venue_id"],
        device_id=row["device_id"],
        scanned_at=row["scanned_at"],
        received_at=row["received_at"],
        status=row["status"],
        reason=row["reason"],
        offline=flag(row["offline"]),
        conflicts=conflicts_of(row["conflict"]),
        device_revoked=flag(row["device_revoked"]),
        verdict_shown=row["verdict_shown"],
    )


class OrganiserCheckinController(Controller):
    path = "/api/organiser"
    tags = ["check-ins", "organisers"]
    guards = [organiser_only]
    dependencies = {"board": Provide(provide_board, sync_to_thread=False)}

    @post("/passes/{pass_id:str}/revoke", raises=WriteErrors, status_code=200)
    async def revoke(
        self,
        now: Now,
        engine: EngineDep,
        snapshots: SnapshotsDep,
        principal: Caller,
        pass_id: PassParam,
        data: Annotated[RevokeRequest | None, Body()] = None,
    ) -> PassRevoked:
        """Revoke a pass: scans refuse it from now on, online at once and offline once phones sync. Idempotent."""
        at = await passes.revoke(
            engine,
            pass_id,
            principal.subject,
            data.reason if data else "",
            now,
        )
        await snapshots.written()
        return PassRevoked(pass_id=pass_id, revoked_at=at)

    @get("/stats/checkins", raises=ReadErrors)
    async def stats(
        self,
        now: Now,
        snapshot: SnapshotDep,
        board: NamedDependency[OccupancyBoard],
        by: Annotated[Literal["venue", "hour"], QueryParameter(description="rows per venue or per hour")] = "venue",
        day: Annotated[date | None, QueryParameter(description="a festival day; all days when omitted")] = None,
        venue: SlugQuery = None,
    ) -> CheckinStats:
        """Check-in figures for the dashboard per venue (with live occupancy) or per festival-local hour."""
        if venue is not None:
            snapshot.venue(venue)
        return await checkin_stats(by, day, venue, snapshot.venues, board, now)

    @get("/checkins", raises=ReadErrors)
    async def review(
        self,
        venue: SlugQuery = None,
        flagged: Annotated[bool, QueryParameter(description="only scans with a conflict flag")] = False,
        device_revoked: Annotated[bool, QueryParameter(description="only uploads of revoked devices")] = False,
        device: DeviceQuery = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    ) -> list[ScanRecord]:
        """Recorded scans, newest first, for review: flagged conflicts, revoked devices' uploads, one venue."""
        where = []
        if venue is not None:
            where.append(Scan.venue_id == venue)
        if flagged:
            where.append(Scan.conflict.is_not_null())
        if device_revoked:
            where.append(Scan.device_revoked == True)  # noqa: E712
        if device is not None:
            where.append(Scan.device_id == device)
        query = Scan.select().order_by(Scan.received_at, ascending=False).order_by(Scan.id).limit(limit)
        for clause in where:
            query = query.where(clause)
        return [_record(row) for row in await query]
