"""HTTP plumbing shared by every domain: the base URL, pre-encoded JSON answers, the error lists OpenAPI shows,
rate limits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request, Response
from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import (
    NotAuthorizedException,
    PermissionDeniedException,
    TooManyRequestsException,
    ValidationException,
)
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig, RateLimitMiddleware, get_remote_address
from litestar.types import Message, Receive, Scope, Send

from server.errors import Conflict, Invalid, NotFound

JSON = dict[str, Any]

#: what an operation's `raises` lists: Litestar's own refusals (bad parameters, guards, rate limits) and lehoi's
ReadErrors = [NotFound, ValidationException]
AuthErrors = [NotAuthorizedException, PermissionDeniedException]
WriteErrors = [*ReadErrors, *AuthErrors, Invalid, Conflict]
RateLimited = [TooManyRequestsException]


def base_url(request: Request) -> str:
    """The address the caller used, without a trailing slash: links in answers point back there."""
    return str(request.base_url).rstrip("/")


class _RateLimitWithRetryAfter(RateLimitMiddleware):
    """Litestar's limit, whose 429 also says when to come back: Retry-After, which phones and HTTP clients honour
    (Litestar sends only the RateLimit-* draft headers)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except TooManyRequestsException as exc:
            reset = (exc.headers or {}).get(self.config.rate_limit_reset_header_key)
            if reset is not None:
                exc.headers = {**exc.headers, "Retry-After": reset}
            raise


def rate_limit(name: str, per_minute: int,
               identify: Callable[[Request], str] = get_remote_address) -> DefineMiddleware:
    """At most `per_minute` requests a minute per client address (or whatever `identify` names); past it, 429 with
    Retry-After. Each limit counts in a store of its own: Litestar keys counts by the identifier alone, so limits
    sharing a store would spend one budget (sign-ins using up a venue's device registrations)."""
    return RateLimitConfig(rate_limit=("minute", per_minute), set_rate_limit_headers=True,
                           identifier_for_request=identify, store=f"rate-limit:{name}",
                           middleware_class=_RateLimitWithRetryAfter).middleware


def json_response(body: bytes, media_type: str = "application/json", **kwargs: Any) -> Response[Any]:
    """Bytes already encoded as JSON, sent as they are."""
    return Response(body, media_type=media_type, **kwargs)


async def stamp_festival_now(message: Message, scope: Scope) -> None:
    """Every API answer says what time the festival clock reads, so a phone shows "today" as the server
    sees it (a 2024 demo opens on its demo day, not the phone's date)."""
    if message["type"] == "http.response.start" and scope["path"].startswith("/api/"):
        headers = MutableScopeHeaders.from_message(message)
        headers["X-Lehoi-Now"] = scope["app"].state.clock.now().isoformat()
