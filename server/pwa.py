"""The PWA's files (pwa/) at `/`, and its service worker with a cache name made from what it precaches.

pwa/sw.js lists the files it precaches in its `SHELL` array, the one list; its cache name is the placeholder
SHELL_DIGEST, which `/sw.js` answers filled with a digest of those files' paths and bytes. Any change to a precached
file makes a new service worker with a new cache, and nobody bumps a version by hand. The digest is read once per
process: the files change with a deployment, which restarts the server.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

from litestar import Request, Response, get
from litestar.static_files import create_static_files_router

#: the string of pwa/sw.js that `/sw.js` replaces with the digest
SHELL_DIGEST = "__SHELL_DIGEST__"
_SHELL = re.compile(r"^const SHELL = \[\n(.*?)^\];", re.M | re.S)
_URL = re.compile(r"^\s*'([^']+)',?\s*$", re.M)


def shell_urls(sw_source: str) -> list[str]:
    """The URLs the service worker precaches: its `SHELL` array, one quoted URL a line, comments between."""
    found = _SHELL.search(sw_source)
    if found is None:
        raise ValueError("sw.js has no `const SHELL = [` … `];` list")
    return _URL.findall(found.group(1))


def shell_file(pwa_dir: Path, url: str) -> Path:
    """The file a precached URL is: `/` is index.html, as the static files router answers it."""
    return pwa_dir / ("index.html" if url == "/" else url.lstrip("/"))


def shell_digest(pwa_dir: Path, urls: list[str]) -> str:
    """A digest of every precached file's URL and bytes (a missing file fails here, not in the phone's install)."""
    digest = hashlib.sha256()
    for url in urls:
        digest.update(url.encode() + b"\0")
        digest.update(shell_file(pwa_dir, url).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def pwa_routes(pwa_dir: Path) -> list:
    """`GET /sw.js` (ahead of the files, as Litestar prefers a plain path to the router's path parameter), then
    every file of `pwa_dir` at `/`."""

    @cache
    def service_worker() -> tuple[bytes, str]:
        source = (pwa_dir / "sw.js").read_text(encoding="utf-8")
        if SHELL_DIGEST not in source:
            raise ValueError(f"sw.js has no {SHELL_DIGEST} to fill")
        body = source.replace(SHELL_DIGEST, shell_digest(pwa_dir, shell_urls(source))).encode()
        return body, f'"{hashlib.sha256(body).hexdigest()[:32]}"'

    @get("/sw.js", include_in_schema=False, sync_to_thread=False)
    def sw_js(request: Request) -> Response:
        body, etag = service_worker()
        # no-cache: the browser asks again on every check for a new version, and a 304 keeps that cheap
        headers = {"Cache-Control": "no-cache", "ETag": etag}
        if request.headers.get("if-none-match") == etag:
            return Response(b"", status_code=304, headers=headers)
        return Response(body, media_type="text/javascript", headers=headers)

    files = create_static_files_router(path="/", directories=[pwa_dir], html_mode=True, include_in_schema=False)
    return [sw_js, files]
