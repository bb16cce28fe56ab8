"""Which subscription endpoints the server will POST to: the guard against server-side request forgery.

A browser hands us its subscription endpoint, and the server later sends requests there; an attacker could hand
us any URL instead. So an endpoint must be

* ``https`` on port 443, with no user info, at a host of a known push service: FCM ``fcm.googleapis.com``,
  Mozilla ``updates.push.services.mozilla.com``, Apple ``web.push.apple.com``, Windows ``*.notify.windows.com``
  (any subdomain, never the bare name). Hosts are compared as whole names, so ``fcm.googleapis.com.evil.example``
  and IP literals never match;
* at a host whose every address is a public one (`is_public`): global unicast by Python's `ipaddress` and by the
  IANA special-purpose registries, so not private, loopback, link-local (169.254.169.254, the cloud metadata
  service), carrier-grade NAT, multicast, reserved or unspecified, for IPv4 and IPv6 alike; and no IPv6 address
  that reaches an IPv4 one by translation or tunnel unless that IPv4 address is public itself (see `is_public`).

Endpoints are checked when saved and again when sent. At send time the check runs where the push session opens
a connection (`server.push.client`), so the addresses checked are the addresses connected to, and a name that
changes its answer after the subscription was saved (DNS rebinding) is refused too. Redirects are never
followed.

``LEHOI_PUSH_HOSTS`` replaces the host list. An entry written as an origin with scheme and port, such as
``http://127.0.0.1:9999``, admits exactly that scheme, host and port and nothing else, with no address check:
it is for a local test receiver or a staging push service.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

#: Safari's push service: the strictest about the VAPID contact
APPLE_PUSH_HOST = "web.push.apple.com"
DEFAULT_PUSH_HOSTS = (
    "fcm.googleapis.com",
    "updates.push.services.mozilla.com",
    APPLE_PUSH_HOST,
    "*.notify.windows.com",
)
MAX_ENDPOINT_LENGTH = 2048

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOSTNAME = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})+")
_FORBIDDEN_CHARS = re.compile(r"[\x00-\x20\x7f\\]")

#: (host, port) → the host's addresses as text; raises OSError when it does not resolve
Lookup = Callable[[str, int], Awaitable[list[str]]]


class EndpointRefused(OSError):
    """This endpoint must not be contacted; the message says why."""


class EndpointUnresolved(OSError):
    """The host has no address now: the resolver failed or found none, which may pass (a delivery is retried)."""


@dataclass(frozen=True)
class Endpoint:
    url: str
    #: scheme://host[:port], the VAPID audience
    origin: str
    host: str
    port: int
    #: admitted by an exact origin entry (a local receiver): no address check
    exact: bool


async def system_lookup(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


#: ranges refused whatever they embed: IPv6 forms that tunnel to IPv4 or to a network no push service is on (6to4,
#: whose deprecated relays reach any IPv4 address, so 2002:7f00:1:: is 127.0.0.1; Teredo; the local-use NAT64
#: prefix; deprecated IPv4-compatible addresses), and special-purpose ranges Python 3.11's `is_global` misses
_REFUSED = tuple(
    ipaddress.ip_network(n)
    for n in (
        "2002::/16",
        "2001::/32",
        "64:ff9b:1::/48",
        "::/96",
        "100::/64",
        "2001:db8::/32",
        "3fff::/20",
        "5f00::/16",
        "fec0::/10",
        "192.0.0.0/24",
    )
)
#: the well-known NAT64 prefix: what an IPv6-only host's DNS64 answers for an IPv4-only name, so judged by the
#: IPv4 address in its last 32 bits
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_public(address: str) -> bool:
    """Whether an address is one a push service may have: global unicast, nothing internal, nothing that tunnels.

    An IPv4-mapped address (how a dual-stack socket shows an IPv4 peer) and a NAT64 one are judged by the IPv4
    address they carry; every other IPv6 form that embeds or tunnels to IPv4 is refused."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if any(ip in network for network in _REFUSED):
        return False
    return ip.is_global and not (
        ip.is_multicast or ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_unspecified
    )


