"""Push endpoints: the VAPID public key, a device's subscription, and organisers' alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from litestar import Controller, Response, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body, Parameter, QueryParameter

from server.accounts.states import DeviceStates
from server.auth import Caller, attendee_device, organiser_only
from server.domain import EngineDep, Now
from server.http import ReadErrors, SlugPath, WriteErrors
from server.push import schemas, subscriptions
from server.push.alerts import AlertService
from server.push.deps import provide_alerts, provide_push
from server.push.runtime import PushRuntime

AlertId = SlugPath


class PushController(Controller):
    """Web Push for phones: the server's public key and the device's subscription."""

    path = "/api/push"
    tags = ["push"]
    dependencies = {"push": Provide(provide_push, sync_to_thread=False)}

    @get("/vapid-public-key", raises=ReadErrors)
    async def vapid_public_key(self, push: NamedDependency[PushRuntime]) -> schemas.VapidPublicKey:
        """The applicationServerKey for PushManager.subscribe(): base64url of the 65-byte P-256 point."""
        return schemas.VapidPublicKey(public_key=push.vapid.public_key)

    @post(
        "/subscriptions",
        guards=[attendee_device],
        raises=WriteErrors,
        status_code=201,
        responses={200: ResponseSpec(schemas.SubscriptionOut, description="The previous subscription, replaced")},
    )
    async def subscribe(
        self,
        principal: Caller,
        push: NamedDependency[PushRuntime],
        engine: EngineDep,
        device_states: NamedDependency[DeviceStates],
        now: Now,
        data: Annotated[schemas.SubscriptionIn, Body()],
    ) -> Response[schemas.SubscriptionOut]:
        """Save this device's subscription (201; 200 when it replaces the previous one), its topics and language.

        The endpoint must be https at a known push service (FCM, Mozilla, Apple, Windows) resolving to public
        addresses; anything else is refused with 422.
        """
        out, created = await subscriptions.save(engine, push.policy, device_states, principal.subject, data, now)
        return Response(out, status_code=201 if created else 200)

    @get("/subscriptions", guards=[attendee_device], raises=ReadErrors)
    async def subscription(self, principal: Caller) -> schemas.SubscriptionOut:
        """This device's subscription as the server holds it; 404 when it has none."""
        return await subscriptions.current(principal.subject)

    @delete("/subscriptions", guards=[attendee_device], status_code=204)
    async def unsubscribe(self, engine: EngineDep, principal: Caller) -> None:
        """Forget this device's subscription (no more alerts or reminders by push). Idempotent."""
        await subscriptions.remove(engine, principal.subject)


class AlertController(Controller):
    """Organisers' push alerts: send now or later, follow delivery, cancel a scheduled one."""

    path = "/api/organiser"
    tags = ["push"]
    guards = [organiser_only]
    dependencies = {"alerts": Provide(provide_alerts, sync_to_thread=False)}

    @post("/alerts", raises=WriteErrors, status_code=201)
    async def create_alert(
        self, principal: Caller, alerts: NamedDependency[AlertService], data: Annotated[schemas.AlertCreate, Body()]
    ) -> schemas.AlertCreated:
        """Send an alert to a target, now or at `send_at`; it is also published as an announcement when sent.

        Target: `{"all": true}`, `{"venues": [ids]}` (devices with favourites there), `{"events": [ids]}`
        (devices with those favourites) or `{"topics": [names]}`.
        """
        return await alerts.create(data, principal.subject)

    @get("/alerts", raises=ReadErrors)
    async def list_alerts(
        self,
        alerts: NamedDependency[AlertService],
        kind: Annotated[
            Literal["alert", "reminder"], QueryParameter(description="organisers' alerts or reminders")
        ] = "alert",
        limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
        before: Annotated[datetime | None, Parameter(description="created before this instant (paging)")] = None,
    ) -> list[schemas.AlertView]:
        """Alerts (or reminders), newest first, with live delivery counts. `before` has an offset, as every
        instant in a query (server/http.py `strict_query_instants`)."""
        return await alerts.list(kind, limit, before)

    @get("/alerts/{alert_id:str}", raises=ReadErrors)
    async def alert(self, alerts: NamedDependency[AlertService], alert_id: AlertId) -> schemas.AlertView:
        """One alert: status (scheduled, sending, done, cancelled) and counts {queued, sent, failed, gone}, live."""
        return await alerts.get(alert_id)

    @delete("/alerts/{alert_id:str}", raises=WriteErrors, status_code=204)
    async def cancel_alert(self, alerts: NamedDependency[AlertService], alert_id: AlertId) -> None:
        """Cancel a scheduled alert; 409 once it has been sent."""
        await alerts.cancel(alert_id)

    @get(
        "/push/stats",
    )
    async def push_stats(self) -> schemas.PushStats:
        """How many devices are subscribed, in all and per topic (for targeting)."""
        return await subscriptions.stats()
