"""HTTP plumbing shared by every domain: the base URL, pre-encoded JSON answers, the error lists OpenAPI shows,
rate limits."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Protocol

import msgspec
from litestar import Request, Response
from litestar.datastructures import CacheControlHeader, MutableScopeHeaders
from litestar.exceptions import TooManyRequestsException, ValidationException
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import get_remote_address
from litestar.params import PathParameter, QueryParameter
from litestar.types import ASGIApp, Empty, Message, Receive, Scope, Send

from server.errors import Conflict, Invalid, NotFound
from server.state import CLOCK, StateKey
from sync.messages import INSTANT_RANGE, SLUG_PATTERN, UUID_PATTERN, instant_out_of_range

JSON = dict[str, Any]
#: an id in a path or a query (sync.messages.Slug in bodies)
SlugPath = Annotated[str, PathParameter(max_length=64, pattern=SLUG_PATTERN)]
SlugQuery = Annotated[str | None, QueryParameter(max_length=64, pattern=SLUG_PATTERN)]
#: a device's id (a UUID the server gave out) in a path or a query
DevicePath = Annotated[str, PathParameter(max_length=36, pattern=UUID_PATTERN, description="a device id")]
DeviceQuery = Annotated[str | None, QueryParameter(max_length=36, pattern=UUID_PATTERN, description="one device only")]

#: what an operation's `raises` lists: the refusals its domain raises. Those of guards, rate limits, bodies and
#: validation are read from the route itself (server/contract.py).
ReadErrors = [NotFound]
WriteErrors = [NotFound, Invalid, Conflict]


#: what every datetime in a request must be (sync.messages.Instant)
INSTANT_RULE = "an RFC 3339 date-time string with a UTC offset, like 2024-11-12T10:00:00+07:00"
#: msgspec's words for a value that is no such string
_NOT_AN_INSTANT = ("Expected `datetime", "Invalid RFC3339")


def invalid_input(request: Request, key: str, message: str, source: str) -> ValidationException:
    """The 422 Litestar gives any invalid input, naming the one field at fault."""
    return ValidationException(
        detail=f"Validation failed for {request.method} {request.url.path}",
        extra=[{"message": message, "key": key, "source": source}],
    )


class StrictJsonRequest(Request):
    """A request whose JSON body is held to JSON's own types before the handler's `data` is made from it.

    Litestar reads a body into plain values and converts them to the handler's type in lax mode, which reads a
    number as a datetime (`"starts_at": 0` became 1970) and the string "1" as an integer. Here the plain values
    are converted in msgspec's strict mode instead: a datetime is an RFC 3339 string and nothing else. A body that
    does not fit is the 422 Litestar gives any invalid input; the typed value is handed on, and Litestar's own
    conversion passes it through unchanged.
    """

    async def json(self) -> Any:
        field = self.route_handler.parsed_data_field
        if field is None or self._json is not Empty or self._connection_state.json is not Empty:
            return await super().json()
        plain = await super().json()
        try:
            typed = msgspec.convert(plain, field.annotation, strict=True)
        except msgspec.ValidationError as exc:
            message, _, path = str(exc).partition(" - at `")
            key = path.rstrip("`").removeprefix("$").lstrip(".") or "body"
            if message.startswith(_NOT_AN_INSTANT):
                message = f"{key} must be {INSTANT_RULE} ({message})"
            raise invalid_input(self, key, message, "body") from None
        key = instant_out_of_range(typed)
        if key is not None:
            raise invalid_input(self, key, f"{key} must be {INSTANT_RANGE}", "body")
        self._json = self._connection_state.json = typed
        return typed


#: RFC 3339's date-time (section 5.6): a full date, a time to the second and an offset; no leap second or 24:00,
#: which Python's datetime cannot hold
_RFC3339 = re.compile(
    r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?"
    r"([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)"
)
#: route handler → the query parameters it reads as datetimes
_INSTANT_QUERIES: dict[int, tuple[str, ...]] = {}


def _instant_queries(request: Request) -> tuple[str, ...]:
    handler = request.route_handler
    names = _INSTANT_QUERIES.get(id(handler))
    if names is None:
        names = tuple(
            getattr(field.kwarg_definition, "name", None) or name
            for name, field in handler.parsed_fn_signature.parameters.items()
            if field.annotation is datetime or any(inner.annotation is datetime for inner in field.inner_types)
        )
        _INSTANT_QUERIES[id(handler)] = names
    return names


def _query_instant(value: str) -> datetime | None:
    """The instant an RFC 3339 string names; None for any other text (a Unix time, 30 February)."""
    if not _RFC3339.fullmatch(value):
        return None
    try:
        return msgspec.convert(value, datetime)
    except msgspec.ValidationError:
        return None


async def strict_query_instants(request: Request) -> None:
    """Before a handler: a datetime in the query string is an RFC 3339 string with an offset between 1900 and 3000,
    as in bodies.

    Litestar reads query values in lax mode, where `depart_at=1731380400` is a Unix time; only the string form is
    an instant here, so every endpoint reads one the same way (see `StrictJsonRequest`)."""
    for name in _instant_queries(request):
        for value in request.query_params.getall(name, []):
            at = _query_instant(value)
            if at is None:
                raise invalid_input(request, name, f"{name} must be {INSTANT_RULE}", "query")
            if instant_out_of_range(at, name) is not None:
                raise invalid_input(request, name, f"{name} must be {INSTANT_RANGE}", "query")


def base_url(request: Request) -> str:
    """The address the caller used, without a trailing slash: links in answers point back there."""
    return str(request.base_url).rstrip("/")


class HitCounter(Protocol):
    """Where rate limits count (`server.db.limits`): one store for every process and host."""

    async def hit(self, bucket: str, window_s: float) -> tuple[int, float]:
        """Count one request of `bucket`: (hits in the current window, seconds until it ends)."""
        ...


RATE_COUNTER: StateKey[HitCounter] = StateKey("rate_counter")
#: seconds of one rate-limit window
RATE_WINDOW_S = 60


class RateLimit:
    """At most `per_minute` requests a window per identified client; past it, 429 with Retry-After, which phones
    and HTTP clients honour. Counted in the shared store before the body is read, so every worker and host spends
    one budget and a refused body spends it as a wrong password would."""

    def __init__(self, app: ASGIApp, name: str, per_minute: int, identify: Callable[[Request], str]) -> None:
        self.app = app
        self.name = name
        self.per_minute = per_minute
        self.identify = identify

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            bucket = f"{self.name}:{self.identify(Request(scope))}"
            hits, wait_s = await RATE_COUNTER.of(scope["app"].state).hit(bucket, RATE_WINDOW_S)
            if hits > self.per_minute:
                raise TooManyRequestsException(
                    f"too many requests; try again in {math.ceil(wait_s)} s",
                    headers={"Retry-After": str(max(1, math.ceil(wait_s)))},
                )
        await self.app(scope, receive, send)


def rate_limit(name: str, per_minute: int, identify: Callable[[Request], str] = get_remote_address) -> DefineMiddleware:
    """At most `per_minute` requests a minute per client address (or whatever `identify` names), across every
    process; past it, 429 with Retry-After. Each limit counts under a name of its own, so sign-ins never use up a
    venue's device registrations."""
    return DefineMiddleware(RateLimit, name=name, per_minute=per_minute, identify=identify)


