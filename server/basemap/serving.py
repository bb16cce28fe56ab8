"""GET and HEAD /tiles/{name}.pmtiles: the basemap archive with byte ranges (RFC 9110 §13–14), from memory.

A PMTiles reader fetches one range per directory or tile, so this answer is the map's hot path: a bare ASGI app
answering /tiles/ before Litestar routes (`Domain.fast_paths`), with the headers it can prepare made once,
because routing, dependency injection and response building would cost more than slicing the bytes.

- Only the one basemap's name is served; any other path is 404, so no path reaches the file system.
- `ETag` is strong and from the content; `If-None-Match` (weak comparison, §13.1.2) → 304.
- `Range` on GET: one satisfiable range → 206 with `Content-Range`; wholly past the end → 416 with
  `Content-Range: bytes */LEN`; malformed or several ranges → 200 with the whole file (see ranges.py).
  `If-Range` with a different entity tag or date → the whole file. HEAD ignores `Range` (§14.2: ranges are
  defined for GET only).
- `Cache-Control`: the map entry's URL carries `?v=<version>`, so an answer to the current version's URL never
  changes and is `immutable`; without it (or with an old one) caches revalidate (`no-cache`), cheap with the ETag.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from litestar.types import Receive, Scope, Send

from server.basemap.archive import SUFFIX, URL_PREFIX, Basemap
from server.basemap.ranges import Unsatisfiable, byte_range
from server.headers import none_match

IMMUTABLE = b"public, max-age=31536000, immutable"
REVALIDATE = b"public, no-cache"


def _plain(status: int, detail: bytes, extra: list[tuple[bytes, bytes]] = ()) -> tuple[dict, dict]:
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(detail)).encode()), *extra]
    return (
        {"type": "http.response.start", "status": status, "headers": headers},
        {"type": "http.response.body", "body": detail},
    )


class TileServer:
    """The ASGI app answering under /tiles for one basemap (or none: every path is then 404)."""

    def __init__(self, basemap: Basemap | None) -> None:
        self._basemap = basemap
        self._path = f"{URL_PREFIX}{basemap.name}{SUFFIX}" if basemap else None
        self._not_found = _plain(404, b"no such basemap")
        if basemap is None:
            return
        self._length = len(basemap.data)
        self._etag = basemap.etag
        self._common = [
            (b"accept-ranges", b"bytes"),
            (b"etag", basemap.etag.encode()),
            (b"last-modified", basemap.last_modified.encode()),
        ]
        self._content_type = (b"content-type", b"application/vnd.pmtiles")
        self._whole_length = (b"content-length", str(self._length).encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._basemap is None or scope["path"] != self._path:
            await self._send(send, *self._not_found)
            return
        method = scope["method"]
        if method not in ("GET", "HEAD"):
            await self._send(send, *_plain(405, b"only GET and HEAD", [(b"allow", b"GET, HEAD")]))
            return
        range_header = if_range = if_none_match = None
        for name, value in scope["headers"]:
            if name == b"range":
                range_header = value.decode("latin-1")
            elif name == b"if-none-match":
                if_none_match = value.decode("latin-1")
            elif name == b"if-range":
                if_range = value.decode("latin-1").strip()
        headers = [*self._common, (b"cache-control", self._cache_control(scope))]
        if none_match(if_none_match, self._etag):
            await self._send(
                send,
                {"type": "http.response.start", "status": 304, "headers": headers},
                {"type": "http.response.body", "body": b""},
            )
            return
        span = None
        if method == "GET" and range_header is not None and if_range in (None, self._etag, self._basemap.last_modified):
            try:
                span = byte_range(range_header, self._length)
            except Unsatisfiable:
                await self._send(
                    send,
                    *_plain(
                        416,
                        b"range not satisfiable",
                        [*headers, (b"content-range", f"bytes */{self._length}".encode())],
                    ),
                )
                return
        if span is None:
            start = {
                "type": "http.response.start",
                "status": 200,
                "headers": [*headers, self._content_type, self._whole_length],
            }
            body = self._basemap.data if method == "GET" else b""
        else:
            first, last = span
            start = {
                "type": "http.response.start",
                "status": 206,
                "headers": [
                    *headers,
                    self._content_type,
                    (b"content-length", str(last - first + 1).encode()),
                    (b"content-range", f"bytes {first}-{last}/{self._length}".encode()),
                ],
            }
            body = self._basemap.data[first : last + 1]
        await self._send(send, start, {"type": "http.response.body", "body": body})

    def _cache_control(self, scope: Scope) -> bytes:
        query = scope.get("query_string", b"")
        if query and parse_qs(query.decode("latin-1")).get("v") == [self._basemap.version]:
            return IMMUTABLE
        return REVALIDATE

    @staticmethod
    async def _send(send: Send, start: dict, body: dict) -> None:
        await send(start)
        await send(body)
