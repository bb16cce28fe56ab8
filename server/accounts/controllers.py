"""Sign-in for organisers."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, post
from litestar.exceptions import NotAuthorizedException
from litestar.params import Body

from server.accounts import service
from server.accounts.schemas import LoginRequest, LoginResponse
from server.http import AuthErrors, ReadErrors


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
