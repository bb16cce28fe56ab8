"""Sign-in for organisers; anonymous devices and what the server holds for them."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Router, get, post
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.exceptions import NotAuthorizedException
from litestar.params import Body

from server.accounts import service
from server.accounts.devices import device_state, register_device
from server.accounts.guards import attendee_device, require_role
from server.accounts.schemas import DeviceCreated, DeviceState, LoginRequest, LoginResponse
from server.http import AuthErrors, ReadErrors, TooManyRequestsException


class AuthController(Controller):
    path = "/api/auth"
    tags = ["accounts"]

    @post("/login", raises=[*ReadErrors, *AuthErrors], status_code=200)
    async def login(self, request: Request, data: Annotated[LoginRequest, Body()]) -> LoginResponse:
        """Exchange an organiser's email and password for a bearer token."""
        result = await service.login(data.email, data.password, request.app.state.clock.now())
        if result is None:
            raise NotAuthorizedException("wrong email or password")
        token, expires_at = result
        return LoginResponse(token=token, expires_at=expires_at)


def device_rate_limit(per_minute: int) -> RateLimitConfig:
    """Registrations per client address and minute; past it, 429 with Retry-After."""
    return RateLimitConfig(rate_limit=("minute", per_minute), set_rate_limit_headers=True)


def device_registration(per_minute: int) -> Router:
    """POST /api/devices behind its own rate limit."""

    @post("/devices", raises=[TooManyRequestsException], status_code=201, tags=["devices"])
    async def register(request: Request) -> DeviceCreated:
        """Register an anonymous attendee device; keep the token, it is shown only once. Rate-limited."""
        device_id, token = await register_device(request.app.state.clock.now())
        return DeviceCreated(device_id=device_id, token=token)

    return Router("/api", route_handlers=[register], middleware=[device_rate_limit(per_minute).middleware])


class DeviceController(Controller):
    path = "/api"
    tags = ["devices"]

    @get("/me", guards=[attendee_device], raises=AuthErrors)
    async def me(self, request: Request) -> DeviceState:
        """The calling device's favourites and settings, as the server holds them."""
        principal = await require_role(request, "attendee", "volunteer")
        return DeviceState(**(await device_state(principal.subject)))
