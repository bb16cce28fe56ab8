"""The composition root: create_app(settings) wires every domain into one Litestar app."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, Literal

import msgspec
from litestar import Litestar, Request, Response, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components
from litestar.status_codes import (
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from litestar.types import ASGIApp, Receive, Scope, Send
from piccolo.engine import engine_finder

from server.accounts import domain as accounts
from server.auth import provide_principal
from server.basemap import domain as basemap
from server.checkin import domain as checkin
from server.clock import Clock, clock_from_setting
from server.contract import SECURITY_SCHEMES, complete_contract
from server.db.engine import close_engine, open_engine, unavailable
from server.db.kept import sqlite_writer
from server.db.limits import make_counter
from server.domain import FESTIVAL_MEMBERS, KERNEL_DEPENDENCIES, SNAPSHOTS, WRITER, Domain
from server.headers import ConditionalGet, Perimeter, as_get
from server.http import RATE_COUNTER, StrictJsonRequest, stamp_festival_now, strict_query_instants
from server.programme import domain as programme
from server.programme.snapshot import SnapshotCache, current_version
from server.push import domain as push
from server.pwa import pwa_routes
from server.resources import PWA_DIR
from server.settings import Settings, load_settings
from server.state import CLOCK, ENGINE, SETTINGS, StateKey
from server.syncing import domain as syncing
from server.syncing.bundles import BundleCache
from server.syncing.deps import APPLIER, BUNDLES, FEED
from server.syncing.fastpath import changes_cursor, is_bundle_request, serve_bundle, serve_changes
from server.syncing.feed import ChangeFeed, prune
from server.syncing.mutations import MutationApplier
from server.wayfinding import domain as wayfinding

log = logging.getLogger("lehoi")

#: the largest request body, answered 413 beyond: a full upload (500 mutations of the largest scans) is about 1.6 MB
MAX_BODY_BYTES = 4 * 1024 * 1024

# Every input that fails validation (query, path or body) is answered 422 with what is wrong, and
# OpenAPI documents it so; Litestar's default is 400.
ValidationException.status_code = HTTP_422_UNPROCESSABLE_ENTITY


def _too_deep(request: Request, exc: RecursionError) -> Response:
    # msgspec refuses JSON nested past Python's recursion limit with RecursionError, not a decode error; a body
    # like that is bad input (and a phone retries a 5xx forever, where a 400 lets it drop the one bad write)
    log.warning("refused %s %s: %s", request.method, request.url.path, exc)
    return Response({"status_code": 400, "detail": "the body is nested too deeply to read"}, status_code=400)


def _unexpected_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        body = {"status_code": exc.status_code, "detail": exc.detail}
        if exc.extra:
            body["extra"] = exc.extra
        return Response(body, status_code=exc.status_code, headers=exc.headers)
    if unavailable(exc):
        # the phone retries a 503 with backoff (honouring Retry-After) and keeps its outbox
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        return Response(
            {"status_code": 503, "detail": "the database is unavailable: try again shortly"},
            status_code=HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "2"},
        )
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return Response(
        {"status_code": 500, "detail": "internal error: the request was not applied"},
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
    )


class Health(msgspec.Struct):
    status: Literal["ok", "error"]
    #: "ok", or what went wrong reaching it
    database: str
    #: the programme version served; absent when the database is away
    version: int | None = None


@get(
    "/health",
    tags=["system"],
    responses={503: ResponseSpec(Health, description="the database does not answer", generate_examples=False)},
)
async def health() -> Response[Health]:
    """Whether the database answers, and the programme version this server serves."""
    try:
        version = await current_version()
    except Exception as exc:  # noqa: BLE001 - the point of a health check is to report, not raise
        return Response(Health(status="error", database=str(exc)), status_code=503)
    return Response(Health(status="ok", database="ok", version=version))


class LehoiApp(Litestar):
    """Litestar with the offline bundle and the change feed from the current version (see
    server/syncing/fastpath.py) and the domains' `fast_paths` answered ahead of routing, and every HTTP answer
    passing through the `Perimeter` (server/headers.py)."""

    fast_paths: tuple[tuple[str, ASGIApp], ...] = ()
    perimeter: Perimeter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            send = self.perimeter.sending(scope, send)
            for prefix, answer in self.fast_paths:
                if scope["path"].startswith(prefix):
                    await answer(scope, receive, send)
                    return
        if is_bundle_request(scope):
            try:
                built = await BUNDLES.of(self.state).get()
            except Exception:  # noqa: BLE001 - the routed handler answers the same failure with a proper error
                built = None
            if built is not None:
                await serve_bundle(scope, receive, send, built)
                return
        since = changes_cursor(scope)
        if since is not None:
            try:
                snapshot = await SNAPSHOTS.of(self.state).get()
            except Exception:  # noqa: BLE001 - the routed handler answers the same failure with a proper error
                snapshot = None
            if snapshot is not None and snapshot.version == since:  # up to date: the kept answer, no routing
                scope["app"] = self
                await serve_changes(scope, send, await FEED.of(self.state).encoded(snapshot, since), stamp_festival_now)
                return
        # the fast paths answer HEAD themselves; the routed app answers it as GET, whose body the perimeter drops
        await super().__call__(as_get(scope), receive, send)


def domains(settings: Settings) -> list[Domain]:
    """Every domain package of the app, in the order their routes register."""
    return [
        programme.domain(settings),
        basemap.domain(settings),
        accounts.domain(settings),
        syncing.domain(settings),
        push.domain(settings),
        checkin.domain(settings),
        wayfinding.domain(settings),
    ]


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> Litestar:
    """The lehoi server for these settings (default: the LEHOI_* environment)."""
    settings = settings or load_settings()
    clock = clock or clock_from_setting(settings.now)
    engine = engine_finder()
    snapshots = SnapshotCache(engine)
    rate_counter = make_counter(engine, settings)
    writer = sqlite_writer(engine)
    parts = domains(settings)
    state = State()
    kernel: dict[StateKey[Any], Any] = {
        SETTINGS: settings,
        CLOCK: clock,
        ENGINE: engine,
        SNAPSHOTS: snapshots,
        BUNDLES: BundleCache(
            snapshots,
            settings.data_path / "bundles",
            [p for d in parts for p in d.bundle_parts],
            files_kept=settings.bundles_kept,
            # a phone behind the pruned log takes this bundle (docs/protocol.md, retention)
            after_build=partial(prune, settings.change_log_kept),
        ),
        WRITER: writer,
        APPLIER: MutationApplier(engine, [h for d in parts for h in d.mutation_handlers], writer),
        FESTIVAL_MEMBERS: {name: member for d in parts for name, member in d.festival_members.items()},
        RATE_COUNTER: rate_counter,
        FEED: ChangeFeed(engine, {kind: read for d in parts for kind, read in d.feed_records.items()}),
    }
    for key, value in [*kernel.items(), *(item for part in parts for item in part.state.items())]:
        key.put(state, value)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await open_engine(engine, settings)
        try:
            for part in parts:
                for hook in part.on_startup:
                    await hook(app.state)
            # Everything built so far lives as long as the process: keep it out of the cyclic collector, whose full
            # passes over it (~80 ms) were the slowest requests' time.
            gc.freeze()
            warming = BUNDLES.of(app.state).warm()
            yield
            warming.cancel()
        finally:
            for part in reversed(parts):
                for hook in part.on_shutdown:
                    await hook(app.state)
            if writer is not None:
                await writer.close()
            await rate_counter.close()
            await close_engine(engine)

    route_handlers: list = [health, *(h for d in parts for h in d.route_handlers)]
    if PWA_DIR.is_dir():
        route_handlers.extend(pwa_routes(PWA_DIR, settings.data_path / "pwa-compressed"))

    app = LehoiApp(
        route_handlers=route_handlers,
        lifespan=[lifespan],
        state=state,
        exception_handlers={RecursionError: _too_deep, Exception: _unexpected_error},
        dependencies={
            **KERNEL_DEPENDENCIES,
            "principal": Provide(provide_principal, sync_to_thread=False),
            **{name: provide for d in parts for name, provide in d.dependencies.items()},
        },
        middleware=[ConditionalGet()],
        before_request=strict_query_instants,
        before_send=[stamp_festival_now],
        request_class=StrictJsonRequest,
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=OpenAPIConfig(
            title="lehoi",
            version="1",
            description="The festival companion's HTTP contract (see docs/architecture.md).",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin(path="/")],
            components=Components(security_schemes=SECURITY_SCHEMES),
        ),
        debug=False,
    )
    app.perimeter = Perimeter(settings)
    complete_contract(app, MAX_BODY_BYTES)
    app.fast_paths = tuple(item for d in parts for item in d.fast_paths.items())
    return app
