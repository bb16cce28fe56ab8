"""The programme held in memory per version: every read endpoint answers from here.

The programme is small (hundreds of rows) and read far more than written, so each process keeps one
immutable snapshot and reloads it only when the change-log version moves. Encoded responses are memoised
per snapshot, so a hot path does no per-request encoding.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import msgspec
from litestar.di import NamedDependency
from piccolo.engine.base import Engine
from piccolo.table import Table

from server.clock import FESTIVAL_TZ
from server.db.engine import is_postgres
from server.db.kept import KeptSqlite, kept_connection
from server.db.transactions import snapshot_transaction
from server.errors import NotFound
from server.programme import records, schemas
from server.programme.search import fold, score
from server.programme.tables import Announcement, Event, Festival, Trail, Venue
from server.syncing.tables import ProgrammeVersion

#: how long a process trusts its snapshot before asking the database for the version again;
#: writes made through this process invalidate at once, other processes' writes show within this.
VERSION_TTL_S = 0.5
_ENCODED_LIMIT = 512
log = logging.getLogger(__name__)

_encoder = msgspec.json.Encoder()
_json_decode = msgspec.json.Decoder().decode


@dataclass(frozen=True)
class _Indexed:
    names: list[str]
    others: list[str]


@dataclass
class Snapshot:
    version: int
    festival: schemas.Festival | None
    venues: dict[str, schemas.Venue]
    events: list[schemas.Event]
    trails: dict[str, schemas.Trail]
    announcements: list[schemas.Announcement]
    _index: dict[tuple[str, str], _Indexed] = field(default_factory=dict)
    _encoded: dict[object, bytes] = field(default_factory=dict)

    def venue(self, venue_id: str) -> schemas.Venue:
        """The venue with this id; NotFound (404) when the programme has none."""
        venue = self.venues.get(venue_id)
        if venue is None:
            raise NotFound(f"no venue with id {venue_id!r}")
        return venue

    def __post_init__(self) -> None:
        self.events_by_id = {e.id: e for e in self.events}
        for v in self.venues.values():
            self._index[("venue", v.id)] = _Indexed(
                [fold(v.name.vi), fold(v.name.en)],
                [
                    fold(v.district),
                    fold(v.address.vi),
                    fold(v.address.en),
                    fold(v.description.vi),
                    fold(v.description.en),
                    v.kind.replace("_", " "),
                ],
            )
        for e in self.events:
            venue = self.venues.get(e.venue_id)
            self._index[("event", e.id)] = _Indexed(
                [fold(e.title.vi), fold(e.title.en)],
                [fold(e.description.vi), fold(e.description.en), e.category, " ".join(e.tags)]
                + ([fold(venue.name.vi), fold(venue.name.en)] if venue else []),
            )

    def encoded(self, key: object, build: Callable[[], object]) -> bytes:
        """The JSON bytes for `key`, built once per snapshot."""
        body = self._encoded.get(key)
        if body is None:
            body = _encoder.encode(build())
            if len(self._encoded) < _ENCODED_LIMIT:
                self._encoded[key] = body
        return body

    async def encoded_apart(self, key: object, build: Callable[[], object]) -> bytes:
        """`encoded`, built in a worker thread when it is not kept yet: a search or a filtered list over a city-sized
        programme is up to a large part of a second of pure Python, which must not run on the event loop."""
        body = self._encoded.get(key)
        return body if body is not None else await asyncio.to_thread(self.encoded, key, build)

    def find_venues(self, kind: str | None, district: str | None, q: str | None) -> list[schemas.Venue]:
        folded_district = fold(district) if district else None
        found = [
            v
            for v in self.venues.values()
            if (kind is None or v.kind == kind) and (folded_district is None or fold(v.district) == folded_district)
        ]
        if q:
            return [h.venue for h in self.search(q) if h.venue and h.venue in found]
        return found

    def find_events(
        self,
        day: date | None,
        venue: str | None,
        category: str | None,
        q: str | None,
        starts_from: datetime | None,
        until: datetime | None,
    ) -> list[schemas.Event]:
        found = [
            e
            for e in self.events
            if (
                day is None
                or e.starts_at.astimezone(FESTIVAL_TZ).date() <= day <= e.ends_at.astimezone(FESTIVAL_TZ).date()
            )
            and (venue is None or e.venue_id == venue)
            and (category is None or e.category == category)
            and (starts_from is None or e.ends_at > starts_from)
            and (until is None or e.starts_at < until)
        ]
        if q:
            wanted = {id(e) for e in found}
            return [h.event for h in self.search(q) if h.event and id(h.event) in wanted]
        return found

    def search(self, q: str, limit: int = 50) -> list[schemas.SearchHit]:
        query = fold(q)
        hits: list[tuple[float, int, str, str, schemas.SearchHit]] = []
        for (kind, ident), indexed in self._index.items():
            s = score(query, indexed.names, indexed.others)
            if not s:
                continue
            if kind == "venue":
                v = self.venues[ident]
                hit = schemas.SearchHit(type="venue", id=ident, score=s, venue=v)
                hits.append((-s, 0, fold(v.name.en), ident, hit))
            else:
                e = self.events_by_id[ident]
                hit = schemas.SearchHit(type="event", id=ident, score=s, event=e)
                hits.append((-s, 1, fold(e.title.en), ident, hit))
        hits.sort(key=lambda h: h[:4])
        return [h[4] for h in hits[:limit]]


_VERSION_SQL = "SELECT version FROM programme_version WHERE id = 1"
#: SQLite file → the kept connection the version is read on outside a transaction
_readers: dict[str, KeptSqlite] = {}


async def current_version() -> int:
    """The programme version in the database (inside a transaction: as that transaction sees it).

    Every process asks twice a second and /health on every call: outside a transaction on SQLite it is read on a
    kept connection (server/db/kept.py), since Piccolo opens a connection and starts a thread per query there, and
    starting and joining a thread kept the event loop waiting for the GIL while a rebuild ran in other threads."""
    engine = ProgrammeVersion._meta.db
    reader = None if engine.current_transaction.get() is not None else _reader(engine)
    if reader is None:
        row = await ProgrammeVersion.select(ProgrammeVersion.version).where(ProgrammeVersion.id == 1).first()
    else:
        row = await reader.run(lambda connection: connection.execute(_VERSION_SQL).fetchone())
    return int(row["version"]) if row else 0


def _reader(engine: Engine) -> KeptSqlite | None:
    if is_postgres(engine):
        return None
    reader = _readers.get(engine.path)
    if reader is None:
        reader = _readers[engine.path] = kept_connection(engine)
    return reader


async def load_snapshot(engine: Engine) -> Snapshot:
    """Everything at one version, read inside one consistent transaction."""
    async with snapshot_transaction(engine):
        version = await current_version()
        festival_row = await Festival.select().first()
        venue_rows = await Venue.select().order_by(Venue.id)
        event_rows = await Event.select().order_by(Event.starts_at).order_by(Event.id)
        trail_rows = await Trail.select().order_by(Trail.id)
        announcement_rows = await Announcement.select().order_by(Announcement.published_at, ascending=False)
    # the JSON columns, the records and the search index take a city-sized programme a large part of a second (the
    # JSON alone, decoded by Piccolo as it reads, 50 ms on the event loop): all of it in a worker thread
    return await asyncio.to_thread(
        _snapshot_of, version, festival_row, venue_rows, event_rows, trail_rows, announcement_rows
    )


def _json_loaded(table: type[Table], rows: list[dict]) -> list[dict]:
    """The rows with their JSON columns decoded, as Piccolo's `output(load_json=True)` gives them."""
    names = [column._meta.name for column in table._meta.json_columns]
    for row in rows:
        for name in names:
            if isinstance(row.get(name), str | bytes):
                row[name] = _json_decode(row[name])
    return rows