#: the `opt` key of a GET that answers If-None-Match with 304 by validators of its own (the bundle), so the contract
#: documents its 304 as it does ConditionalGet's
CONDITIONAL = "conditional"

#: the Cache-Control of a read made from the programme: a client keeps it but asks again before each use, which a
#: 304 answers cheaply while the programme is unchanged (server/headers.py `ConditionalGet` adds the ETag)
REVALIDATE = CacheControlHeader(no_cache=True)


def version_etag(version: int, request: Request) -> str:
    """A weak ETag for an answer made from the programme at `version` for this URL: two such answers differ at
    most in when they were made (an iCalendar's DTSTAMP), so the bytes cannot be the validator."""
    key = f"{version} {request.url}".encode()
    return f'W/"{hashlib.blake2b(key, digest_size=16).hexdigest()}"'


def json_response(body: bytes, media_type: str = "application/json", **kwargs: Any) -> Response[Any]:
    """Bytes already encoded as JSON, sent as they are."""
    return Response(body, media_type=media_type, **kwargs)


async def stamp_festival_now(message: Message, scope: Scope) -> None:
    """Every API answer says what time the festival clock reads, so a phone shows "today" as the server
    sees it (a 2024 demo opens on its demo day, not the phone's date)."""
    if message["type"] == "http.response.start" and scope["path"].startswith("/api/"):
        headers = MutableScopeHeaders.from_message(message)
        headers["X-Lehoi-Now"] = CLOCK.of(scope["app"].state).now().isoformat()
