"""The basemap archive a server serves: its bytes held in memory, its content version, and the `map` entry that
names it to phones."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from typing import Any

from pmtiles.tile import TileType, deserialize_header

from server.resources import OSM_DIR
from server.settings import Settings

SUFFIX = ".pmtiles"
URL_PREFIX = "/tiles/"


class ArchiveError(Exception):
    """The file is not a PMTiles v3 archive."""


@dataclass(frozen=True)
class Basemap:
    name: str
    data: bytes
    #: the first 32 hex digits of the archive's SHA-256: the `ETag` (quoted) and the `?v=` of its URL
    version: str
    last_modified: str
    header: dict[str, Any]

    @property
    def etag(self) -> str:
        return f'"{self.version}"'

    @property
    def url(self) -> str:
        return f"{URL_PREFIX}{self.name}{SUFFIX}?v={self.version}"

    def entry(self, attribution: str) -> dict[str, Any]:
        """What a phone needs to fetch the archive, know when it changed and place the map before opening it."""
        h = self.header
        return {
            "name": self.name,
            "url": self.url,
            "format": "pmtiles",
            "tile_type": TileType(h["tile_type"]).name.lower(),
            "bytes": len(self.data),
            "bounds": [h["min_lon_e7"] / 1e7, h["min_lat_e7"] / 1e7, h["max_lon_e7"] / 1e7, h["max_lat_e7"] / 1e7],
            "min_zoom": h["min_zoom"],
            "max_zoom": h["max_zoom"],
            "center": [h["center_lon_e7"] / 1e7, h["center_lat_e7"] / 1e7, h["center_zoom"]],
            "attribution": attribution,
            "version": self.version,
            "etag": self.etag,
        }


def read_header(data: bytes) -> dict[str, Any]:
    """The PMTiles v3 header of `data`; `ArchiveError` when it is not one."""
    try:
        return deserialize_header(data[:127])
    except Exception as exc:  # noqa: BLE001 - the reader raises its own classes, IndexError and ValueError on short or odd bytes
        raise ArchiveError(f"not a PMTiles v3 archive ({type(exc).__name__})") from None


def load(name: str, path: Path) -> Basemap:
    data = path.read_bytes()
    try:
        header = read_header(data)
    except ArchiveError as exc:
        raise ArchiveError(f"{path}: {exc}; rebuild it with `lehoi tiles build`") from None
    return Basemap(
        name=name,
        data=data,
        version=hashlib.sha256(data).hexdigest()[:32],
        last_modified=formatdate(path.stat().st_mtime, usegmt=True),
        header=header,
    )


def archive_path(settings: Settings, name: str) -> Path:
    """Where `lehoi tiles build` writes the archive called `name`."""
    return settings.data_path / "tiles" / f"{name}{SUFFIX}"


def find(settings: Settings) -> Basemap | None:
    """The basemap `settings.basemap` names: the one built into the data directory, else the one shipped with the
    demo extract; None when there is neither (the map then shows only the online layer)."""
    for path in (archive_path(settings, settings.basemap), OSM_DIR / f"{settings.basemap}{SUFFIX}"):
        if path.is_file():
            return load(settings.basemap, path)
    return None
