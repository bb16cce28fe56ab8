"""Sync endpoints: the offline bundle, the change feed, and the mutation upload."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import PermissionDeniedException, ServiceUnavailableException
from litestar.params import Body, Parameter

from server.auth import Caller, device_upload
from server.domain import BatchContext, Now, Versioned
from server.errors import Gone, TooLarge
from server.http import CONDITIONAL, JSON, ReadErrors, json_response
from server.syncing.bundles import BundleCache
from server.syncing.deps import provide_applier, provide_bundles, provide_feed
from server.syncing.fastpath import bundle_answer
from server.syncing.feed import ChangeFeed
from server.syncing.mutations import MutationApplier
from sync.changes import CursorGone
from sync.messages import MAX_MUTATIONS_PER_PUSH, Changes, PushRequest, PushResponse


class SyncController(Controller):
    path = "/api/sync"
    tags = ["sync"]
    dependencies = {
        "bundles": Provide(provide_bundles, sync_to_thread=False),
        "applier": Provide(provide_applier, sync_to_thread=False),
        "feed": Provide(provide_feed, sync_to_thread=False),
    }

    @get("/bundle", raises=[*ReadErrors, ServiceUnavailableException], opt={CONDITIONAL: True})
    async def bundle(self, request: Request, bundles: NamedDependency[BundleCache]) -> Response[JSON]:
        """The whole programme for offline use: one JSON object, a member per bundle part (docs/protocol.md).
        Strong ETag per encoding; If-None-Match → 304; br or gzip.

        While a new version's bundle is being built, the previous version is served; 503 only when there is none.

        Served before routing by server/syncing/fastpath.py (same answer, without the framework's per-request
        work); this handler documents the route and answers if the fast path is ever bypassed.
        """
        status, headers, body = bundle_answer(
            await bundles.get(), request.headers.get("accept-encoding"), request.headers.get("if-none-match")
        )
        return Response(body, status_code=status, headers=headers, media_type=headers.get("content-type"))

    @get("/changes", raises=[*ReadErrors, Gone])
    async def changes(
        self,
        feed: NamedDependency[ChangeFeed],
        snapshot: NamedDependency[Versioned],
        since: Annotated[int, Parameter(ge=0, description="the programme version the phone holds")],
    ) -> Response[Changes]:
        """Upserts and tombstones after version `since`; 410 when it is outside the retained log."""
        try:
            return json_response(await feed.encoded(snapshot, since))
        except CursorGone as exc:
            raise Gone(f"{exc}: fetch /api/sync/bundle") from None

    @post("/push", guards=[device_upload], raises=[*ReadErrors, TooLarge], status_code=200)
    async def push(
        self,
        now: Now,
        principal: Caller,
        applier: NamedDependency[MutationApplier],
        snapshot: NamedDependency[Versioned],
        data: Annotated[PushRequest, Body()],
    ) -> PushResponse:
        """Apply the phone's mutations in order, each exactly once; see docs/protocol.md.

        A revoked device is let through: its check-in scans are kept for review, and every mutation is answered
        `rejected` with reason `device_revoked`.
        """
        if data.client_id != principal.subject:
            raise PermissionDeniedException("client_id is not the device this token belongs to")
        if len(data.mutations) > MAX_MUTATIONS_PER_PUSH:
            raise TooLarge(f"at most {MAX_MUTATIONS_PER_PUSH} mutations per request; send the rest next")
        ctx = BatchContext(principal=principal, snapshot=snapshot, now=now)
        results = await applier.apply_batch(ctx, data.mutations)
        return PushResponse(last_mutation_id=data.mutations[-1].id if data.mutations else None, results=results)
