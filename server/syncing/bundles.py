"""The bundle of the current programme version, built once per version per process and kept on disk,
so a restarted process or a second one on the same host reuses the compressed bytes."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from server.domain import BundlePart, SnapshotSource
from sync import bundle
from sync.bundle import BuiltBundle


class BundleCache:
    """The domains' bundle parts, in order, of the snapshot `snapshots` holds."""

    def __init__(self, snapshots: SnapshotSource, directory: Path, parts: list[BundlePart]) -> None:
        self._snapshots = snapshots
        self._directory = directory
        self._parts = parts
        self._built: BuiltBundle | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> BuiltBundle:
        snapshot = await self._snapshots.get()
        built = self._built
        if built is not None and built.version == snapshot.version:
            return built
        async with self._lock:
            if self._built is None or self._built.version != snapshot.version:
                content: dict[str, Any] = {}
                for part in self._parts:
                    content.update(await part(snapshot))
                self._built = await asyncio.to_thread(self._build, snapshot.version, content)
            return self._built

    def _build(self, version: int, content: dict[str, Any]) -> BuiltBundle:
        raw = bundle.encode(version, content)
        digest = bundle.digest(raw)
        stored = self._directory / f"bundle-{version}-{digest}"
        try:
            return BuiltBundle(version=version, raw=raw, gzip=stored.with_suffix(".gz").read_bytes(),
                               br=stored.with_suffix(".br").read_bytes(), digest=digest)
        except OSError:
            pass
        built = bundle.compress(version, raw)
        self._directory.mkdir(parents=True, exist_ok=True)
        for suffix, data in ((".gz", built.gzip), (".br", built.br)):
            partial = stored.with_suffix(suffix + ".partial")
            partial.write_bytes(data)
            partial.replace(stored.with_suffix(suffix))
        return built
