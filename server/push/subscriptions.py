"""A device's Web Push subscription: checked, stored (one per device), replaced, removed."""

from __future__ import annotations

from datetime import datetime

from cryptography.hazmat.primitives.asymmetric import ec
from piccolo.engine.base import Engine

from server.accounts.states import DeviceStates
from server.accounts.tables import Device
from server.codecs import b64url
from server.db.times import aware
from server.db.transactions import write_transaction
from server.errors import Conflict, Invalid, NotFound
from server.push import schemas
from server.push.endpoints import EndpointPolicy, EndpointRefused, EndpointUnresolved
from server.push.tables import Subscription, SubscriptionTopic


def _unique_violation(exc: Exception) -> bool:
    return type(exc).__name__ in ("UniqueViolationError", "IntegrityError") and "unique" in str(exc).lower()


def _key(text: str, size: int, name: str) -> str:
    """The canonical unpadded base64url of a key of `size` bytes (browsers send that; padding is forgiven)."""
    text = text.rstrip("=")
    try:
        raw = b64url.decode(text)
    except ValueError:
        raise Invalid(f"keys.{name} is not base64url") from None
    if len(raw) != size:
        raise Invalid(f"keys.{name} must be {size} bytes, got {len(raw)}")
    if name == "p256dh":
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        except ValueError:
            raise Invalid("keys.p256dh is not a P-256 public key") from None
    return text


async def save(
    engine: Engine,
    policy: EndpointPolicy,
    states: DeviceStates,
    device_id: str,
    data: schemas.SubscriptionIn,
    now: datetime,
) -> tuple[schemas.SubscriptionOut, bool]:
    """Store the device's subscription (replacing its previous one); True when it had none.

    A language given here is the device's setting, which `GET /api/me` answers from the copies `states` keeps:
    the write tells every process at commit and this one forgets its copy."""
    try:
        endpoint = (await policy.check(data.endpoint)).url
    except EndpointUnresolved:
        # a resolver failing now says nothing against the host; its addresses are checked again at every send
        endpoint = policy.parse(data.endpoint).url
    except EndpointRefused as exc:
        raise Invalid(f"endpoint refused: {exc}") from None
    p256dh = _key(data.keys.p256dh, 65, "p256dh")
    auth = _key(data.keys.auth, 16, "auth")
    topics = sorted(set(data.topics))
    try:
        async with write_transaction(engine):
            # the same browser under a new device identity: the endpoint moves to this device
            await Subscription.delete().where((Subscription.endpoint == endpoint) & (Subscription.device != device_id))
            existed = await Subscription.exists().where(Subscription.device == device_id)
            # one statement, so two saves of one device at once cannot both insert
            row = (
                await Subscription.raw(
                    "INSERT INTO push_subscription (device, endpoint, p256dh, auth, created_at, updated_at) "
                    "VALUES ({}, {}, {}, {}, {}, {}) ON CONFLICT (device) DO UPDATE SET endpoint = excluded.endpoint, "
                    "p256dh = excluded.p256dh, auth = excluded.auth, updated_at = excluded.updated_at "
                    "RETURNING id, created_at",
                    device_id,
                    endpoint,
                    p256dh,
                    auth,
                    now,
                    now,
                )
            )[0]
            await SubscriptionTopic.delete().where(SubscriptionTopic.subscription == row["id"])
            if topics:
                await SubscriptionTopic.insert(*(SubscriptionTopic(subscription=row["id"], topic=t) for t in topics))
            if data.lang is not None:
                await Device.update({Device.lang: data.lang}).where(Device.id == device_id)
                await states.announce(device_id)
            lang = (await Device.select(Device.lang).where(Device.id == device_id).first())["lang"]
    except Exception as exc:
        if _unique_violation(exc):
            raise Conflict("this endpoint was saved by another device at the same moment; try again") from None
        raise
    if data.lang is not None:
        states.forget(device_id)
    created_at = aware(row["created_at"])
    out = schemas.SubscriptionOut(endpoint=endpoint, topics=topics, lang=lang, created_at=created_at, updated_at=now)
    return out, not existed


async def current(device_id: str) -> schemas.SubscriptionOut:
    row = (
        await Subscription.select(
            Subscription.id,
            Subscription.endpoint,
            Subscription.created_at,
            Subscription.updated_at,
            Subscription.device.lang,
        )
        .where(Subscription.device == device_id)
        .first()
    )
    if row is None:
        raise NotFound("this device has no push subscription")
    topics = (
        await SubscriptionTopic.select(SubscriptionTopic.topic)
        .where(SubscriptionTopic.subscription == row["id"])
        .order_by(SubscriptionTopic.topic)
    )
    return schemas.SubscriptionOut(
        endpoint=row["endpoint"],
        topics=[t["topic"] for t in topics],
        lang=row["device.lang"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def remove(engine: Engine, device_id: str) -> None:
    """Forget the device's subscription; deliveries still queued for it end as gone."""
    async with write_transaction(engine):
        await Subscription.delete().where(Subscription.device == device_id)


async def stats() -> schemas.PushStats:
    total = await Subscription.count()
    rows = await SubscriptionTopic.raw("SELECT topic, COUNT(*) AS n FROM push_topic GROUP BY topic ORDER BY topic")
    return schemas.PushStats(subscriptions=total, topics={r["topic"]: int(r["n"]) for r in rows})
