"""Programme endpoints: public reads from the in-memory snapshot, organiser writes through the service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import Operation
from litestar.params import Body, FromQuery, PathParameter, QueryParameter

from server.auth import organiser_only
from server.domain import Now
from server.errors import Invalid, NotFound
from server.http import (
    JSON,
    REVALIDATE,
    ReadErrors,
    SlugPath,
    SlugQuery,
    WriteErrors,
    base_url,
    json_response,
    version_etag,
)
from server.programme import exports as formats
from server.programme import schemas
from server.programme.deps import provide_exports, provide_programme_service
from server.programme.exports import Exports
from server.programme.service import ProgrammeService
from server.programme.snapshot import Snapshot, SnapshotDep
from sync.messages import SLUG_PATTERN

ServiceDep = NamedDependency[ProgrammeService]
ExportsDep = NamedDependency[Exports]
SlugParam = SlugPath
QueryText = Annotated[
    str | None, QueryParameter(max_length=200, description="search words; case and diacritics ignored")
]


#: an event id, or one followed by `.ics`
EVENT_REF_PATTERN = SLUG_PATTERN.removesuffix("$") + r"(\.ics)?$"


@dataclass
class AlsoICalendar(Operation):
    """An operation whose 200 is also given as iCalendar (`{id}.ics`)."""

    def to_schema(self) -> dict[str, Any]:
        schema = super().to_schema()
        schema["responses"]["200"]["content"]["text/calendar"] = {"schema": {"type": "string"}}
        return schema


def _event_or_404(snapshot: Snapshot, event_id: str) -> schemas.Event:
    event = snapshot.events_by_id.get(event_id)
    if event is None:
        raise NotFound(f"no event with id {event_id!r}")
    return event


class ProgrammeController(Controller):
    """The festival programme: public reads; writes for organisers only."""

    path = "/api"
    tags = ["programme"]
    # every read is the programme at its current version: kept, but asked again each time (a 304 when unchanged)
    cache_control = REVALIDATE
    dependencies = {
        "service": Provide(provide_programme_service, sync_to_thread=False),
        "exports": Provide(provide_exports, sync_to_thread=False),
    }

    @get("/festival", raises=ReadErrors)
    async def festival(
        self, snapshot: SnapshotDep, festival_members: NamedDependency[dict[str, Any]]
    ) -> Response[schemas.Festival]:
        """The festival: name, theme, dates, time zone and programme version; and the members other domains add
        (`map`: the map's tile sources, the offline basemap among them)."""
        if snapshot.festival is None:
            raise NotFound("no festival is loaded yet: run `lehoi load-fixtures`")
        return json_response(
            snapshot.encoded("festival", lambda: {**msgspec.structs.asdict(snapshot.festival), **festival_members})
        )

    @get("/venues", raises=ReadErrors)
    async def venues(
        self,
        snapshot: SnapshotDep,
        kind: FromQuery[schemas.VenueKind | None] = None,
        district: Annotated[str | None, QueryParameter(max_length=100)] = None,
        q: QueryText = None,
    ) -> Response[list[schemas.Venue]]:
        """Venues, filtered by kind, district (diacritics ignored) and search words."""
        key = ("venues", kind, district, q)
        return json_response(await snapshot.encoded_apart(key, lambda: snapshot.find_venues(kind, district, q)))

    @get("/venues.geojson", raises=ReadErrors, media_type="application/geo+json")
    async def venues_geojson(self, snapshot: SnapshotDep, exports: ExportsDep) -> Response[dict[str, Any]]:
        """Every venue as an RFC 7946 FeatureCollection of points ([lon, lat])."""
        return json_response(await exports.venues_geojson(snapshot), media_type="application/geo+json")

    @get("/venues/{venue_id:str}", raises=ReadErrors)
    async def venue(self, snapshot: SnapshotDep, venue_id: SlugParam) -> Response[schemas.Venue]:
        """One venue."""
        venue = snapshot.venue(venue_id)
        return json_response(snapshot.encoded(("venue", venue_id), lambda: venue))

    @get("/events", raises=ReadErrors)
    async def events(
        self,
        snapshot: SnapshotDep,
        day: Annotated[date | None, QueryParameter(description="festival-local day, YYYY-MM-DD")] = None,
        venue: SlugQuery = None,
        category: Annotated[str | None, QueryParameter(max_length=32)] = None,
        q: QueryText = None,
        starts_from: Annotated[
            datetime | None, QueryParameter(name="from", description="still running at or after")
        ] = None,
        until: Annotated[datetime | None, QueryParameter(name="to", description="starting before")] = None,
    ) -> Response[list[schemas.Event]]:
        """Events by day, venue, category, search words and time range, in start order."""
        for name, at in (("from", starts_from), ("to", until)):
            if at is not None and at.tzinfo is None:
                raise Invalid(f"{name} needs a UTC offset, for example 2024-11-12T10:00:00+07:00")
        if starts_from and until and starts_from >= until:
            raise Invalid("from must be before to")
        if venue is not None:
            snapshot.venue(venue)
        key = ("events", day, venue, category, q, starts_from, until)
        return json_response(
            await snapshot.encoded_apart(key, lambda: snapshot.find_events(day, venue, category, q, starts_from, until))
        )

    @get("/events/{event_id:str}", raises=ReadErrors, operation_class=AlsoICalendar)
    async def event(
        self,
        request: Request,
        now: Now,
        snapshot: SnapshotDep,
        event_id: Annotated[
            str,
            PathParameter(max_length=70, pattern=EVENT_REF_PATTERN, description="an event id, or id.ics for iCalendar"),
        ],
    ) -> Response[schemas.Event]:
        """One event; `/api/events/{id}.ics` gives it as iCalendar."""
        if event_id.endswith(".ics"):
            event = _event_or_404(snapshot, event_id.removesuffix(".ics"))
            body = formats.calendar(snapshot, [event], now, base_url(request))
            return Response(body, media_type="text/calendar", headers={"ETag": version_etag(snapshot.version, request)})
        event = _event_or_404(snapshot, event_id)
        return json_response(snapshot.encoded(("event", event.id), lambda: event))

    @get("/search", raises=ReadErrors)
    async def search(
        self, snapshot: SnapshotDep, q: Annotated[str, QueryParameter(min_length=1, max_length=200)]
    ) -> Response[schemas.SearchResults]:
        """Venues and events matching the words, ignoring case and Vietnamese diacritics, best first."""
        return json_response(
            await snapshot.encoded_apart(("search", q), lambda: schemas.SearchResults(q=q, results=snapshot.search(q)))
        )

    @get("/programme.ics", raises=ReadErrors, media_type="text/calendar")
    async def programme_ics(self, request: Request, snapshot: SnapshotDep, exports: ExportsDep) -> Response[bytes]:
        """The whole programme as one iCalendar file (RFC 5545), times in Asia/Ho_Chi_Minh; built once per programme
        version (while a new version's is built, the previous one is served)."""
        body = await exports.calendar(snapshot, base_url(request))
        return Response(body, media_type="text/calendar", headers={"ETag": version_etag(snapshot.version, request)})

    @get("/schedule.xml", raises=ReadErrors, media_type="application/xml")
    async def schedule_xml(self, request: Request, snapshot: SnapshotDep, exports: ExportsDep) -> Response[bytes]:
        """The programme in frab schedule XML, for Giggity and EventFahrplan; kept per version like the calendar."""
        body = await exports.schedule_xml(snapshot, base_url(request))
        return Response(body, media_type="application/xml; charset=utf-8")

    # organiser writes

    @post("/venues", guards=[organiser_only], raises=WriteErrors, status_code=201)
    async def create_venue(self, service: ServiceDep, data: Annotated[schemas.VenueCreate, Body()]) -> JSON:
        """Add a venue (organisers)."""
        await service.create_venue(data)
        return {"id": data.id}

    @patch("/venues/{venue_id:str}", guards=[organiser_only], raises=WriteErrors)
    async def update_venue(
        self, service: ServiceDep, venue_id: SlugParam, data: Annotated[schemas.VenueUpdate, Body()]
    ) -> JSON:
        """Change some fields of a venue (organisers)."""
        await service.update_venue(venue_id, data)
        return {"id": venue_id}

    @delete("/venues/{venue_id:str}", guards=[organiser_only], raises=WriteErrors, status_code=204)
    async def delete_venue(self, service: ServiceDep, venue_id: SlugParam) -> None:
        """Remove a venue that no event or trail uses (organisers).

        What was tied to it: enrolment codes leave it out from now on (a code none of whose venues is left enrols
        nobody: 410); volunteers enrolled for it can no longer check anyone in there (the venue is unknown: 404
        online, `unknown_venue` offline); its recorded scans and collected stamps are kept as the record of what
        happened; phones drop it with their next sync."""
        await service.delete_venue(venue_id)

    @post("/events", guards=[organiser_only], raises=WriteErrors, status_code=201)
    async def create_event(self, service: ServiceDep, data: Annotated[schemas.EventCreate, Body()]) -> JSON:
        """Add an event (organisers); without an `id`, one is made from its Vietnamese title and answered."""
        return {"id": await service.create_event(data)}

    @patch("/events/{event_id:str}", guards=[organiser_only], raises=WriteErrors)
    async def update_event(
        self, service: ServiceDep, event_id: SlugParam, data: Annotated[schemas.EventUpdate, Body()]
    ) -> JSON:
        """Change some fields of an event: move it, retitle it, cancel it (organisers)."""
        await service.update_event(event_id, data)
        return {"id": event_id}

    @delete("/events/{event_id:str}", guards=[organiser_only], raises=WriteErrors, status_code=204)
    async def delete_event(self, service: ServiceDep, event_id: SlugParam) -> None:
        """Remove an event (organisers); cancelling it with PATCH keeps it visible, struck out."""
        await service.delete_event(event_id)

    @post("/trails", guards=[organiser_only], raises=WriteErrors, status_code=201)
    async def create_trail(self, service: ServiceDep, data: Annotated[schemas.TrailCreate, Body()]) -> JSON:
        """Add a curated trail (organisers)."""
        await service.create_trail(data)
        return {"id": data.id}

    @patch("/trails/{trail_id:str}", guards=[organiser_only], raises=WriteErrors)
    async def update_trail(
        self, service: ServiceDep, trail_id: SlugParam, data: Annotated[schemas.TrailUpdate, Body()]
    ) -> JSON:
        """Change some fields of a trail (organisers)."""
        await service.update_trail(trail_id, data)
        return {"id": trail_id}

    @delete("/trails/{trail_id:str}", guards=[organiser_only], raises=WriteErrors, status_code=204)
    async def delete_trail(self, service: ServiceDep, trail_id: SlugParam) -> None:
        """Remove a trail (organisers)."""
        await service.delete_trail(trail_id)
