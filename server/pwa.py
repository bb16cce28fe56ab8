"""The PWA's files (pwa/) at `/`: content-hashed names, compressed once, and a service worker filled at start.

At start the server reads pwa/ once into a table of answers (`build_site`):
- every file but the three whose URL is their identity (index.html, sw.js, the manifest) gets a second name with
  a digest of its bytes and of every file it reaches (`/js/lib/i18n.js` → `/js/lib/i18n.3f2a1b4c5d.js`), answered
  with `Cache-Control: public, max-age=31536000, immutable`; the plain name still answers, with `no-cache`;
- every reference to another file of pwa/ in a module, a stylesheet, index.html or the manifest (an import, a
  quoted path, a CSS `url()`) is rewritten to the hashed name, so a browser asks for a file again only when it
  changed, and a page and the service worker ask for the same URL (the HTTP cache serves the second);
- text is compressed with brotli and gzip once, by a thread started with the server (a request that comes first
  compresses its file itself), kept in `<data-dir>/pwa-compressed/` by digest so a restart reuses them, and
  answered by `Accept-Encoding`, with `Vary: Accept-Encoding`;
- index.html, sw.js, the manifest and the plain names answer `no-cache` with an ETag, so a visit or an update
  check costs a 304; a hashed name has no ETag (it is never asked again while kept).

pwa/sw.js lists the attendee's shell in its `SHELL` array (logical names, the one list): `/sw.js` answers it with
SHELL_DIGEST filled by a digest of those files' URLs and bytes, and `{/*ASSETS*/}` by the map of every logical name
to its hashed one, which the worker uses to precache the shell and to cache any other file (volunteer and organiser
screens) the first time it is fetched.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
import os
import posixpath
import re
import threading
from pathlib import Path

import anyio
import brotli
import msgspec
from litestar import Request, Response, route
from litestar.exceptions import NotFoundException

from server.headers import none_match

#: the string of pwa/sw.js that `/sw.js` replaces with the digest of the shell
SHELL_DIGEST = "__SHELL_DIGEST__"
#: the expression of pwa/sw.js that `/sw.js` replaces with the logical → hashed names
ASSETS = "{/*ASSETS*/}"
IMMUTABLE = "public, max-age=31536000, immutable"
#: files whose URL is their identity: never renamed (the page's address, the worker's scope, the app's install id)
UNHASHED = frozenset({"/index.html", "/sw.js", "/manifest.webmanifest"})
#: files whose references to other files are rewritten (but sw.js, which maps logical names itself)
REWRITTEN = (".js", ".mjs", ".css", ".html", ".webmanifest")
COMPRESSED = (*REWRITTEN, ".svg", ".json")
#: source-only files of pwa/ that are not the app
NOT_SERVED = re.compile(r"(^|/)(README\.md|LICENSE|VERSION|make_icons\.py|refresh[\w-]*\.mjs)$")
_SHELL = re.compile(r"^const SHELL = \[\n(.*?)^\];", re.M | re.S)
_URL = re.compile(r"^\s*'([^']+)',?\s*$", re.M)
#: a quoted path (imports, `new Worker(…)`, `importScripts(…)`, HTML attributes) or a CSS `url(…)`
_REFERENCE = re.compile(
    r"""(['"])((?:\.{0,2}/)?[\w./-]+\.(?:m?js|css|png|svg|webmanifest))\1"""
    r"""|url\(\s*(['"]?)([^'")\s]+)\3\s*\)"""
)


def shell_urls(sw_source: str) -> list[str]:
    """The URLs the service worker precaches: its `SHELL` array, one quoted URL a line, comments between."""
    found = _SHELL.search(sw_source)
    if found is None:
        raise ValueError("sw.js has no `const SHELL = [` … `];` list")
    return _URL.findall(found.group(1))


def shell_file(pwa_dir: Path, url: str) -> Path:
    """The file a precached URL is: `/` is index.html."""
    return pwa_dir / ("index.html" if url == "/" else url.lstrip("/"))


def shell_digest(pwa_dir: Path, urls: list[str]) -> str:
    """A digest of every precached file's URL and bytes (a missing file fails here, not in the phone's install)."""
    digest = hashlib.sha256()
    for url in urls:
        digest.update(url.encode() + b"\0")
        digest.update(shell_file(pwa_dir, url).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def hashed_name(url: str, digest: str) -> str:
    """`/js/lib/i18n.js` with digest `3f2a…` is `/js/lib/i18n.3f2a….js`."""
    stem, dot, ext = url.rpartition(".")
    return f"{stem}.{digest}{dot}{ext}"


class Asset:
    """One answer: the bytes as stored and, for text, compressed once (by the warm-up at start, or by the first
    request that comes before it, whichever is first: never twice)."""

    __slots__ = ("_compressed", "_lock", "body", "cache_dir", "compressible", "etag", "media_type")

    def __init__(self, body: bytes, media_type: str, compressible: bool, cache_dir: Path | None) -> None:
        self.body = body
        self.media_type = media_type
        self.etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        self.compressible = compressible
        self.cache_dir = cache_dir
        self._compressed: dict[str, bytes] | None = None
        self._lock = threading.Lock()

    def ready(self, encoding: str) -> bytes | None:
        """The body in `encoding` if it has been compressed, else None."""
        return None if self._compressed is None else self._compressed[encoding]

    def encoded(self, encoding: str) -> bytes:
        """The body in `encoding` (`br` or `gzip`)."""
        with self._lock:
            if self._compressed is None:
                br, gz = _compressed(self.body, self.cache_dir)
                self._compressed = {"br": br, "gzip": gz}
            return self._compressed[encoding]


class Site(msgspec.Struct, frozen=True):
    """Every answer by URL path (plain and hashed names), and which of those paths are immutable."""

    assets: dict[str, Asset]
    immutable: frozenset[str]
    names: dict[str, str]


def _references(url: str, text: str, files: set[str]) -> list[tuple[re.Match, str]]:
    """Each reference of the file at `url` to another served file, with that file's URL."""
    found = []
    for match in _REFERENCE.finditer(text):
        ref = match.group(2) or match.group(4)
        target = ref if ref.startswith("/") else posixpath.normpath(posixpath.join(posixpath.dirname(url), ref))
        if target in files and target not in UNHASHED:
            found.append((match, target))
    return found


def _compressed(body: bytes, cache_dir: Path | None) -> tuple[bytes, bytes]:
    """brotli (quality 11) and gzip of `body`, from `cache_dir` when made before."""
    key = hashlib.sha256(body).hexdigest()[:32]
    if cache_dir is not None:
        br_path, gz_path = cache_dir / f"{key}.br", cache_dir / f"{key}.gz"
        if br_path.is_file() and gz_path.is_file():
            return br_path.read_bytes(), gz_path.read_bytes()
    br = brotli.compress(body, quality=11)
    gz = gzip.compress(body, compresslevel=9, mtime=0)
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        for path, data in ((br_path, br), (gz_path, gz)):
            # a name of its own: two processes (or a warm-up and a request) may write the same file at once
            partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.partial")
            partial.write_bytes(data)
            partial.replace(path)
    return br, gz


def build_site(pwa_dir: Path, cache_dir: Path | None = None) -> Site:
    """Read pwa/ once: hashed names, references rewritten, text compressed, sw.js filled (module docstring)."""
    sources = {
        "/" + path.relative_to(pwa_dir).as_posix(): path.read_bytes()
        for path in sorted(pwa_dir.rglob("*"))
        if path.is_file() and not NOT_SERVED.search(path.as_posix())
    }
    files = set(sources)
    # sw.js names files by their logical names, which it maps itself (ASSETS)
    refs = {
        url: _references(url, body.decode(), files)
        for url, body in sources.items()
        if url.endswith(REWRITTEN) and url != "/sw.js"
    }

    def reach(url: str) -> list[str]:
        seen, todo = {url}, [url]
        while todo:
            for _, target in refs.get(todo.pop(), []):
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        return sorted(seen)

    names: dict[str, str] = {}
    for url in sorted(files - UNHASHED):
        digest = hashlib.sha256()
        for reached in reach(url):
            digest.update(reached.encode() + b"\0" + sources[reached] + b"\0")
        names[url] = hashed_name(url, digest.hexdigest()[:10])

    def rewritten(url: str) -> bytes:
        if url not in refs:
            return sources[url]
        text = sources[url].decode()
        for match, target in reversed(refs[url]):
            quote = match.group(1) or match.group(3)
            new = f"{quote}{names[target]}{quote}"
            text = text[: match.start()] + (new if match.group(2) else f"url({new})") + text[match.end() :]
        return text.encode()

    bodies = {url: rewritten(url) for url in files}
    sw = bodies.get("/sw.js")
    if sw is not None:
        text = sw.decode()
        if SHELL_DIGEST not in text or ASSETS not in text:
            raise ValueError(f"sw.js has no {SHELL_DIGEST} or {ASSETS} to fill")
        shell = shell_urls(text)
        missing = [url for url in shell if _served(url) not in files]
        if missing:
            raise ValueError(f"sw.js precaches files that do not exist: {missing}")
        text = text.replace(SHELL_DIGEST, shell_digest(pwa_dir, shell))
        bodies["/sw.js"] = text.replace(ASSETS, json.dumps(names, separators=(",", ":"), sort_keys=True)).encode()

    assets: dict[str, Asset] = {}
    for url, body in bodies.items():
        media_type = mimetypes.guess_type(url)[0] or "application/octet-stream"
        if url.endswith((".js", ".mjs")):
            media_type = "text/javascript"
        elif url.endswith(".webmanifest"):
            media_type = "application/manifest+json"
        # Litestar adds `; charset=utf-8` to every text/* type itself: only the others are given theirs here
        if media_type.endswith("json"):
            media_type += "; charset=utf-8"
        asset = Asset(body, media_type, url.endswith(COMPRESSED), cache_dir)
        assets[url] = asset
        if url in names:
            assets[names[url]] = asset
    return Site(assets=assets, immutable=frozenset(names.values()), names=names)


def _served(url: str) -> str:
    """The file a URL answers: `/` is index.html."""
    return "/index.html" if url == "/" else url


def encoding_for(accept_encoding: str) -> str | None:
    """The best encoding the client takes, `br` before `gzip`; None for the bytes as stored."""
    taken = set()
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        if params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
            taken.add(name.strip())
    return next((name for name in ("br", "gzip") if name in taken or "*" in taken), None)


def pwa_routes(pwa_dir: Path, cache_dir: Path | None = None) -> list:
    """Every file of `pwa_dir` at `/` under its plain and hashed names (module docstring), read once now, and
    compressed once by a thread started now, so the start is not held up by it (the shell first)."""
    site = build_site(pwa_dir, cache_dir)
    shell = {site.names.get(url, url) for url in shell_urls(site.assets["/sw.js"].body.decode())}
    order = sorted(site.assets.items(), key=lambda item: item[0] not in shell)
    warm = [asset for _, asset in order if asset.compressible]

    def warm_up() -> None:
        for asset in warm:
            asset.encoded("br")

    threading.Thread(target=warm_up, name="pwa-compress", daemon=True).start()

    @route(["/", "/{path:path}"], http_method=["GET", "HEAD"], include_in_schema=False)
    async def pwa_file(request: Request) -> Response:
        """A file of the PWA, compressed as the client takes it; a 304 when its ETag matches."""
        url = _served(request.url.path)
        asset = site.assets.get(url)
        if asset is None:
            raise NotFoundException()
        headers = {"Cache-Control": IMMUTABLE if url in site.immutable else "no-cache", "Vary": "Accept-Encoding"}
        # a hashed name's bytes never change and are kept a year unasked: a validator would never be used
        if url not in site.immutable:
            headers["ETag"] = asset.etag
            if none_match(request.headers.get("if-none-match"), asset.etag):
                # with the 200's Content-Type, so the 304 gets the 200's security headers (server/headers.py): a
                # browser merges a 304's headers into the copy it keeps, and index.html's must stay a page's
                return Response(b"", status_code=304, headers={**headers, "Content-Type": asset.media_type})
        body = asset.body
        encoding = encoding_for(request.headers.get("accept-encoding", "")) if asset.compressible else None
        if encoding is not None:
            # a request that comes before the warm-up compresses its file itself, in a thread
            body = asset.ready(encoding) or await anyio.to_thread.run_sync(asset.encoded, encoding)
            headers["Content-Encoding"] = encoding
        if request.method == "HEAD":
            headers["Content-Length"] = str(len(body))
            body = b""
        return Response(body, media_type=asset.media_type, headers=headers)

    return [pwa_file]
