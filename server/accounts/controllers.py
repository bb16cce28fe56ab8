"""Sign-in for organisers; anonymous devices and what the server holds for them."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from litestar.params import Body, PathParameter

from server.accounts import service, volunteers
from server.accounts.devices import register_device
from server.accounts.principal import TokenLookup
from server.accounts.schemas import (
    DeviceCreated,
    DeviceState,
    EnrolmentCodeCreated,
    EnrolmentCodeRequest,
    EnrolRequest,
    LoginRequest,
    LoginResponse,
    VolunteerDevice,
    VolunteerEnrolled,
    VolunteerRevoked,
)
from server.accounts.states import DeviceStates
from server.auth import Caller, attendee_device, organiser_only
from server.codecs import qr
from server.domain import EngineDep, Now, SnapshotsDep
from server.errors import Gone
from server.http import DevicePath, ReadErrors, WriteErrors, base_url, json_response, rate_limit
from server.programme.snapshot import SnapshotDep

#: organiser sign-ins per client address and minute: enough for a team behind one address, too few to guess
LOGIN_RATE_PER_MINUTE = 10


def organiser_login() -> Router:
    """POST /api/auth/login behind its own rate limit (passwords must not be guessed)."""

    @post("/auth/login", raises=[NotAuthorizedException], status_code=200, tags=["accounts"])
    async def login(now: Now, data: Annotated[LoginRequest, Body()]) -> LoginResponse:
        """Exchange an organiser's email and password for a bearer token. Rate-limited."""
        result = await service.login(data.email, data.password, now)
        if result is None:
            raise NotAuthorizedException("wrong email or password")
        token, expires_at = result
        return LoginResponse(token=token, expires_at=expires_at)

    return Router("/api", route_handlers=[login], middleware=[rate_limit("login", LOGIN_RATE_PER_MINUTE)])


def device_registration(per_minute: int) -> Router:
    """POST /api/devices behind its own rate limit."""

    @post("/devices", status_code=201, tags=["devices"])
    async def register(now: Now) -> DeviceCreated:
        """Register an anonymous attendee device; keep the token, it is shown only once. Rate-limited."""
        device_id, token = await register_device(now)
        return DeviceCreated(device_id=device_id, token=token)

    return Router("/api", route_handlers=[register], middleware=[rate_limit("devices", per_minute)])


class DeviceController(Controller):
    path = "/api"
    tags = ["devices"]

    @get(
        "/me",
        guards=[attendee_device],
    )
    async def me(self, device_states: NamedDependency[DeviceStates], principal: Caller) -> Response[DeviceState]:
        """The calling device's favourites and settings, as the server holds them."""
        return json_response(await device_states.encoded(principal.subject))


def volunteer_enrolment(per_minute: int) -> Router:
    """POST /api/volunteers/enrol behind its own rate limit (codes must not be guessed)."""

    @post("/volunteers/enrol", raises=[*ReadErrors, Gone], status_code=201, tags=["volunteers"])
    async def enrol(now: Now, engine: EngineDep, data: Annotated[EnrolRequest, Body()]) -> VolunteerEnrolled:
        """Become a volunteer device for the venues of an organiser's enrolment code. Rate-limited.

        404 for an unknown code, 410 for an expired or used-up one. Keep the token: it is shown only once.
        """
        device_id, token, venues = await volunteers.enrol(engine, data.code, now)
        return VolunteerEnrolled(device_id=device_id, token=token, venues=venues)

    return Router("/api", route_handlers=[enrol], middleware=[rate_limit("enrolment", per_minute)])


class OrganiserVolunteerController(Controller):
    """Enrolment codes and volunteer devices (organisers)."""

    path = "/api/organiser"
    tags = ["volunteers", "organisers"]
    guards = [organiser_only]

    @post("/enrolment-codes", raises=WriteErrors, status_code=201)
    async def create_code(
        self,
        request: Request,
        now: Now,
        snapshot: SnapshotDep,
        snapshots: SnapshotsDep,
        principal: Caller,
        data: Annotated[EnrolmentCodeRequest, Body()],
    ) -> EnrolmentCodeCreated:
        """A code volunteers scan to enrol for these venues until `expires_at` (at most 30 days ahead)."""
        snapshot = snapshot
        code = await volunteers.create_code(
            data.venue_ids,
            set(snapshot.venues),
            data.expires_at,
            data.max_uses,
            principal.subject,
            now,
        )
        base = base_url(request)
        return EnrolmentCodeCreated(
            code=code,
            venue_ids=sorted(set(data.venue_ids)),
            expires_at=data.expires_at,
            max_uses=data.max_uses,
            qr_svg=f"{base}/api/organiser/enrolment-codes/{code}/qr.svg",
            enrol_url=volunteers.enrol_url(base, code),
        )

    @get("/enrolment-codes/{code:str}/qr.svg", raises=[*ReadErrors, Gone], media_type="image/svg+xml")
    async def code_qr(
        self, request: Request, now: Now, code: Annotated[str, PathParameter(min_length=4, max_length=64)]
    ) -> Response[bytes]:
        """The enrolment code as a QR code to show volunteers; it opens the app's enrolment screen."""
        await volunteers.usable_code(code, now)
        body = qr.svg(volunteers.enrol_url(base_url(request), volunteers.normalise(code)))
        return Response(body, media_type="image/svg+xml", headers={"cache-control": "no-store"})

    @get(
        "/volunteers",
    )
    async def list_volunteers(self) -> list[VolunteerDevice]:
        """Every volunteer device, with its venues and whether it was revoked."""
        return [
            VolunteerDevice(
                device_id=r["id"],
                venues=list(r["venues"] or []),
                enrolled_at=r["created_at"],
                revoked_at=r["revoked_at"],
            )
            for r in await volunteers.volunteers()
        ]

    @post("/volunteers/{device_id:str}/revoke", raises=WriteErrors, status_code=200)
    async def revoke(
        self,
        now: Now,
        engine: EngineDep,
        principals: NamedDependency[TokenLookup],
        device_id: DevicePath,
    ) -> VolunteerRevoked:
        """Revoke a volunteer device: refused from now on (403), its later uploads kept for review. Idempotent."""
        at = await volunteers.revoke_volunteer(engine, device_id, now)
        principals.revoked(device_id)
        return VolunteerRevoked(device_id=device_id, revoked_at=at)
