"""Who is calling, and the one way a route requires a role.

A route names the roles it admits with a guard (`organiser_only`, `attendee_device`, `volunteer_only`,
`device_upload`, or `RoleGuard(...)`): 401 without a valid bearer token, 403 with a token of another role. The guard
resolves the token once per request through the lookup the accounts domain puts on the app's state
(`state.principals`, a `PrincipalLookup`), and a handler that needs the caller takes the `principal` dependency,
which hands out what the guard admitted.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal, Protocol

import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from server.state import CLOCK, StateKey

Role = Literal["organiser", "attendee", "volunteer"]


class Principal(msgspec.Struct, frozen=True):
    role: Role
    #: organiser user id or device id
    subject: str
    venues: tuple[str, ...] = ()
    #: a device an organiser revoked: refused everywhere (403) except the mutation upload, which keeps its
    #: check-in scans for review and answers each mutation `rejected` with reason `device_revoked`
    revoked: bool = False


class PrincipalLookup(Protocol):
    async def lookup(self, token: str, now: datetime) -> Principal | None:
        """The holder of `token`, or None when it is unknown or expired."""
        ...


#: who holds a bearer token, as the accounts domain keeps it (its TokenLookup)
PRINCIPALS: StateKey[PrincipalLookup] = StateKey("principals")


def bearer_token(connection: ASGIConnection) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def token_hash(token: str) -> str:
    """What is stored of a bearer token (its SHA-256), and what names its holder in logs and rate limits."""
    return hashlib.sha256(token.encode()).hexdigest()


async def resolve_principal(connection: ASGIConnection) -> Principal | None:
    """The caller behind the bearer token (revoked devices included), or None; looked up once per request."""
    state = connection.scope.setdefault("state", {})
    if "principal" not in state:
        token = bearer_token(connection)
        app_state = connection.app.state
        lookup, now = PRINCIPALS.of(app_state), CLOCK.of(app_state).now()
        state["principal"] = await lookup.lookup(token, now) if token else None
    return state["principal"]


class RoleGuard:
    """A guard admitting these roles; a revoked device only where `allow_revoked`. It keeps its roles, so the
    OpenAPI contract names the credentials each operation takes (server/contract.py)."""

    def __init__(self, *roles: Role, allow_revoked: bool = False) -> None:
        self.roles = roles
        self.allow_revoked = allow_revoked

    async def __call__(self, connection: ASGIConnection, _: BaseRouteHandler) -> None:
        principal = await resolve_principal(connection)
        if principal is None:
            raise NotAuthorizedException("a valid bearer token is required (Authorization: Bearer …)")
        if principal.revoked and not self.allow_revoked:
            raise PermissionDeniedException("device_revoked: an organiser revoked this device; enrol it again")
        if principal.role not in self.roles:
            raise PermissionDeniedException(f"this needs the role {' or '.join(self.roles)}, not {principal.role}")


organiser_only = RoleGuard("organiser")
attendee_device = RoleGuard("attendee", "volunteer")
volunteer_only = RoleGuard("volunteer")
#: a device's mutation upload: revoked devices pass too, so what they recorded is kept for review
device_upload = RoleGuard("attendee", "volunteer", allow_revoked=True)


#: a handler's parameter for the caller its guard admitted (the app provides `principal`)
Caller = NamedDependency[Principal]


def provide_principal(request: Request) -> Principal:
    """The caller the route's guard admitted."""
    principal = request.scope.get("state", {}).get("principal")
    if principal is None:  # a handler without a guard asked for the caller
        raise NotAuthorizedException("a valid bearer token is required (Authorization: Bearer …)")
    return principal
