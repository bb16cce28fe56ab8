"""HTTP plumbing shared by every domain: pre-encoded JSON answers and the error lists OpenAPI shows."""

from __future__ import annotations

from typing import Any

from litestar import Response
from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import (
    ClientException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.status_codes import HTTP_409_CONFLICT, HTTP_429_TOO_MANY_REQUESTS
from litestar.types import Message, Scope

JSON = dict[str, Any]


class ConflictException(ClientException):
    status_code = HTTP_409_CONFLICT


class TooManyRequestsException(ClientException):
    status_code = HTTP_429_TOO_MANY_REQUESTS


ReadErrors = [NotFoundException, ValidationException]
AuthErrors = [NotAuthorizedException, PermissionDeniedException]
WriteErrors = [*ReadErrors, *AuthErrors, ConflictException]


def json_response(body: bytes, media_type: str = "application/json", **kwargs: Any) -> Response[Any]:
    """Bytes already encoded as JSON, sent as they are."""
    return Response(body, media_type=media_type, **kwargs)


async def stamp_festival_now(message: Message, scope: Scope) -> None:
    """Every API answer says what time the festival clock reads, so a phone shows "today" as the server
    sees it (a 2024 demo opens on its demo day, not the phone's date)."""
    if message["type"] == "http.response.start" and scope["path"].startswith("/api/"):
        headers = MutableScopeHeaders.from_message(message)
        headers["X-Lehoi-Now"] = scope["app"].state.clock.now().isoformat()
