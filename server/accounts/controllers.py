"""Sign-in for organisers; anonymous devices and what the server holds for them."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, Router, get, post
from litestar.exceptions import NotAuthorizedException
from litestar.params import Body, PathParameter

from server.accounts import service, volunteers
from server.accounts.devices import register_device
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
from server.auth import Caller, attendee_device, organiser_only
from server.codecs import qr
from server.errors import Gone
from server.http import AuthErrors, RateLimited, ReadErrors, WriteErrors, base_url, json_response, rate_limit

#: organiser sign-ins per client address and minute: enough for a team behind one address, too few to guess
LOGIN_RATE_PER_MINUTE = 10


def organiser_login() -> Router:
    """POST /api/auth/login behind its own rate limit (passwords must not be guessed)."""

    @post("/auth/login", raises=[*ReadErrors, *AuthErrors, *RateLimited], status_code=200, tags=["accounts"])
    async def login(request: Request, data: Annotated[LoginRequest, Body()]) -> LoginResponse:
        """Exchange an organiser's email and password for a bearer token. Rate-limited."""
        result = await service.login(data.email, data.password, request.app.state.clock.now())
        if result is None:
            raise NotAuthorizedException("wrong email or password")
        token, expires_at = result
        return LoginResponse(token=token, expires_at=expires_at)

    return Router("/api", route_handlers=[login], middleware=[rate_limit("login", LOGIN_RATE_PER_MINUTE)])


def device_registration(per_minute: int) -> Router:
    """POST /api/devices behind its own rate limit."""

    @post("/devices", raises=RateLimited, status_code=201, tags=["devices"])
    async def register(request: Request) -> DeviceCreated:
        """Register an anonymous attendee device; keep the token, it is shown only once. Rate-limited."""
        device_id, token = await register_device(request.app.state.clock.now())
        return DeviceCreated(device_id=device_id, token=token)

    return Router("/api", route_handlers=[register], middleware=[rate_limit("devices", per_minute)])


class DeviceController(Controller):
    path = "/api"
    tags = ["devices"]

    @get("/me", guards=[attendee_device], raises=AuthErrors)
    async def me(self, request: Request, principal: Caller) -> Response[DeviceState]:
        """The calling device's favourites and settings, as the server holds them."""
        return json_response(await request.app.state.device_states.encoded(principal.subject))


def volunteer_enrolment(per_minute: int) -> Router:
    """POST /api/volunteers/enrol behind its own rate limit (codes must not be guessed)."""

    @post("/volunteers/enrol", raises=[*ReadErrors, Gone, *RateLimited], status_code=201, tags=["volunteers"])
    async def enrol(request: Request, data: Annotated[EnrolRequest, Body()]) -> VolunteerEnrolled:
        """Become a volunteer device for the venues of an organiser's enrolment code. Rate-limited.

        404 for an unknown code, 410 for an expired or used-up one. Keep the token: it is shown only once.
        """
        device_id, token, venues = await volunteers.enrol(
            request.app.state.engine, data.code, request.app.state.clock.now()
        )
        return VolunteerEnrolled(device_id=device_id, token=token, venues=venues)

    return Router("/api", route_handlers=[enrol], middleware=[rate_limit("enrolment", per_minute)])


class OrganiserVolunteerController(Controller):
    """Enrolment codes and volunteer devices (organisers)."""

    path = "/api/organiser"
    tags = ["volunteers", "organisers"]
    guards = [organiser_only]

    @post("/enrolment-codes", raises=WriteErrors, status_code=201)
    async def create_code(
        self, request: Request, principal: Caller, data: Annotated[EnrolmentCodeRequest, Body()]
    ) -> EnrolmentCodeCreated:
        """A code volunteers scan to enrol for these venues until `expires_at` (at most 30 days ahead)."""
        snapshot = await request.app.state.snapshots.get()
        code = await volunteers.create_code(
            data.venue_ids,
            set(snapshot.venues),
            data.expires_at,
            data.max_uses,
            principal.subject,
            request.app.state.clock.now(),
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

    @get("/enrolment-codes/{code:str}/qr.svg", raises=[*ReadErrors, *AuthErrors, Gone], media_type="image/svg+xml")
    async def code_qr(
        self, request: Request, code: Annotated[str, PathParameter(min_length=4, max_length=64)]
    ) -> Response[bytes]:
        """The enrolment code as a QR code to show volunteers; it opens the app's enrolment screen."""
        await volunteers.usable_code(code, request.app.state.clock.now())
        body = qr.svg(volunteers.enrol_url(base_url(request), volunteers.normalise(code)))
        return Response(body, media_type="image/svg+xml", headers={"cache-control": "no-store"})

    @get("/volunteers", raises=AuthErrors)
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
        self, request: Request, device_id: Annotated[str, PathParameter(max_length=64)]
    ) -> VolunteerRevoked:
        """Revoke a volunteer device: refused from now on (403), its later uploads kept for review. Idempotent."""
        at = await volunteers.revoke_volunteer(request.app.state.engine, device_id, request.app.state.clock.now())
        request.app.state.principals.revoked(device_id)
        return VolunteerRevoked(device_id=device_id, revoked_at=at)