def _snapshot_of(version: int, festival_row, venue_rows, event_rows, trail_rows, announcement_rows) -> Snapshot:
    return Snapshot(
        version=version,
        festival=records.festival(festival_row, version) if festival_row else None,
        venues={r["id"]: records.venue(r) for r in _json_loaded(Venue, venue_rows)},
        events=[records.event(r) for r in _json_loaded(Event, event_rows)],
        trails={r["id"]: records.trail(r) for r in _json_loaded(Trail, trail_rows)},
        announcements=[records.announcement(r) for r in announcement_rows],
    )


class SnapshotCache:
    """One process's current snapshot, reloaded when the version moves.

    While the app runs, `watch()` polls the version off the request path, so no request ever waits for the
    check. A request that wrote through this process awaits `written()`: it alone waits for the reload, so that it
    reads its own write next, while every other request keeps the held snapshot until the new one is in place (a
    city-sized reload takes a large part of a second). `invalidate()`, for writes made beside the app (scripts,
    tests), makes the next request reload and wait. Without a watcher (scripts, tests without lifespan) each
    `get()` checks at most every VERSION_TTL_S.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._snapshot: Snapshot | None = None
        self._checked_at = 0.0
        #: invalidations so far, and how many of them the held snapshot reflects: a refresh reflects those made
        #: before it began (each comes after its write committed), so a request never takes the held snapshot
        #: while a write it may have seen is not in it, not even while a refresh is under way
        self._invalidations = 0
        self._reflected = 0
        self._watching = False
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        self._invalidations += 1

    async def written(self) -> None:
        """Reload after a write through this process committed; only the caller waits for it."""
        try:
            await self.refresh()
        except Exception:  # noqa: BLE001 - the write stands; the watcher reloads at its next tick
            log.warning("programme reload after a write failed", exc_info=True)

    async def get(self) -> Snapshot:
        snapshot = self._snapshot
        if (
            snapshot is not None
            and self._reflected == self._invalidations
            and (self._watching or time.monotonic() - self._checked_at < VERSION_TTL_S)
        ):
            return snapshot
        return await self.refresh()

    async def refresh(self) -> Snapshot:
        """Reload if the database holds another version than this process."""
        async with self._lock:
            invalidations = self._invalidations
            version = await current_version()
            if self._snapshot is None or self._snapshot.version != version:
                self._snapshot = await load_snapshot(self._engine)
            self._reflected = invalidations
            self._checked_at = time.monotonic()
            return self._snapshot

    async def watch(self, interval_s: float = VERSION_TTL_S) -> None:
        """Poll the version until cancelled; a failed poll (database away) is retried at the next tick."""
        self._watching = True
        try:
            while True:
                try:
                    await self.refresh()
                except Exception:  # noqa: BLE001 - keep serving the last snapshot; /health reports the database
                    log.warning("programme version check failed", exc_info=True)
                await asyncio.sleep(interval_s)
        finally:
            self._watching = False


#: the programme snapshot as a handler receives it (the `snapshot` dependency of server/domain.py)
SnapshotDep = NamedDependency[Snapshot]
