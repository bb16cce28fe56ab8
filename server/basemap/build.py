"""An OpenStreetMap extract → one PMTiles archive: tilemaker writes MBTiles with the profile in tiles/, the pmtiles
library converts them, and the archive replaces the previous one only once it is whole and readable."""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from pathlib import Path

from pmtiles.convert import mbtiles_to_header_json
from pmtiles.tile import zxy_to_tileid
from pmtiles.writer import write

from server.basemap.archive import ArchiveError, read_header

PROFILE = Path(__file__).resolve().parent / "tiles"
#: tiles are cut down to z14; the phone overzooms them beyond, as OpenMapTiles styles expect
MAX_ZOOM = 14
#: the extract of a city centre takes seconds, a whole province minutes; ten minutes is a stuck tilemaker
TIMEOUT_S = 600


class BuildError(Exception):
    """Why no archive was written (the previous one, if any, is untouched)."""


def basemap_name(pbf: Path) -> str:
    """`hanoi-centre.osm.pbf` → `hanoi-centre`."""
    return pbf.name.removesuffix(".pbf").removesuffix(".osm")


def build(pbf: Path, out: Path, tilemaker: str = "tilemaker") -> int:
    """Write the basemap of `pbf` to `out` (atomically) and return its size in bytes."""
    program = shutil.which(tilemaker)
    if program is None:
        raise BuildError(f"{tilemaker} is not installed (Debian: apt install tilemaker)")
    if not pbf.is_file():
        raise BuildError(f"{pbf}: no such file")
    with pbf.open("rb") as head:
        # a PBF opens with the length of its first blob header, whose type is OSMHeader; tilemaker reads other
        # bytes as an empty extract and "succeeds"
        if b"OSMHeader" not in head.read(16):
            raise BuildError(f"{pbf} is not an OpenStreetMap PBF file")
    with tempfile.TemporaryDirectory(prefix="lehoi-tiles-") as work:
        mbtiles = Path(work) / "tiles.mbtiles"
        # the extract's header bbox gives the tiles' bounds; one thread writes the same bytes from the same
        # extract (several threads order features differently), so the archive's version moves only when the map
        # does and phones download it again only then
        command = [
            program,
            "--input",
            str(pbf.resolve()),
            "--output",
            str(mbtiles),
            "--threads",
            "1",
            "--config",
            str(PROFILE / "config.json"),
            "--process",
            str(PROFILE / "process.lua"),
        ]
        try:
            done = subprocess.run(command, cwd=work, capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise BuildError(f"tilemaker took more than {TIMEOUT_S} s on {pbf}") from None
        if done.returncode != 0 or not mbtiles.is_file():
            said = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise BuildError(f"tilemaker could not read {pbf} (exit {done.returncode}): {' / '.join(said)}")
        if _tile_count(mbtiles) == 0:
            raise BuildError(f"{pbf} gave no tiles: it holds no streets, water, parks or buildings")
        archive = Path(work) / "basemap.pmtiles"
        try:
            _to_pmtiles(mbtiles, archive)
            read_header(archive.read_bytes())
        except (ArchiveError, KeyError, ValueError, OSError) as exc:
            raise BuildError(f"the tiles of {pbf} could not be packed into PMTiles: {exc}") from None
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        try:
            shutil.copyfile(archive, partial)
            partial.replace(out)  # a server or reader sees the old archive or the new one, never a part
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise BuildError(f"{out} could not be written: {exc}") from None
    return out.stat().st_size


def _tile_count(mbtiles: Path) -> int:
    with closing(sqlite3.connect(mbtiles)) as db:
        return db.execute("SELECT count(*) FROM tiles").fetchone()[0]


def _to_pmtiles(mbtiles: Path, archive: Path) -> None:
    """The pmtiles library's MBTiles conversion (its header from the MBTiles metadata, its writer), except that
    the metadata's `json` (vector_layers) is unpacked to the top level, where the PMTiles spec and the JavaScript
    reader look for it (pmtiles.convert copies it as one string)."""
    with closing(sqlite3.connect(mbtiles)) as db:
        header, metadata = mbtiles_to_header_json(dict(db.execute("SELECT name, value FROM metadata")))
        metadata.update(json.loads(metadata.pop("json", "{}")))
        # MBTiles rows count from the south (TMS), PMTiles ids from the north; the writer wants ids in order
        tiles = sorted(
            (zxy_to_tileid(z, x, (1 << z) - 1 - row), data)
            for z, x, row, data in db.execute(
                "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles WHERE zoom_level <= ?", (MAX_ZOOM,)
            )
        )
    with write(str(archive)) as writer:
        for tile_id, data in tiles:
            writer.write_tile(tile_id, data if data[:2] == b"\x1f\x8b" else gzip.compress(data, mtime=0))
        writer.finalize(header, metadata)
