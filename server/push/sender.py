"""Sending one encrypted push message with pywebpush's async API, and reading the push service's answer.

One `PushSession` per worker carries every request (pywebpush's ``send_async`` posts through it): keep-alive
connections per push service, at most ``concurrency`` requests at once, explicit connect and answer timeouts,
the endpoint policy applied to the addresses actually connected to, redirects never followed. Each message is
encrypted with a fresh ephemeral ECDH key (aes128gcm, RFC 8291, see `ece`), a batch of messages at a time,
ahead of their sends (see `_Sealed`). What is reused is only what may be: the VAPID header, signed once per
push-service origin and passed as a ready header (no claims dict ever reaches pywebpush, which writes into the
one it is given), and each subscription's parsed keys (the browser's, not ours).

The answer, by the policy of docs/contract.md, "Push": 2xx → sent; 404 or 410 → the subscription is gone; 429 or 5xx, a
timeout or a broken connection → retry later (honouring Retry-After); a redirect or any other 4xx → failed, with
the status and the start of the service's explanation as the reason.
"""

from __future__ import annotations

import email.utils
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pywebpush import CaseInsensitiveDict, WebPusher

from server.clock import wall_seconds
from server.push import ece
from server.push.client import PushResponse, PushSession
from server.push.endpoints import EndpointPolicy, EndpointRefused
from server.push.vapid import VapidKeys

#: parsed subscription public keys kept per worker
_KEY_CACHE_LIMIT = 50_000
#: the most of a service's error body kept in a delivery's reason
_REASON_LENGTH = 160


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: Literal["sent", "gone", "retry", "failed"]
    reason: str | None = None
    #: for retry: seconds the service asked us to wait (Retry-After), if it said
    retry_after: float | None = None


SENT = Outcome("sent")


class Sender:
    def __init__(
        self,
        vapid: VapidKeys,
        policy: Callable[[], EndpointPolicy],
        *,
        concurrency: int = 200,
        timeout_s: float = 10.0,
    ) -> None:
        self.vapid = vapid
        self._policy = policy
        self.concurrency = concurrency
        #: seconds to wait for an answer once the request is sent (a new connection has its own, shorter, limit)
        self.timeout_s = timeout_s
        self._session: PushSession | None = None
        self._subscribers: dict[tuple[str, str], ece.Subscriber] = {}

    async def open(self) -> None:
        if self._session is None:
            self._session = PushSession(
                self._policy,
                limit=self.concurrency,
                timeout_s=self.timeout_s,
                connect_timeout_s=min(5.0, self.timeout_s),
            )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _subscriber(self, p256dh: str, auth: str) -> ece.Subscriber:
        """The browser's keys, parsed once per worker (parsing is a tenth of a message's encryption)."""
        key = (p256dh, auth)
        subscriber = self._subscribers.get(key)
        if subscriber is None:
            if len(self._subscribers) >= _KEY_CACHE_LIMIT:
                self._subscribers.clear()
            subscriber = self._subscribers[key] = ece.Subscriber.parse(p256dh, auth)
        return subscriber

    def prepare(
        self, endpoint: str, p256dh: str, auth: str, payload: bytes, *, ttl: int, urgency: str, topic: str | None
    ) -> Prepared | Outcome:
        """Check the endpoint's form and encrypt the message (synchronous: CPU only); an Outcome if it cannot go."""
        if self._session is None:
            # without our session pywebpush would post through a client of its own, outside the endpoint policy
            raise RuntimeError("Sender.open() first")
        try:
            target = self._policy().parse(endpoint)
        except EndpointRefused as exc:
            return Outcome("failed", f"endpoint refused: {exc}")
        headers = {"Authorization": self.vapid.header(target.origin), "Urgency": urgency}
        if topic:
            headers["Topic"] = topic
        try:
            body = ece.encrypt(payload, self._subscriber(p256dh, auth))
        except ValueError as exc:  # keys that do not decode to a P-256 point or to 16 bytes; a payload too long
            return Outcome("failed", f"cannot encrypt: {exc}"[:_REASON_LENGTH])
        return Prepared(_Sealed(endpoint, body, self._session), payload, headers, ttl)

    async def deliver(self, prepared: Prepared) -> Outcome:
        """POST a prepared message; never raises for what a push service or the network does."""
        try:
            response = await prepared.pusher.send_async(
                prepared.payload,
                prepared.headers,
                ttl=prepared.ttl,
                content_encoding="aes128gcm",
                timeout=self.timeout_s,
            )
        except EndpointRefused as exc:
            return Outcome("failed", f"endpoint refused: {exc}")
        except (TimeoutError, OSError) as exc:
            return Outcome("retry", f"network: {type(exc).__name__} {exc}"[:_REASON_LENGTH])
        return classify(response)


class _Sealed(WebPusher):
    """pywebpush's WebPusher for one message encrypted ahead of its send.

    `Sender.prepare` encrypts (`ece`) and `send_async` sends that very body over the shared session: encrypting a
    batch of messages in a row and sending them afterwards costs about a fifth less CPU than alternating
    encryption and HTTP code per message (each evicts the other from the CPU caches). A retry is prepared, so
    encrypted, afresh.
    """

    def __init__(self, endpoint: str, body: bytes, session: PushSession) -> None:
        # not WebPusher.__init__: it copies and decodes the subscription's keys, which `encode` here has no use for
        self.subscription_info = {"endpoint": endpoint}
        self.aiohttp_session = session
        self.verbose = False
        self.body = body

    def encode(self, data: bytes, content_encoding: str = "aes128gcm") -> CaseInsensitiveDict:
        return CaseInsensitiveDict(body=self.body)


@dataclass(frozen=True, slots=True)
class Prepared:
    pusher: _Sealed
    payload: bytes
    headers: dict[str, str]
    ttl: int


def classify(response: PushResponse) -> Outcome:
    status = response.status
    if 200 <= status < 300:
        return SENT
    if status in (404, 410):
        return Outcome("gone", f"{status} {response.reason or ''}".strip())
    if status == 429 or status >= 500:
        return Outcome(
            "retry", f"{status} {response.reason or ''}".strip(), retry_after(response.headers.get("retry-after"))
        )
    if 300 <= status < 400:
        return Outcome("failed", f"{status} redirect not followed")
    text = response.body.decode("utf-8", "replace").strip()
    reason = f"{status} {response.reason or ''}".strip() + (f": {text}" if text else "")
    return Outcome("failed", " ".join(reason.split())[:_REASON_LENGTH])


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delay-seconds or an HTTP date; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        at = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if at is None or at.tzinfo is None:
        return None
    return max(0.0, at.timestamp() - (wall_seconds() if now is None else now))