class EndpointPolicy:
    """The allow-list and the address rules; one per process, shared by the API and the workers."""

    def __init__(self, entries: Iterable[str] = DEFAULT_PUSH_HOSTS, lookup: Lookup | None = None) -> None:
        self.names: set[str] = set()
        self.suffixes: set[str] = set()
        #: (scheme, host, port) admitted exactly
        self.origins: set[tuple[str, str, int]] = set()
        for entry in entries:
            self._add(entry.strip().lower())
        if not (self.names or self.suffixes or self.origins):
            raise ValueError("LEHOI_PUSH_HOSTS names no push-service host")
        self.lookup: Lookup = lookup or system_lookup
        #: the verdict on each scheme://authority seen: an Endpoint to copy, or the refusal's message
        self._heads: dict[str, Endpoint | str] = {}

    @classmethod
    def from_setting(cls, value: str, lookup: Lookup | None = None) -> EndpointPolicy:
        """From ``LEHOI_PUSH_HOSTS`` (comma-separated); empty means the known push services."""
        entries = [e for e in (part.strip() for part in value.split(",")) if e]
        return cls(entries or DEFAULT_PUSH_HOSTS, lookup)

    def _add(self, entry: str) -> None:
        if "://" in entry:
            parts = urlsplit(entry)
            try:
                port = parts.port
            except ValueError:
                port = None
            if (
                parts.scheme not in ("http", "https")
                or not parts.hostname
                or port is None
                or parts.username
                or parts.path not in ("", "/")
                or parts.query
                or parts.fragment
            ):
                raise ValueError(f"LEHOI_PUSH_HOSTS entry {entry!r}: an origin entry is scheme://host:port")
            self.origins.add((parts.scheme, parts.hostname, port))
        elif entry.startswith("*.") and _HOSTNAME.fullmatch(entry[2:]):
            self.suffixes.add(entry[1:])
        elif _HOSTNAME.fullmatch(entry):
            self.names.add(entry)
        else:
            raise ValueError(f"LEHOI_PUSH_HOSTS entry {entry!r} is not a host name, *.domain or scheme://host:port")

    def admits_host(self, host: str) -> bool:
        if host in self.names:
            return True
        return any(host.endswith(suffix) and _HOSTNAME.fullmatch(host) for suffix in self.suffixes)

    def parse(self, url: object) -> Endpoint:
        """The endpoint if its form and host are allowed (no DNS); EndpointRefused says why not.

        Everything but the length and the characters depends on the part before the path (scheme, user info,
        host, port), so the verdict on that part is remembered: a fan-out to 100,000 phones asks it a few times.
        """
        if not isinstance(url, str) or not url:
            raise EndpointRefused("the endpoint must be a URL")
        if len(url) > MAX_ENDPOINT_LENGTH:
            raise EndpointRefused(f"the endpoint is longer than {MAX_ENDPOINT_LENGTH} characters")
        if _FORBIDDEN_CHARS.search(url) or not url.isascii():
            raise EndpointRefused("the endpoint contains spaces, control characters, backslashes or non-ASCII")
        if "#" in url:
            raise EndpointRefused("the endpoint must not have a fragment")
        start = url.find("://")
        slash = url.find("/", start + 3) if start > 0 else -1
        head = url[:slash] if slash > 0 else None
        if head is None or "?" in head:
            return self._parse(url)
        verdict = self._heads.get(head)
        if verdict is None:
            try:
                verdict = self._parse(head + "/")
            except EndpointRefused as exc:
                verdict = str(exc)
            if len(self._heads) >= 1024:
                self._heads.clear()
            self._heads[head] = verdict
        if isinstance(verdict, str):
            raise EndpointRefused(verdict)
        return Endpoint(url, verdict.origin, verdict.host, verdict.port, verdict.exact)

    def _parse(self, url: str) -> Endpoint:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("https", "http"):
            raise EndpointRefused("the endpoint must use https")
        if "@" in parts.netloc:
            raise EndpointRefused("the endpoint must not carry user info (user@host)")
        if parts.fragment:
            raise EndpointRefused("the endpoint must not have a fragment")
        host = (parts.hostname or "").lower()
        if not host:
            raise EndpointRefused("the endpoint has no host")
        try:
            port = parts.port
        except ValueError:
            raise EndpointRefused("the endpoint's port is not a number from 0 to 65535") from None
        if port is not None and (scheme, host, port) in self.origins:
            return Endpoint(url, f"{scheme}://{parts.netloc.lower()}", host, port, exact=True)
        if scheme != "https":
            raise EndpointRefused("the endpoint must use https")
        if port not in (None, 443):
            raise EndpointRefused("the endpoint must use port 443")
        if _is_ip_literal(host):
            raise EndpointRefused("the endpoint's host must be a push service's name, not an IP address")
        if not self.admits_host(host):
            raise EndpointRefused(f"{host} is not a known push service")
        return Endpoint(url, f"https://{host}", host, 443, exact=False)

    async def check(self, url: object) -> Endpoint:
        """``parse`` and then the address rules: every address the host resolves to must be public
        (`EndpointUnresolved` when it resolves to nothing now)."""
        endpoint = self.parse(url)
        if not endpoint.exact:
            await self.resolve(endpoint.host, endpoint.port)
        return endpoint

    async def resolve(self, host: str, port: int) -> list[str]:
        """The host's addresses, all public: EndpointRefused when any is not, EndpointUnresolved when there is
        none now."""
        try:
            addresses = await self.lookup(host, port)
        except OSError as exc:
            raise EndpointUnresolved(f"{host} does not resolve ({exc})") from None
        if not addresses:
            raise EndpointUnresolved(f"{host} does not resolve")
        for address in addresses:
            if not is_public(address):
                raise EndpointRefused(
                    f"{host} resolves to {address}, a private, loopback, link-local or tunnelled address"
                )
        return addresses


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        # forms like 2130706433, 127.1 or 0x7f.1 that some resolvers read as addresses
        return bool(re.fullmatch(r"[0-9.]+|0x[0-9a-fx.]*", host))
    return True
