"""Route guards: 401 without a valid token, 403 with a token of the wrong role."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from server.accounts.principal import Principal, Role, resolve_principal


async def require_role(connection: ASGIConnection, *roles: Role, allow_revoked: bool = False) -> Principal:
    principal = await resolve_principal(connection, allow_revoked=True)
    if principal is None:
        raise NotAuthorizedException("a valid bearer token is required (Authorization: Bearer …)")
    if principal.revoked and not allow_revoked:
        raise PermissionDeniedException("device_revoked: an organiser revoked this device; enrol it again")
    if principal.role not in roles:
        raise PermissionDeniedException(f"this needs the role {' or '.join(roles)}, not {principal.role}")
    return principal


async def organiser_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    await require_role(connection, "organiser")


async def attendee_device(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    await require_role(connection, "attendee", "volunteer")


async def volunteer_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    await require_role(connection, "volunteer")


async def device_upload(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """A device's mutation upload: revoked devices pass too, so what they recorded is kept for review."""
    await require_role(connection, "attendee", "volunteer", allow_revoked=True)
