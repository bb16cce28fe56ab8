"""What every answer carries, set in one place: the security headers, HEAD wherever GET is, and conditional GET.

`Perimeter` wraps the whole app (server/app.py's `LehoiApp`), fast paths included, so no answer leaves without
its headers. `ConditionalGet` is a Litestar middleware: a GET whose handler states a `Cache-Control` gets an ETag
and answers a matching If-None-Match with 304.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from urllib.parse import urlsplit

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from server.settings import Settings

#: the PWA's policy: its own scripts, styles, workers and API; map tiles from the online tile server
_PWA_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "connect-src": "'self'",
    "worker-src": "'self'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
}
#: Swagger UI (/schema) is Litestar's page: its script and style come from jsDelivr and it starts with an inline
#: script holding the whole schema, so it cannot run without 'unsafe-inline'. The page reads nothing private (it
#: shows the public schema) and may still not be framed or post anywhere else.
_SWAGGER = "https://cdn.jsdelivr.net"
_SCHEMA_CSP = {
    **_PWA_CSP,
    "script-src": f"'self' 'unsafe-inline' {_SWAGGER}",
    "style-src": f"'self' 'unsafe-inline' {_SWAGGER}",
    "img-src": f"'self' data: {_SWAGGER}",
}
#: piccolo-admin (/admin) is a Vue app whose components inject <style> elements at run time, which needs 'unsafe-inline'
#: for styles (never for scripts: its scripts are its own files); its icons are inline `data:` images
_ADMIN_CSP = {**_PWA_CSP, "style-src": "'self' 'unsafe-inline'", "img-src": "'self' data:"}
#: Everything that is not a document nor a worker's script (modules, styles, images, JSON, calendars, tiles) gets
#: the policy OWASP gives such answers: stricter than the page's, not looser. A browser applies a CSP only to the
#: document or worker whose own answer carries it (a module or stylesheet runs under its page's policy), so on
#: these answers it matters only when one is opened directly: an SVG or a JSON then runs and loads nothing and
#: cannot be framed. It also spares ~200 bytes on each of the first visit's ~60 files (issue 26).
_RESOURCE_CSP = {"default-src": "'none'", "frame-ancestors": "'none'"}
#: worker scripts, which take their policy from their own answer: the service worker, and the page's workers in
#: pwa/js/worker/ (tests/api/test_http_semantics.py checks every `new Worker` script lives there)
_SERVICE_WORKER = "/sw.js"
_WORKERS = "/js/worker/"
#: camera (scanning passes) and geolocation (the map's "you are here") for this origin only; nothing else
_PERMISSIONS = "camera=(self), geolocation=(self), microphone=(), payment=(), usb=()"
#: a year, the span browsers' preload lists ask for
_HSTS = "max-age=31536000; includeSubDomains"

#: the three kinds of answer, each with its exact set of headers (`security_headers`)
DOCUMENT, WORKER, RESOURCE = "document", "worker", "resource"


def _policy(directives: dict[str, str]) -> bytes:
    return "; ".join(f"{name} {value}" for name, value in directives.items()).encode()


def _origin(url: str) -> str:
    parts = urlsplit(url.replace("{s}", "a"))
    return f"{parts.scheme}://{parts.netloc}"


def _area(path: str) -> str:
    return "/schema" if path.startswith("/schema") else "/admin" if path.startswith("/admin") else "/"


def kind_of(path: str, content_type: str) -> str:
    """Whether an answer to `path` of this Content-Type is a document (HTML), a worker's script, or a resource.

    A 304 is classed like the 200 it stands for, since a browser merges its headers into the copy it keeps: the
    only page answered 304 (index.html, server/pwa.py) sends its Content-Type along; the others are resources."""
    if content_type.startswith("text/html"):
        return DOCUMENT
    if path == _SERVICE_WORKER or path.startswith(_WORKERS):
        return WORKER
    return RESOURCE


def security_headers(settings: Settings, path: str, kind: str) -> list[tuple[bytes, bytes]]:
    """The security headers of an answer of this kind to `path` under these settings.

    Every answer: a CSP, nosniff, the Referrer-Policy (it also governs the referrer of what a stylesheet or worker
    fetches), Permissions-Policy and COOP (browsers read those two on documents only, but a client checking any
    answer finds the same rules: ~130 bytes each), and HSTS when the public address is https. A document gets its
    area's full policy and a worker's script the page's, which governs what the worker may fetch and import."""
    area = _area(path) if kind == DOCUMENT else "/"
    if kind == RESOURCE:
        csp = _RESOURCE_CSP
    elif area == "/schema":
        csp = _SCHEMA_CSP
    elif area == "/admin":
        csp = _ADMIN_CSP
    else:
        # the map's online layer draws tiles from LEHOI_TILE_URL's host (the offline basemap is same-origin), and
        # Leaflet blanks a tile it drops with a one-pixel data: GIF
        tiles = f" data: {_origin(settings.tile_url)}" if settings.tile_url else ""
        csp = {**_PWA_CSP, "img-src": f"'self'{tiles}"}
    headers = [
        (b"content-security-policy", _policy(csp)),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"permissions-policy", _PERMISSIONS.encode()),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if settings.public_https:
        headers.append((b"strict-transport-security", _HSTS.encode()))
    return headers


