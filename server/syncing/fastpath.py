"""GET (and HEAD) /api/sync/bundle, and /api/sync/changes from the current version, answered before the framework
routes the request.

The bundle is the one response every phone asks for on every start, and the change feed from the version it holds
the one it asks for on every sync; both answers' bytes are ready in memory, so the work left is headers. Going
through routing, dependency injection and response building would cost more than sending the bytes (a plain
Litestar handler runs at under half the rate of a bare ASGI app here). `bundle_answer` is the single definition of
the bundle's answer, and `ChangeFeed.encoded` of the feed's; the documented Litestar handlers use them too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import lru_cache

from litestar.types import Message, Receive, Scope, Send

from server.headers import none_match
from sync.bundle import BuiltBundle, negotiate

BUNDLE_PATH = "/api/sync/bundle"
CHANGES_PATH = "/api/sync/changes"
#: longest version a cursor written in its canonical digits can be (the routed handler answers any other)
_CURSOR_DIGITS = 18


def bundle_answer(
    built: BuiltBundle, accept_encoding: str | None, if_none_match: str | None
) -> tuple[int, dict[str, str], bytes]:
    encoding = negotiate(accept_encoding)
    headers = {"etag": built.etag(encoding), "cache-control": "no-cache", "vary": "Accept-Encoding"}
    if any(none_match(if_none_match, tag) for tag in built.etags()):
        return 304, headers, b""
    headers["content-type"] = "application/json"
    if encoding:
        headers["content-encoding"] = encoding
    return 200, headers, built.body(encoding)


def is_bundle_request(scope: Scope) -> bool:
    return scope["type"] == "http" and scope["path"] == BUNDLE_PATH and scope["method"] in ("GET", "HEAD")


_EMPTY = {"type": "http.response.body", "body": b""}


@lru_cache(maxsize=16)
def _messages(built: BuiltBundle, accept_encoding: str | None, if_none_match: str | None) -> tuple[dict, dict]:
    # Phones send a handful of distinct header values, so each answer's ASGI messages are built once per bundle.
    status, headers, body = bundle_answer(built, accept_encoding, if_none_match)
    raw = [(k.encode(), v.encode()) for k, v in headers.items()]
    raw.append((b"content-length", str(len(body)).encode()))
    return (
        {"type": "http.response.start", "status": status, "headers": raw},
        {"type": "http.response.body", "body": body},
    )


async def serve_bundle(scope: Scope, receive: Receive, send: Send, built: BuiltBundle) -> None:
    """The bundle's answer. Unlike the other /api/ answers it does not say the festival time (X-Lehoi-Now): a CDN
    may keep it, and a kept time would be wrong; phones learn the time from a sync's other calls."""
    accept_encoding = if_none_match = None
    for name, value in scope["headers"]:
        if name == b"accept-encoding":
            accept_encoding = value.decode("latin-1")
        elif name == b"if-none-match":
            if_none_match = value.decode("latin-1")
    start, body = _messages(built, accept_encoding, if_none_match)
    await send(start)
    await send(body if scope["method"] == "GET" else _EMPTY)


def changes_cursor(scope: Scope) -> int | None:
    """The version a GET or HEAD of the change feed asks from when its query is exactly `since=<version>` in
    canonical digits; None for anything else, which the routed handler answers (refusals included)."""
    if scope["type"] != "http" or scope["path"] != CHANGES_PATH or scope["method"] not in ("GET", "HEAD"):
        return None
    query: bytes = scope["query_string"]
    digits = query[6:]
    if (
        not query.startswith(b"since=")
        or not digits.isdigit()
        or len(digits) > _CURSOR_DIGITS
        or (digits[0] == 0x30 and len(digits) > 1)
    ):
        return None
    return int(digits)


async def serve_changes(
    scope: Scope, send: Send, body: bytes, stamp: Callable[[Message, Scope], Awaitable[None]]
) -> None:
    """The change feed's answer, as the routed handler gives it: JSON, with what `stamp` adds (the festival time)."""
    start: Message = {
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
    }
    await stamp(start, scope)
    await send(start)
    await send({"type": "http.response.body", "body": body} if scope["method"] == "GET" else _EMPTY)
