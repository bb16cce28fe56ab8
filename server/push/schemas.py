"""Wire types of push: subscriptions, organisers' alerts, and the message payload."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct

from sync.messages import PLAIN, Instant, Slug

Lang = Literal["vi", "en"]
Urgency = Literal["very-low", "low", "normal", "high"]
Topic = Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$", description="lowercase topic name")]
#: seconds a push service keeps an undelivered message: 0 (now or never) to 28 days
Ttl = Annotated[int, Meta(ge=0, le=28 * 24 * 3600)]
#: an encrypted push message must fit 4 KB; the JSON payload is kept under this
MAX_PAYLOAD_BYTES = 3072
AlertStatus = Literal["scheduled", "sending", "done", "cancelled"]
AlertKind = Literal["alert", "reminder"]


# --- subscriptions ------------------------------------------------------------------------------


class SubscriptionKeys(Struct, forbid_unknown_fields=True):
    #: base64url of the browser's P-256 public key (65 bytes, uncompressed)
    p256dh: Annotated[str, Meta(min_length=80, max_length=100)]
    #: base64url of the 16-byte auth secret
    auth: Annotated[str, Meta(min_length=16, max_length=32)]


class SubscriptionIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """PushSubscription.toJSON() as the browser gives it, plus the topics and language the phone wants."""

    endpoint: Annotated[str, Meta(min_length=1, max_length=2048)]
    keys: SubscriptionKeys
    topics: Annotated[list[Topic], Meta(max_length=20)] = []
    #: sets the device's language (the same setting as the `settings.set` mutation)
    lang: Lang | None = None
    #: part of toJSON(); accepted and ignored
    expirationTime: Annotated[float, Meta(ge=0, le=2**53)] | None = None


class SubscriptionOut(Struct):
    endpoint: str
    topics: list[str]
    lang: str
    created_at: datetime
    updated_at: datetime


class VapidPublicKey(Struct):
    #: base64url of the 65-byte uncompressed P-256 point: PushManager.subscribe's applicationServerKey
    public_key: str


# --- alerts -------------------------------------------------------------------------------------


class AlertTitle(Struct, frozen=True, forbid_unknown_fields=True):
    vi: Annotated[str, Meta(min_length=1, max_length=120), PLAIN]
    en: Annotated[str, Meta(min_length=1, max_length=120), PLAIN]


class AlertBody(Struct, frozen=True, forbid_unknown_fields=True):
    vi: Annotated[str, Meta(max_length=1000), PLAIN] = ""
    en: Annotated[str, Meta(max_length=1000), PLAIN] = ""


class AlertTarget(Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    """Exactly one of: everyone, devices with favourites at these venues, devices with these favourites, topics."""

    all: bool | msgspec.UnsetType = msgspec.UNSET
    venues: Annotated[list[Slug], Meta(min_length=1, max_length=100)] | msgspec.UnsetType = msgspec.UNSET
    events: Annotated[list[Slug], Meta(min_length=1, max_length=200)] | msgspec.UnsetType = msgspec.UNSET
    topics: Annotated[list[Topic], Meta(min_length=1, max_length=20)] | msgspec.UnsetType = msgspec.UNSET


class AlertCreate(Struct, forbid_unknown_fields=True, kw_only=True):
    title: AlertTitle
    body: AlertBody = AlertBody()
    #: opened when the notification is tapped: a path of this site (`/#/events/…`) or an https URL
    url: Annotated[str, Meta(max_length=300), PLAIN] | None = None
    #: exactly one member, which the schema says too (each of AlertTarget's members is optional on its own)
    target: Annotated[AlertTarget, Meta(extra_json_schema={"minProperties": 1, "maxProperties": 1})]
    urgency: Urgency = "normal"
    ttl: Ttl = 86400
    #: when to send (with a UTC offset); omitted: now
    send_at: Instant | None = None


class AlertCreated(Struct):
    id: str
    status: AlertStatus
    send_at: datetime
    #: subscriptions the alert was fanned out to (0 while scheduled)
    recipients: int


class AlertCounts(Struct):
    queued: int = 0
    sent: int = 0
    failed: int = 0
    gone: int = 0
    total: int = 0


class AlertView(Struct):
    id: str
    kind: AlertKind
    status: AlertStatus
    title: AlertTitle
    body: AlertBody
    url: str
    target: dict
    urgency: str
    ttl: int
    send_at: datetime
    created_at: datetime
    fanned_out_at: datetime | None
    counts: AlertCounts
    #: failed deliveries by reason, most frequent first (at most 10 reasons)
    failures: dict[str, int] = {}
    event_id: str | None = None


class PushStats(Struct):
    subscriptions: int
    #: subscriptions per topic
    topics: dict[str, int]


# --- the message ----------------------------------------------------------------------------------


class Bilingual(Struct, frozen=True):
    vi: str
    en: str


class Payload(Struct, frozen=True, omit_defaults=True):
    """What the service worker receives, decrypted (see server/push/README.md)."""

    id: str
    kind: str
    title: Bilingual
    body: Bilingual
    url: str
    lang: str
    event_id: str | None = None


_encoder = msgspec.json.Encoder()


def encode_payload(payload: Payload) -> bytes:
    return _encoder.encode(payload)