class Perimeter:
    """Wraps every HTTP answer of `app`: sets the security headers of its kind, answers HEAD as GET without the
    body, and puts HEAD in a 405's Allow wherever GET is."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._by_kind: dict[tuple[str, str], list[tuple[bytes, bytes]]] = {}

    def _headers(self, path: str, content_type: str) -> list[tuple[bytes, bytes]]:
        kind = kind_of(path, content_type)
        key = (kind, _area(path))  # what security_headers decides by
        headers = self._by_kind.get(key)
        if headers is None:
            headers = self._by_kind[key] = security_headers(self._settings, path, kind)
        return headers

    def sending(self, scope: Scope, send: Send) -> Send:
        """`send`, with the headers set on the answer's start and, for HEAD, its body left out."""
        path = scope["path"]
        head = scope["method"] == "HEAD"

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                for name, value in self._headers(path, headers.get("content-type", "")):
                    headers[name.decode()] = value.decode()
                if message["status"] == 405:
                    allowed = [m.strip() for m in headers.get("allow", "").split(",") if m.strip()]
                    if "GET" in allowed and "HEAD" not in allowed:
                        headers["allow"] = ", ".join(sorted([*allowed, "HEAD"]))
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        return wrapped


def as_get(scope: Scope) -> Scope:
    """A HEAD request's scope as the GET it mirrors (RFC 9110 §9.3.2: the same answer without its body, which
    `Perimeter.sending` drops); any other scope as it is."""
    return {**scope, "method": "GET"} if scope["type"] == "http" and scope["method"] == "HEAD" else scope


def _tags(if_none_match: str) -> list[str]:
    """The entity tags of an If-None-Match, compared weakly (§13.1.2); a malformed member matches nothing."""
    tags = []
    for member in if_none_match.split(","):
        tag = member.strip().removeprefix("W/")
        if tag == "*" or (len(tag) >= 2 and tag[0] == tag[-1] == '"'):
            tags.append(tag)
    return tags


def none_match(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header (absent: None) names `etag`, so a 304 answers: `*`, or the tag among a list,
    weakly compared; a malformed header is a miss."""
    if if_none_match is None:
        return False
    tags = _tags(if_none_match)
    return "*" in tags or etag.removeprefix("W/") in tags


# Most cacheable bodies are the snapshot's bytes, encoded once per programme version and sent as the same object
# each time; a bytes object keeps its hash once computed, so a repeat costs a lookup instead of a pass over ~160 KB.
@lru_cache(maxsize=64)
def strong_etag(body: bytes) -> str:
    """An ETag made from the bytes themselves."""
    return f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'


#: route handler → whether it, or its controller or router, states a Cache-Control
_CACHEABLE: dict[int, bool] = {}


def cacheable(handler: object) -> bool:
    if handler is None:
        return False
    found = _CACHEABLE.get(id(handler))
    if found is None:
        found = _CACHEABLE[id(handler)] = any(
            getattr(layer, "cache_control", None) is not None for layer in getattr(handler, "ownership_layers", ())
        )
    return found


class ConditionalGet(ASGIMiddleware):
    """A GET whose handler states how long its answer may be kept (`cache_control`) is cacheable: its 200 gets an
    ETag (the handler's own, else one made from the body) and a matching If-None-Match gets 304 without the body."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["method"] != "GET" or not cacheable(scope.get("route_handler")):
            await next_app(scope, receive, send)
            return
        if_none_match = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"if-none-match"), None)
        start: Message | None = None

        async def buffered(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start" and message["status"] == 200:
                start = message
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            held, start = start, None
            headers = MutableScopeHeaders.from_message(held)
            if message.get("more_body", False):
                # a streamed answer is sent as it comes, without a validator
                await send(held)
                await send(message)
                return
            etag = headers.get("etag") or strong_etag(message.get("body", b""))
            headers["etag"] = etag
            if none_match(if_none_match, etag):
                # 304 carries the validators and caching headers of the 200 it stands for, and no content
                await send(
                    {
                        "type": "http.response.start",
                        "status": 304,
                        "headers": [
                            (k, v) for k, v in held["headers"] if k.lower() not in (b"content-length", b"content-type")
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": b""})
                return
            await send(held)
            await send(message)

        await next_app(scope, receive, buffered)
