"""The bundle of the current programme version, built once per version per process, off the event loop, and kept
on disk under its content's digest, so a restarted process or a second one on the same host reuses the compressed
bytes and a static server or CDN can serve them (`bundle-<digest>.json`, `.json.gz`, `.json.br`).

A build runs as server/syncing/latest.py `Latest` runs it (the previous version served meanwhile, a failure
retried): its parts are gathered on the event loop (they only read), the encoding and the compression run in a
worker thread (zlib and brotli let go of the GIL while they work).

Retention: once a version's bundle is stored, the files of all but the newest `files_kept` versions are deleted
(a version's files are its raw, gzip and brotli bytes), and then `after_build` runs: the app prunes the change
log there (server/syncing/feed.py `prune`). Pruning waits for the new bundle because a phone whose cursor falls
out of the log is answered 410 and takes the bundle instead: there must be a bundle at least as new as the log's
start to take.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from server.domain import BundlePart, SnapshotSource, Versioned
from server.syncing.latest import Latest
from sync import bundle
from sync.bundle import BuiltBundle

log = logging.getLogger(__name__)


class BundleCache:
    """The domains' bundle parts, in order, of the snapshot `snapshots` holds."""

    def __init__(
        self,
        snapshots: SnapshotSource,
        directory: Path,
        parts: list[BundlePart],
        *,
        files_kept: int = 3,
        after_build: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self._snapshots = snapshots
        self._directory = directory
        self._parts = parts
        self._files_kept = files_kept
        self._after_build = after_build
        self._latest: Latest[BuiltBundle] = Latest(self._build, "offline bundle")

    async def get(self) -> BuiltBundle:
        """The bundle of the current version, or, while that one is being built, the previous one."""
        return await self._latest.get(await self._snapshots.get())

    def warm(self) -> asyncio.Task[BuiltBundle]:
        """Start building the current version now, without waiting for it: at start-up, so that the first phones
        after a restart find the bundle built (the first request of a process has no previous version to take
        meanwhile and waits for the whole build: seconds on a busy host). A failure is logged, as any build's."""
        task = asyncio.get_running_loop().create_task(self.get(), name="offline bundle at start-up")
        task.add_done_callback(_log_failure)
        return task

    @property
    def built(self) -> BuiltBundle | None:
        """The newest bundle built so far; None before the first."""
        return self._latest.built

    async def _build(self, snapshot: Versioned) -> BuiltBundle:
        began = time.perf_counter()
        content: dict[str, Any] = {}
        for part in self._parts:
            content.update(await part(snapshot))
        built = await asyncio.to_thread(self._encode_and_store, snapshot.version, content)
        # one line per build: operators (and the stampede test) count builds per version and process by it
        log.info(
            "process %s built the offline bundle of version %s in %.2f s: %s bytes, %s brotli",
            os.getpid(),
            snapshot.version,
            time.perf_counter() - began,
            len(built.raw),
            len(built.br),
        )
        if self._after_build is not None:
            try:
                await self._after_build()
            except Exception:  # noqa: BLE001 - it runs again with the next version's bundle
                log.warning("after the bundle of version %s was built", snapshot.version, exc_info=True)
        return built

    def _encode_and_store(self, version: int, content: dict[str, Any]) -> BuiltBundle:
        raw = bundle.encode(version, content)
        digest = bundle.digest(raw)
        stored = self._directory / f"bundle-{digest}.json"
        try:
            kept = BuiltBundle(
                version=version,
                raw=raw,
                gzip=stored.with_suffix(".json.gz").read_bytes(),
                br=stored.with_suffix(".json.br").read_bytes(),
                digest=digest,
            )
        except OSError:
            pass
        else:
            stored.touch()  # the newest again, whatever other process stored it first: the sweep keeps it
            self._sweep()
            return kept
        built = bundle.compress(version, raw)
        self._directory.mkdir(parents=True, exist_ok=True)
        # the plain file last: a static server that finds it finds its compressed twins too
        for path, data in (
            (stored.with_suffix(".json.gz"), built.gzip),
            (stored.with_suffix(".json.br"), built.br),
            (stored, raw),
        ):
            partial = path.with_name(path.name + ".partial")
            partial.write_bytes(data)
            partial.replace(path)
        self._sweep()
        return built

    def _sweep(self) -> None:
        """Delete the files of every bundle but the newest `files_kept` (by when each was last stored)."""
        plain = sorted(self._directory.glob("bundle-*.json"), key=_stored_at, reverse=True)
        for old in plain[self._files_kept :]:
            for path in (old.with_suffix(".json.gz"), old.with_suffix(".json.br"), old):
                path.unlink(missing_ok=True)  # another process may have swept it first


def _stored_at(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # swept by another process meanwhile
        return 0.0


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning(
            "the offline bundle was not built at start-up: the first request builds it", exc_info=task.exception()
        )
