"""Push notifications: subscriptions (one per device), alerts (organisers' and reminders) and delivery rows.

Delivery rows are the durable work queue: one per (alert, subscription), claimed by workers with a lease.
Times a worker compares on every claim are epoch milliseconds of the festival clock (`*_ms` columns), so the
claim and lease arithmetic is the same integer comparison on SQLite and PostgreSQL.
"""

from piccolo.columns import (
    JSON,
    BigInt,
    BigSerial,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from server.accounts.tables import Device


class Subscription(Table, tablename="push_subscription"):
    """A device's Web Push subscription (PushSubscription.toJSON() in the browser)."""

    id = BigSerial(primary_key=True)
    device = ForeignKey(references=Device, null=False, unique=True, on_delete=OnDelete.cascade)
    endpoint = Varchar(length=2048, unique=True)
    #: unpadded base64url of the browser's P-256 public key (65 bytes) and auth secret (16 bytes)
    p256dh = Varchar(length=100)
    auth = Varchar(length=32)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class SubscriptionTopic(Table, tablename="push_topic"):
    """A topic a subscription asked for; organisers target alerts at topics."""

    subscription = ForeignKey(references=Subscription, null=False, index=True, on_delete=OnDelete.cascade)
    topic = Varchar(length=32, index=True)


class Alert(Table, tablename="push_alert"):
    """An organiser's alert or a reminder; fanned out into delivery rows when due."""

    id = Varchar(length=64, primary_key=True)
    #: alert (an organiser's; also an announcement) or reminder (before a favourited event)
    kind = Varchar(length=16, default="alert")
    title_vi = Varchar(length=200)
    title_en = Varchar(length=200)
    body_vi = Text(default="")
    body_en = Text(default="")
    url = Varchar(length=300, default="")
    #: the target as the organiser gave it: {"all": true} | {"venues": [...]} | {"events": [...]} | {"topics": [...]}
    target = JSON(default={})
    urgency = Varchar(length=16, default="normal")
    ttl = Integer(default=86400)
    send_at = Timestamptz(index=True)
    created_at = Timestamptz()
    created_by = Varchar(length=64, null=True, default=None)
    fanned_out_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    #: festival-clock epoch ms after which no attempt is made (fan-out + ttl; a reminder: the event's start)
    expires_ms = BigInt(null=True, default=None)
    #: reminders only: the event, its start when the reminder was made, and the minutes before it
    event_id = Varchar(length=64, null=True, default=None, index=True)
    event_starts_at = Timestamptz(null=True, default=None)
    reminder_minutes = Integer(null=True, default=None)


class Delivery(Table, tablename="push_delivery"):
    """One alert to one subscription: queued → sent | failed | gone."""

    id = BigSerial(primary_key=True)
    alert = ForeignKey(references=Alert, null=False, on_delete=OnDelete.cascade)
    #: not a foreign key: the row outlives a subscription removed by a 404/410, and counts it as gone
    subscription_id = BigInt()
    status = Varchar(length=8, default="queued")
    #: claims so far (a claim counts as an attempt, so a delivery that kills its worker is not retried forever)
    attempts = Integer(default=0)
    #: festival-clock epoch ms when it may be claimed; while leased, the end of the lease
    next_attempt_ms = BigInt(default=0)
    lease_owner = Varchar(length=64, null=True, default=None)
    reason = Varchar(length=200, null=True, default=None)
    done_ms = BigInt(null=True, default=None)
