"""One archive file holding a festival's whole state: the database and the data directory's secrets.

The archive is a gzip'd tar: first `lehoi-backup.json` (the format, the engine, the SHA-256 of every other member),
then the database (`database.sqlite`, from SQLite's online backup API, or `database.pgdump`, from `pg_dump` in its
custom format) and every file of the data directory under `data/` (the signing keys, the VAPID key, the road graph
and basemap) but the database itself and the bundle cache, which servers rebuild. Both copies are consistent
snapshots taken while the server keeps serving.

A backup is written to a temporary file beside PATH and linked into place only once whole, so a failure leaves
nothing; an existing PATH is never replaced. A restore reads and checks the whole archive (every checksum, the
engine) before it changes anything, and goes only into an empty data directory and an empty database: a truncated
or foreign file, or a festival already there, is refused with the current data untouched.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from server.clock import wall_seconds
from server.settings import Settings

FORMAT = "lehoi-backup"
VERSION = 1
MANIFEST = "lehoi-backup.json"
#: what is not copied from the data directory: the database (copied by its engine) and caches servers rebuild
_SKIPPED = ("lehoi.sqlite", "lehoi.sqlite-wal", "lehoi.sqlite-shm", "lehoi.sqlite-journal", "bundles")


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why, and nothing was changed."""


def _engine(settings: Settings) -> str:
    return "postgresql" if settings.uses_postgres else "sqlite"


def _data_files(settings: Settings) -> list[Path]:
    root = settings.data_path
    if not root.is_dir():
        return []
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and path.relative_to(root).parts[0] not in _SKIPPED and ".partial" not in path.name
    )


def _dump_database(settings: Settings, into: Path) -> str:
    """The database as one file in `into`; its archive name."""
    if settings.uses_postgres:
        target = into / "database.pgdump"
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", settings.database_url])
        return target.name
    if not settings.sqlite_path.is_file():
        raise BackupError(f"there is no database at {settings.sqlite_path}")
    target = into / "database.sqlite"
    source = sqlite3.connect(f"file:{settings.sqlite_path}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy)
    finally:
        copy.close()
        source.close()
    return target.name


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL's client programs)") from None
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(settings: Settings, path: Path) -> dict:
    """Write the archive to `path`, which must not exist; the manifest written."""
    path = path.absolute()
    if path.exists() or path.is_symlink():
        raise BackupError(f"{path} already exists; a backup never replaces a file")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a directory")
    if not os.access(path.parent, os.W_OK):
        raise BackupError(f"{path.parent} is not writable")
    try:
        partial = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".partial", delete=False)
    except OSError as exc:
        raise BackupError(f"cannot write in {path.parent}: {exc}") from None
    partial.close()
    try:
        with tempfile.TemporaryDirectory(prefix="lehoi-backup-") as work:
            database = _dump_database(settings, Path(work))
            members = {database: Path(work) / database}
            for file in _data_files(settings):
                members[f"data/{file.relative_to(settings.data_path).as_posix()}"] = file
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "engine": _engine(settings),
                "created_at": datetime.fromtimestamp(wall_seconds(), UTC).isoformat(),
                "files": {name: _sha256(source) for name, source in members.items()},
            }
            with tarfile.open(partial.name, "w:gz") as archive:
                encoded = json.dumps(manifest, indent=1).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(encoded)
                archive.addfile(info, io.BytesIO(encoded))
                for name, source in members.items():
                    archive.add(source, arcname=name, recursive=False)
            with open(partial.name, "rb+") as f:
                os.fsync(f.fileno())
        os.link(partial.name, path)  # fails rather than replace a file that appeared meanwhile
    except FileExistsError:
        raise BackupError(f"{path} already exists; a backup never replaces a file") from None
    except OSError as exc:
        raise BackupError(f"cannot write {path}: {exc}") from None
    finally:
        os.unlink(partial.name)
    return manifest


def _read(path: Path, into: Path) -> dict:
    """Every member of the archive extracted into `into` and checked against the manifest; the manifest."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            first = archive.next()
            if first is None or first.name != MANIFEST:
                raise BackupError(f"{path} is not a lehoi backup (no {MANIFEST} first)")
            manifest = json.loads(archive.extractfile(first).read())
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise BackupError(f"{path} is not a lehoi backup")
            if manifest.get("version") != VERSION:
                raise BackupError(f"{path} is a backup of format version {manifest.get('version')}, not {VERSION}")
            archive.extractall(into, filter="data")
    except (tarfile.TarError, gzip.BadGzipFile, EOFError, OSError, ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path} is not a whole lehoi backup (truncated or foreign: {exc})") from None
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise BackupError(f"{path} is not a lehoi backup (its manifest lists no files)")
    found = {p.relative_to(into).as_posix() for p in into.rglob("*") if p.is_file()} - {MANIFEST}
    if found != set(files):
        raise BackupError(f"{path} does not hold the files its manifest lists")
    for name, digest in files.items():
        if _sha256(into / name) != digest:
            raise BackupError(f"{path} is damaged: {name} does not match its checksum")
    return manifest


def _refuse_unless_empty(settings: Settings) -> None:
    root = settings.data_path
    if root.is_dir() and any(root.iterdir()):
        raise BackupError(f"the data directory {root} is not empty; restore into an empty one")
    if settings.uses_postgres:
        count = subprocess.run(
            ["psql", "-tAq", "-c", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", settings.database_url],
            capture_output=True,
            text=True,
        )
        if count.returncode != 0:
            raise BackupError(f"cannot reach the database: {count.stderr.strip()}")
        if count.stdout.strip() != "0":
            raise BackupError("the database is not empty; restore into an empty one")


def restore(settings: Settings, path: Path) -> dict:
    """Put the archive's database and files in place; the manifest restored."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    _refuse_unless_empty(settings)
    root = settings.data_path
    made = not root.exists()
    root.mkdir(parents=True, exist_ok=True)
    try:
        return _restore_into(settings, path, root)
    except BaseException:
        # a refused or failed restore leaves the place as it found it: a directory it made holds only its work
        if made:
            shutil.rmtree(root, ignore_errors=True)
        raise


def _restore_into(settings: Settings, path: Path, root: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=root) as work:
        unpacked = Path(work)
        manifest = _read(path, unpacked)
        if manifest.get("engine") != _engine(settings):
            raise BackupError(
                f"{path} is a backup of a {manifest.get('engine')} festival; this one runs on {_engine(settings)}"
            )
        if settings.uses_postgres:
            _run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={settings.database_url}",
                    str(unpacked / "database.pgdump"),
                ]
            )
        else:
            database = unpacked / "database.sqlite"
            check = sqlite3.connect(database)
            try:
                ok = check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            except sqlite3.DatabaseError:
                ok = False
            finally:
                check.close()
            if not ok:
                raise BackupError(f"{path} holds a damaged SQLite database")
        data = unpacked / "data"
        if data.is_dir():
            for entry in data.iterdir():
                os.replace(entry, root / entry.name)
        if not settings.uses_postgres:
            # last, so that a server finds a database only once everything beside it is in place
            os.replace(unpacked / "database.sqlite", settings.sqlite_path)
    return manifest
