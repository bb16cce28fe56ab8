"""The HTTP session every push message goes out through: HTTP/1.1 keep-alive connections per push service.

pywebpush's ``send_async`` posts through whatever session it is handed, calling only ``post(url, data=,
headers=, timeout=)`` and then ``text()`` on the answer; this is that session. It does what sending Web Push
needs and nothing else: one request at a time per connection, kept open for the next (a push service answers
each in a few milliseconds, so a couple of hundred connections carry thousands of messages a second), answers
parsed by httptools (uvicorn's parser, llhttp), redirects never followed, at most ``limit`` requests at once,
a connect timeout and a timeout on each answer. aiohttp's general client spent about 260 µs of CPU per request
here, more than encrypting the message; this spends about 30.

Addresses are checked where they are connected to: a new connection resolves the push service's name through the
endpoint policy, which refuses any private, loopback, link-local or tunnelled answer (DNS rebinding included),
and the connection goes to the address checked (SNI and Host name the service), never to a second lookup.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Callable, Mapping

import httptools

from server.push.endpoints import Endpoint, EndpointPolicy, EndpointUnresolved, system_lookup

#: the most of an answer's body kept (push services explain an error in a line or two)
MAX_BODY = 16 * 1024
#: seconds a name's checked addresses are reused for new connections
DNS_TTL_S = 60.0
#: seconds a connection may sit idle and still be reused: push services close idle connections after a while, and
#: a request on one closed under it fails (and is retried) for nothing
IDLE_S = 30.0


def _path(url: str) -> str:
    """The request target of an endpoint the policy admitted: its path and query."""
    start = url.index("://") + 3
    cut = min((i for i in (url.find("/", start), url.find("?", start)) if i > 0), default=-1)
    if cut < 0:
        return "/"
    return url[cut:] if url[cut] == "/" else "/" + url[cut:]


class PushResponse:
    """A push service's answer: status, reason phrase, headers (names in lower case) and the start of the body."""

    __slots__ = ("status", "reason", "headers", "body")

    def __init__(self, status: int, reason: str, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body

    async def text(self, errors: str = "strict") -> str:
        return self.body.decode("utf-8", errors)


class _Connection(asyncio.Protocol):
    """One connection to a push service, carrying one request at a time; httptools calls the ``on_*`` methods."""

    def __init__(self, session: PushSession, origin: tuple[str, str, int]) -> None:
        self.session = session
        self.origin = origin
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[PushResponse] | None = None
        self.closed = False
        self.idle_since = 0.0
        self._reset()

    def _reset(self) -> None:
        self.reason = b""
        self.headers: dict[str, str] = {}
        self.body = bytearray()
        self.status = 0

    # -- asyncio ---------------------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self.waiter is None:  # nothing was asked: a service talking out of turn is not reused
            self.close()
            return
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(ConnectionError(f"unreadable answer from the push service: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.session._forget(self)
        if self.status and not self.parser.should_keep_alive():
            # an answer without a length ends when the connection does
            self._complete()
        self._fail(ConnectionResetError("the push service closed the connection before answering"))

    # -- httptools -------------------------------------------------------------------------------------------

    def on_status(self, status: bytes) -> None:
        self.reason += status

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()

    def on_body(self, body: bytes) -> None:
        if len(self.body) < MAX_BODY:
            self.body += body[: MAX_BODY - len(self.body)]

    def on_message_complete(self) -> None:
        if self.status < 200:  # an interim answer (103 Early Hints): the real one follows
            self._reset()
            return
        reuse = self.parser.should_keep_alive()
        self._complete()
        if reuse and not self.closed:
            self.session._idle(self)
        else:
            self.close()

    # -- requests --------------------------------------------------------------------------------------------

    def request(self, head: bytes, body: bytes, timeout_s: float) -> asyncio.Future[PushResponse]:
        loop = asyncio.get_running_loop()
        self.waiter = waiter = loop.create_future()
        timer = loop.call_later(timeout_s, self._time_out, waiter, timeout_s)
        waiter.add_done_callback(lambda _: timer.cancel())
        self.transport.write(head + body)
        return waiter

    def _time_out(self, waiter: asyncio.Future, timeout_s: float) -> None:
        if waiter is self.waiter:
            self._fail(TimeoutError(f"no answer from the push service within {timeout_s:g} s"))

    def _complete(self) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            reason = self.reason.decode("latin-1", "replace").strip()
            waiter.set_result(PushResponse(self.status, reason, self.headers, bytes(self.body)))
        self._reset()

    def _fail(self, exc: Exception) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)
        self.close()

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class PushSession:
    """Keep-alive HTTP/1.1 connections per push-service origin, shared by every message a worker sends."""

    def __init__(
        self,
        policy: Callable[[], EndpointPolicy],
        *,
        limit: int = 200,
        timeout_s: float = 10.0,
        connect_timeout_s: float = 5.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._policy = policy
        self.timeout_s = timeout_s
        self.connect_timeout_s = connect_timeout_s
        self._slots = asyncio.Semaphore(limit)
        self._ssl = ssl_context or ssl.create_default_context()
        self._ssl.set_alpn_protocols(["http/1.1"])
        self._idle_by_origin: dict[tuple[str, str, int], list[_Connection]] = {}
        self._open: set[_Connection] = set()
        self._addresses: dict[tuple[str, int], tuple[list[str], float]] = {}

    async def post(
        self, url: str, *, data: bytes, headers: Mapping[str, str], timeout: float | None = None
    ) -> PushResponse:
        """POST ``data`` to a push endpoint; EndpointRefused if it may not be contacted, TimeoutError or
        another OSError (EndpointUnresolved among them) if the network, the resolver or the service fails."""
        target = self._policy().parse(url)
        lines = [f"{name}: {value}\r\n" for name, value in headers.items()]
        block = "".join(lines)
        if block.count("\n") != len(lines) or "\r\n" * 2 in block:
            raise ValueError("a header name or value holds a line break")
        authority = target.origin.split("://", 1)[1]
        path = _path(url)
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: lehoi-push\r\n"
            f"Content-Length: {len(data)}\r\n{block}\r\n"
        ).encode("latin-1")
        async with self._slots:
            connection = self._take_idle(target) or await self._connect(target)
            return await connection.request(head, data, self.timeout_s if timeout is None else timeout)

    async def close(self) -> None:
        for connection in list(self._open):
            connection.close()
        self._open.clear()
        self._idle_by_origin.clear()

    # -- connections -----------------------------------------------------------------------------------------

    @staticmethod
    def _key(target: Endpoint) -> tuple[str, str, int]:
        return target.origin.split(":", 1)[0], target.host, target.port

    def _take_idle(self, target: Endpoint) -> _Connection | None:
        idle = self._idle_by_origin.get(self._key(target))
        fresh = time.monotonic() - IDLE_S
        while idle:
            connection = idle.pop()
            if connection.idle_since < fresh:
                connection.close()
            elif not connection.closed and not connection.transport.is_closing():
                return connection
        return None

    def _idle(self, connection: _Connection) -> None:
        connection.idle_since = time.monotonic()
        self._idle_by_origin.setdefault(connection.origin, []).append(connection)

    def _forget(self, connection: _Connection) -> None:
        self._open.discard(connection)
        idle = self._idle_by_origin.get(connection.origin)
        if idle and connection in idle:
            idle.remove(connection)

    async def _connect(self, target: Endpoint) -> _Connection:
        key = self._key(target)
        https = key[0] == "https"
        loop = asyncio.get_running_loop()
        failures = []
        for address in await self._resolve(target):
            try:
                async with asyncio.timeout(self.connect_timeout_s):
                    _, connection = await loop.create_connection(
                        lambda: _Connection(self, key),
                        address,
                        target.port,
                        ssl=self._ssl if https else None,
                        server_hostname=target.host if https else None,
                    )
            except (OSError, TimeoutError) as exc:
                failures.append(f"{address}: {exc or type(exc).__name__}")
                continue
            self._open.add(connection)
            return connection
        raise ConnectionError(f"could not connect to {target.host}: {'; '.join(failures)}")

    async def _resolve(self, target: Endpoint) -> list[str]:
        """The addresses to connect to, checked by the policy (an exact origin entry is taken as it is)."""
        key = (target.host, target.port)
        cached = self._addresses.get(key)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        if target.exact:
            addresses = await system_lookup(target.host, target.port)
        else:
            addresses = await self._policy().resolve(target.host, target.port)
        if not addresses:
            raise EndpointUnresolved(f"{target.host} does not resolve")
        self._addresses[key] = (addresses, time.monotonic() + DNS_TTL_S)
        return addresses
