"""A real Web Push receiver on 127.0.0.1, standing in for FCM, Mozilla's or Apple's push service.

It holds the subscribers' private keys, so it checks every message the way a push service and a browser would
between them:

* the VAPID ``Authorization: vapid t=<JWT>,k=<key>``: ``k`` is the server's public key, the JWT is ES256-signed by
  it, ``aud`` is this endpoint's origin, ``exp`` is in the future and at most 24 hours away, ``sub`` is a mailto: or
  https: contact;
* ``Content-Encoding: aes128gcm``, a ``TTL`` header, a valid ``Urgency`` and ``Topic`` when given;
* the body decrypts (RFC 8291/8188, http_ece) with the subscriber's private key and auth secret, to JSON.

Each subscription can be told how to answer its next requests (any status, with headers such as Retry-After
or Location); the default is 201. ``hold_after(n)`` answers n messages and then holds every further request
until ``release()`` (a held request whose client goes away is not accepted and not counted). Messages are
counted per subscription only when answered 201: that is what a push service accepts.

Use it in-process (``Receiver.start_in_thread()``) or as a process (``python -m tests.push.receiver --port 0
--seed S --count N --public-key K``; it prints ``listening <port>`` and answers ``GET /_stats``); with
``--seed`` the subscribers' keys are derived from the seed and their index, so another process can make the
same subscriptions (``derived_subscription``).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import os
import re
import resource
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_TOPIC = re.compile(r"[A-Za-z0-9_-]{1,32}")
_REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    301: "Moved Permanently",
    302: "Found",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    410: "Gone",
    413: "Payload Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Subscriber:
    token: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @property
    def p256dh(self) -> str:
        return b64e(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )


def derived_subscriber(seed: str, index: int) -> Subscriber:
    scalar = int.from_bytes(hashlib.sha256(f"{seed}:key:{index}".encode()).digest(), "big") % (_P256_ORDER - 1) + 1
    return Subscriber(
        token=f"s{index}",
        private_key=ec.derive_private_key(scalar, ec.SECP256R1()),
        auth=hashlib.sha256(f"{seed}:auth:{index}".encode()).digest()[:16],
    )


def derived_subscription(seed: str, index: int, origin: str) -> dict:
    s = derived_subscriber(seed, index)
    return {"endpoint": f"{origin}/push/{s.token}", "keys": {"p256dh": s.p256dh, "auth": b64e(s.auth)}}


@dataclass
class Message:
    token: str
    payload: dict
    headers: dict[str, str]


@dataclass
class _State:
    subscribers: dict[str, Subscriber] = field(default_factory=dict)
    #: answered 201, by subscription token
    received: dict[str, list[Message]] = field(default_factory=lambda: defaultdict(list))
    #: every request, by token: (status answered, headers)
    attempts: dict[str, list[tuple[int, dict]]] = field(default_factory=lambda: defaultdict(list))
    #: scripted answers per token: [(status, headers)], used first to last
    script: dict[str, list[tuple[int, dict]]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    accepted: int = 0
    verified: int = 0


class Receiver:
    def __init__(
        self, server_public_key: str | None = None, host: str = "127.0.0.1", port: int = 0, verify_every: int = 1
    ) -> None:
        self.server_public_key = server_public_key
        self.host = host
        self.port = port
        self.verify_every = max(1, verify_every)
        self.delay_s = 0.0
        self._state = _State()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._hold_after: int | None = None
        self._released: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._count = 0
        #: requests being held right now
        self.held = 0
        self._vapid_verified: dict[str, dict] = {}
        self._connections: set[_Connection] = set()

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    # -- subscriptions and control (thread-safe) ----------------------------------------------------------

    def add(self, subscriber: Subscriber) -> dict:
        with self._lock:
            self._state.subscribers[subscriber.token] = subscriber
        return {
            "endpoint": f"{self.origin}/push/{subscriber.token}",
            "keys": {"p256dh": subscriber.p256dh, "auth": b64e(subscriber.auth)},
        }

    def new_subscription(self) -> dict:
        """A fresh browser-like subscription: {endpoint, keys {p256dh, auth}}."""
        return self.add(Subscriber(os.urandom(9).hex(), ec.generate_private_key(ec.SECP256R1()), os.urandom(16)))

    def add_derived(self, seed: str, count: int) -> None:
        for i in range(count):
            self.add(derived_subscriber(seed, i))

    @staticmethod
    def token_of(subscription: dict | str) -> str:
        endpoint = subscription if isinstance(subscription, str) else subscription["endpoint"]
        return endpoint.rsplit("/", 1)[1]

    def respond(self, subscription: dict | str, status: int, headers: dict | None = None, times: int = 1) -> None:
        """Answer this subscription's next `times` requests with `status` (and headers)."""
        with self._lock:
            self._state.script[self.token_of(subscription)].extend([(status, dict(headers or {}))] * times)

    def messages(self, subscription: dict | str) -> list[Message]:
        with self._lock:
            return list(self._state.received.get(self.token_of(subscription), []))

    def attempts(self, subscription: dict | str) -> list[tuple[int, dict]]:
        with self._lock:
            return list(self._state.attempts.get(self.token_of(subscription), []))

    @property
    def errors(self) -> list[str]:
        with self._lock:
            return list(self._state.errors)

    @property
    def accepted(self) -> int:
        with self._lock:
            return self._state.accepted

    def counts(self) -> dict[str, int]:
        """Accepted messages per subscription token."""
        with self._lock:
            return {t: len(m) for t, m in self._state.received.items()}

    def reset(self) -> None:
        with self._lock:
            subscribers = self._state.subscribers
            self._state = _State(subscribers=subscribers)
        self.delay_s = 0.0
        self._hold_after = None

    def hold_after(self, n: int) -> None:
        """Accept n more messages, then hold every request until release()."""
        with self._lock:
            self._hold_after = self._state.accepted + n
        if self._loop is not None and self._released is not None:
            asyncio.run_coroutine_threadsafe(self._unrelease(), self._loop).result(5)

    async def _unrelease(self) -> None:
        assert self._released is not None
        self._released.clear()

    def release(self) -> None:
        self._hold_after = None
        if self._loop is not None and self._released is not None:
            self._loop.call_soon_threadsafe(self._released.set)

    # -- serving -------------------------------------------------------------------------------------------

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._released = asyncio.Event()
        self._server = await self._loop.create_server(lambda: _Connection(self), self.host, self.port, backlog=1024)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for connection in list(self._connections):
                connection.transport.abort()
            await self._server.wait_closed()

    def start_in_thread(self) -> Receiver:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            loop.run_until_complete(self.start())
            ready.set()
            loop.run_forever()

        self._thread = threading.Thread(target=run, name="push-receiver", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop_thread(self) -> None:
        if self._loop is not None and self._thread is not None:
            asyncio.run_coroutine_threadsafe(self.stop(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop.close()

    def _handle(self, method: str, target: str, headers: dict, body: bytes, closed: asyncio.Future):
        """The answer (status, headers, text), or a coroutine giving it later (held or delayed)."""
        if target == "/_stats" and method == "GET":
            with self._lock:
                stats = {
                    "accepted": self._state.accepted,
                    "verified": self._state.verified,
                    "errors": self._state.errors[:20],
                    "subscriptions": len(self._state.received),
                    "max_per_subscription": max((len(m) for m in self._state.received.values()), default=0),
                    "cpu_s": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]),
                }
            return 200, {"content-type": "application/json"}, json.dumps(stats)
        if target == "/_reset" and method == "POST":
            self.reset()
            return 204, {}, ""
        if method != "POST" or not target.startswith("/push/"):
            return 404, {}, "not a push endpoint"
        token = target.removeprefix("/push/")
        with self._lock:
            subscriber = self._state.subscribers.get(token)
            scripted = self._state.script[token].pop(0) if self._state.script.get(token) else None
        if subscriber is None:
            return 404, {}, "no such subscription"
        status, extra = scripted or (201, {})
        self._count += 1
        payload = None
        if self._count % self.verify_every == 0:
            problem, payload = self._verify(subscriber, headers, body)
        else:
            problem = self._check_headers(headers)
        if problem:
            with self._lock:
                self._state.errors.append(f"{token}: {problem}")
                self._state.attempts[token].append((400, headers))
            return 400, {}, problem
        if status == 201 and (self.delay_s or (self._hold_after is not None and self.accepted >= self._hold_after)):
            return self._accept_later(token, headers, payload, closed)
        return self._record(token, status, extra, headers, payload)

    def _record(self, token, status, extra, headers, payload):
        with self._lock:
            self._state.attempts[token].append((status, headers))
            if status == 201:
                self._state.accepted += 1
                self._state.received[token].append(Message(token, payload or {}, headers))
        return status, extra, "" if status == 201 else f"scripted {status}"

    async def _accept_later(self, token, headers, payload, closed: asyncio.Future):
        if self._hold_after is not None and self.accepted >= self._hold_after:
            assert self._released is not None
            released = asyncio.ensure_future(self._released.wait())
            self.held += 1
            try:
                await asyncio.wait({released, closed}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                self.held -= 1
            if not released.done():
                released.cancel()
            if closed.done():  # the client went away while held: not accepted
                with self._lock:
                    self._state.attempts[token].append((0, headers))
                return None
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        return self._record(token, 201, {}, headers, payload)

    # -- checks --------------------------------------------------------------------------------------------

    def _check_headers(self, headers: dict) -> str | None:
        if headers.get("content-encoding") != "aes128gcm":
            return f"content-encoding is {headers.get('content-encoding')!r}, not aes128gcm"
        ttl = headers.get("ttl", "")
        if not ttl.isdigit():
            return f"TTL header missing or not a number: {ttl!r}"
        urgency = headers.get("urgency")
        if urgency is not None and urgency not in ("very-low", "low", "normal", "high"):
            return f"bad Urgency {urgency!r}"
        topic = headers.get("topic")
        if topic is not None and not _TOPIC.fullmatch(topic):
            return f"bad Topic {topic!r}"
        return None

    def _verify(self, subscriber: Subscriber, headers: dict, body: bytes) -> tuple[str | None, dict | None]:
        problem = self._check_headers(headers) or self._check_vapid(headers.get("authorization", ""))
        if problem:
            return problem, None
        try:
            plain = http_ece.decrypt(
                body, private_key=subscriber.private_key, auth_secret=subscriber.auth, version="aes128gcm"
            )
            payload = json.loads(plain)
        except Exception as exc:  # noqa: BLE001 - any failure to decrypt is the finding
            return f"cannot decrypt: {type(exc).__name__} {exc}", None
        with self._lock:
            self._state.verified += 1
        return None, payload

    def _check_vapid(self, authorization: str) -> str | None:
        claims = self._vapid_verified.get(authorization)
        if claims is None:
            claims = self._verify_vapid_signature(authorization)
            if isinstance(claims, str):
                return claims
            # a push service checks a token's signature once and keeps it while it is valid; so does this one
            self._vapid_verified[authorization] = claims
        if claims.get("aud") != self.origin:
            return f"VAPID aud is {claims.get('aud')!r}, not {self.origin!r}"
        now = time.time()
        exp = claims.get("exp")
        if not isinstance(exp, int) or exp <= now or exp > now + 24 * 3600:
            return f"VAPID exp {exp!r} is not within the next 24 hours"
        if not str(claims.get("sub", "")).startswith(("mailto:", "https://")):
            return f"VAPID sub is not a mailto: or https: contact: {claims.get('sub')!r}"  # Apple refuses those
        return None

    def _verify_vapid_signature(self, authorization: str) -> dict | str:
        match = re.fullmatch(r"vapid t=([A-Za-z0-9_.-]+), ?k=([A-Za-z0-9_-]+)", authorization)
        if not match:
            return f"Authorization is not 'vapid t=…,k=…': {authorization[:40]!r}"
        token, key = match.groups()
        if self.server_public_key and key != self.server_public_key:
            return "VAPID k is not the server's public key"
        try:
            header_b64, claims_b64, signature_b64 = token.split(".")
            header = json.loads(b64d(header_b64))
            claims = json.loads(b64d(claims_b64))
            signature = b64d(signature_b64)
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64d(key))
        except (ValueError, json.JSONDecodeError) as exc:
            return f"VAPID token unreadable: {exc}"
        if header.get("alg") != "ES256":
            return f"VAPID alg is {header.get('alg')!r}"
        if len(signature) != 64:
            return "VAPID signature is not 64 bytes (r||s)"
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
        try:
            public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return "VAPID signature does not verify"
        return claims


class _Connection(asyncio.Protocol):
    """HTTP/1.1 with keep-alive, one request at a time (as HTTP clients without pipelining send them)."""

    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        self.buffer = bytearray()
        self.busy = False
        self.transport: asyncio.Transport | None = None
        self.closed: asyncio.Future = asyncio.get_running_loop().create_future()

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.receiver._connections.add(self)

    def connection_lost(self, exc) -> None:
        self.receiver._connections.discard(self)
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._process()

    def _process(self) -> None:
        while not self.busy:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = self.buffer[:end].decode("latin-1").split("\r\n")
            headers: dict[str, str] = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            size = int(headers.get("content-length", "0") or 0)
            if len(self.buffer) < end + 4 + size:
                return
            body = bytes(self.buffer[end + 4 : end + 4 + size])
            del self.buffer[: end + 4 + size]
            method, target, _ = lines[0].split(" ", 2)
            answer = self.receiver._handle(method, target, headers, body, self.closed)
            if isinstance(answer, tuple):
                self._respond(*answer)
            else:
                self.busy = True
                asyncio.ensure_future(self._later(answer))

    async def _later(self, answer) -> None:
        result = await answer
        self.busy = False
        if result is None or self.transport.is_closing():
            return
        self._respond(*result)
        self._process()

    def _respond(self, status: int, extra: dict, text: str) -> None:
        payload = text.encode()
        head = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}", f"content-length: {len(payload)}"]
        head += [f"{k}: {v}" for k, v in extra.items()]
        self.transport.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)


def main() -> None:
    parser = argparse.ArgumentParser(description="A local Web Push receiver (see the module docstring).")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", default="")
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--public-key", default=None, help="the server's VAPID public key (base64url)")
    parser.add_argument("--verify-every", type=int, default=1, help="fully check (decrypt) one message in N")
    args = parser.parse_args()

    async def serve() -> None:
        receiver = Receiver(args.public_key, port=args.port, verify_every=args.verify_every)
        await receiver.start()
        if args.seed:
            receiver.add_derived(args.seed, args.count)
        print(f"listening {receiver.port}", flush=True)
        await asyncio.Event().wait()

    try:
        import uvloop

        uvloop.run(serve())
    except ImportError:
        asyncio.run(serve())


if __name__ == "__main__":
    main()
