"""SSRF: which endpoints the server accepts when a subscription is saved and contacts when a message is sent."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from server.push.endpoints import (
    DEFAULT_PUSH_HOSTS,
    EndpointPolicy,
    EndpointRefused,
    EndpointUnresolved,
    is_public,
)


def resolving_to(*addresses: str):
    async def lookup(host: str, port: int) -> list[str]:
        return list(addresses)

    return lookup


async def not_resolving(host: str, port: int) -> list[str]:
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


PUBLIC = resolving_to("142.250.66.74")

GOOD = [
    "https://fcm.googleapis.com/fcm/send/dXNlcjEyMw:APA91bH",
    "https://FCM.googleapis.com:443/fcm/send/abc",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABk",
    "https://web.push.apple.com/QGuQyavXutnMsOhl",
    "https://wns2-db5p.notify.windows.com/w/?token=BQYAAAD",
]

REFUSED = {
    "http://fcm.googleapis.com/fcm/send/abc": "https",
    "https://fcm.googleapis.com:8443/fcm/send/abc": "port 443",
    "https://fcm.googleapis.com:80/fcm/send/abc": "port 443",
    "https://user:secret@fcm.googleapis.com/fcm/send/abc": "user info",
    "https://fcm.googleapis.com@evil.example/fcm/send/abc": "user info",
    "https://169.254.169.254/latest/meta-data/": "IP address",
    "https://[::1]/push": "IP address",
    "https://127.0.0.1/push": "IP address",
    "https://2130706433/push": "IP address",
    "https://0x7f.1/push": "IP address",
    "https://fcm.googleapis.com.evil.example/fcm/send/abc": "not a known push service",
    "https://evilfcm.googleapis.com/fcm/send/abc": "not a known push service",
    "https://googleapis.com/fcm/send/abc": "not a known push service",
    "https://notify.windows.com/w/?token=x": "not a known push service",
    "https://db5p.notify.windows.com.evil.example/w/": "not a known push service",
    "https://fcm.googleapis.com./fcm/send/abc": "not a known push service",
    "https://localhost/push": "not a known push service",
    "https://fcm.googleapis.com/fcm/send/abc#x": "fragment",
    "https://fcm.googleapis.com\\@evil.example/": "backslashes",
    "https://fcm.googleapis.com/ x": "spaces",
    "https://fcm.googleäpis.com/x": "non-ASCII",
    "file:///etc/passwd": "https",
    "javascript:alert(1)": "https",
    "https:///nohost": "no host",
    "https://fcm.googleapis.com:99999/x": "port",
    "https://fcm.googleapis.com/" + "a" * 2100: "longer than",
}


@pytest.mark.parametrize("url", GOOD)
async def test_known_push_services_are_accepted(url):
    endpoint = await EndpointPolicy(lookup=PUBLIC).check(url)
    assert endpoint.origin == f"https://{endpoint.host}" and not endpoint.exact


@pytest.mark.parametrize("url,why", REFUSED.items())
async def test_forged_endpoints_are_refused(url, why):
    with pytest.raises(EndpointRefused, match=why):
        await EndpointPolicy(lookup=PUBLIC).check(url)


@pytest.mark.parametrize(
    "addresses",
    [
        ("10.0.0.5",),
        ("192.168.1.20",),
        ("172.16.0.1",),
        ("127.0.0.1",),
        ("169.254.169.254",),
        ("100.64.0.1",),
        ("0.0.0.0",),
        ("::1",),
        ("fe80::1",),
        ("fd00::1",),
        ("::ffff:192.168.1.1",),
        ("224.0.0.1",),
        ("142.250.66.74", "10.0.0.5"),  # one bad answer among good ones is enough
    ],
)
async def test_a_push_host_resolving_to_an_internal_address_is_refused(addresses):
    policy = EndpointPolicy(lookup=resolving_to(*addresses))
    with pytest.raises(EndpointRefused, match="private, loopback, link-local or tunnelled"):
        await policy.check("https://fcm.googleapis.com/fcm/send/abc")


async def test_a_push_host_that_does_not_resolve_now_is_unresolved_not_refused():
    """A resolver's failure may pass: deliveries are retried, where a refusal fails them."""
    for lookup in (not_resolving, resolving_to()):
        with pytest.raises(EndpointUnresolved, match="does not resolve") as caught:
            await EndpointPolicy(lookup=lookup).check("https://fcm.googleapis.com/fcm/send/abc")
        assert not isinstance(caught.value, EndpointRefused)


def test_public_addresses():
    assert is_public("142.250.66.74") and is_public("2a00:1450:4001:82b::200a")
    assert not any(is_public(a) for a in ("10.1.2.3", "::1", "169.254.169.254", "fe80::1%eth0", "::ffff:127.0.0.1"))


#: every class of address a push service cannot have, with examples that reach inside through it
NOT_PUBLIC = {
    "6to4": ("2002:7f00:1::1", "2002:a9fe:a9fe::1", "2002:a00:1::1", "2002:808:808::1"),
    "NAT64 well-known prefix to an internal IPv4": ("64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b::a00:1"),
    "NAT64 local-use prefix": ("64:ff9b:1::808:808", "64:ff9b:1:ffff::1"),
    "Teredo": ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001::1"),
    "IPv4-mapped internal": ("::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1", "::ffff:100.64.0.1"),
    "IPv4-compatible": ("::7f00:1", "::a9fe:a9fe", "::808:808"),
    "IPv4 private and shared": ("10.0.0.1", "172.16.0.1", "192.168.1.1", "100.64.0.1", "198.18.0.1"),
    "IPv4 loopback, link-local, unspecified": ("127.0.0.1", "127.255.0.9", "169.254.169.254", "0.0.0.0", "0.1.2.3"),
    "IPv4 documentation, reserved, multicast, broadcast": (
        "192.0.2.1",
        "198.51.100.1",
        "203.0.113.1",
        "240.0.0.1",
        "224.0.0.1",
        "239.255.255.250",
        "255.255.255.255",
    ),
    "IPv4 protocol assignments": ("192.0.0.8", "192.0.0.170"),
    "IPv6 loopback, unspecified, link-local, unique-local, site-local": ("::1", "::", "fe80::1", "fd00::1", "fec0::1"),
    "IPv6 documentation, discard, multicast, benchmarking": (
        "2001:db8::1",
        "3fff::1",
        "100::1",
        "ff02::1",
        "2001:2::1",
    ),
    "IPv6 segment routing and ORCHID": ("5f00::1", "2001:10::1", "2001:20::1"),
}


@pytest.mark.parametrize("address", [a for addresses in NOT_PUBLIC.values() for a in addresses], ids=lambda a: a)
def test_no_address_class_that_reaches_inside_is_public(address):
    assert not is_public(address)


@pytest.mark.parametrize("kind", sorted(NOT_PUBLIC))
async def test_a_push_host_resolving_into_each_class_is_refused(kind):
    for address in NOT_PUBLIC[kind]:
        policy = EndpointPolicy(lookup=resolving_to("142.250.66.74", address))
        with pytest.raises(EndpointRefused, match=f"resolves to {address}, a private"):
            await policy.check("https://fcm.googleapis.com/fcm/send/abc")


def test_translated_public_addresses_are_judged_by_the_ipv4_they_carry():
    """An IPv6-only host reaches an IPv4-only push service through DNS64 (64:ff9b::/96), and a dual-stack socket
    shows an IPv4 peer as ::ffff:a.b.c.d: both stay usable when the IPv4 address inside is public."""
    assert is_public("64:ff9b::8efa:424a") and is_public("::ffff:142.250.66.74")


async def test_an_origin_entry_admits_exactly_that_receiver():
    policy = EndpointPolicy.from_setting("http://127.0.0.1:9999", lookup=not_resolving)
    endpoint = await policy.check("http://127.0.0.1:9999/push/abc")
    assert endpoint.exact and endpoint.origin == "http://127.0.0.1:9999"
    for url in (
        "http://127.0.0.1:9998/push/abc",
        "https://127.0.0.1:9999/push/abc",
        "http://localhost:9999/push/abc",
        "http://127.0.0.1/push/abc",
        "https://fcm.googleapis.com/fcm/send/abc",
    ):
        with pytest.raises(EndpointRefused):
            await policy.check(url)


def test_the_setting_replaces_the_list_and_refuses_nonsense():
    assert EndpointPolicy.from_setting("").names == {h for h in DEFAULT_PUSH_HOSTS if not h.startswith("*")}
    policy = EndpointPolicy.from_setting("push.example.org, *.push.example.net")
    assert policy.admits_host("push.example.org") and policy.admits_host("eu.push.example.net")
    assert not policy.admits_host("fcm.googleapis.com") and not policy.admits_host("push.example.net")
    for bad in ("http://127.0.0.1", "ftp://127.0.0.1:21", "*.", "bad host", "http://127.0.0.1:9999/path"):
        with pytest.raises(ValueError):
            EndpointPolicy.from_setting(bad)


# --- through the API ------------------------------------------------------------------------------------


async def test_saving_a_forged_endpoint_is_refused_and_stores_nothing(client, push, device):
    push.runtime.policy = EndpointPolicy.from_setting(
        f"{push.receiver.origin},fcm.googleapis.com", lookup=resolving_to("10.0.0.5")
    )
    keys = push.receiver.new_subscription()["keys"]
    forged = [
        *REFUSED,
        "https://fcm.googleapis.com/fcm/send/resolves-internally",
        push.receiver.origin.replace("127.0.0.1", "localhost") + "/push/x",
        push.receiver.origin[:-1] + "/push/x",
    ]
    for url in forged:
        response = await client.post(
            "/api/push/subscriptions", json={"endpoint": url, "keys": keys}, headers=device["auth"]
        )
        assert response.status_code == 422, (url, response.text)
    assert (await client.get("/api/push/subscriptions", headers=device["auth"])).status_code == 404


async def test_an_endpoint_is_checked_again_when_sent(client, push, device, as_organiser):
    """A host that resolves to an internal address at send time (DNS rebinding) is not contacted."""
    policy = EndpointPolicy.from_setting(f"{push.receiver.origin},fcm.googleapis.com", lookup=PUBLIC)
    push.runtime.policy = policy
    keys = push.receiver.new_subscription()["keys"]
    fcm = {"endpoint": "https://fcm.googleapis.com/fcm/send/rebinding", "keys": keys}
    assert (await client.post("/api/push/subscriptions", json=fcm, headers=device["auth"])).status_code == 201
    policy.lookup = resolving_to("127.0.0.1")
    alert = await push.send(as_organiser)
    view = await push.wait(as_organiser, alert["id"])
    assert view["counts"]["failed"] == 1
    (reason,) = view["failures"]
    assert "endpoint refused" in reason and "127.0.0.1" in reason


async def test_a_resolver_failing_neither_refuses_a_subscription_nor_fails_a_delivery(
    client, push, device, as_organiser
):
    """A DNS hiccup is not a verdict on the host: the subscription is kept and its delivery retried later."""
    policy = EndpointPolicy.from_setting(f"{push.receiver.origin},fcm.googleapis.com", lookup=not_resolving)
    push.runtime.policy = policy
    keys = push.receiver.new_subscription()["keys"]
    fcm = {"endpoint": "https://fcm.googleapis.com/fcm/send/hiccup", "keys": keys}
    assert (await client.post("/api/push/subscriptions", json=fcm, headers=device["auth"])).status_code == 201
    await push.send(as_organiser)
    deadline = time.monotonic() + 15
    while not (rows := push.deliveries()) or rows[0]["reason"] is None:  # until the attempt's outcome is written
        assert time.monotonic() < deadline, rows
        push.wake()
        await asyncio.sleep(0.05)
    [row] = rows
    assert row["status"] == "queued" and row["attempts"] == 1, row
    assert "does not resolve" in row["reason"] and row["next_attempt_ms"] > push.clock.now().timestamp() * 1000


async def test_an_endpoint_no_longer_allowed_is_not_contacted(client, push, device, as_organiser):
    subscription = await push.subscribe(device)
    push.runtime.policy = EndpointPolicy.from_setting("fcm.googleapis.com")
    alert = await push.send(as_organiser)
    view = await push.wait(as_organiser, alert["id"])
    assert view["counts"] == {"queued": 0, "sent": 0, "failed": 1, "gone": 0, "total": 1}
    assert view["failures"] == {"endpoint refused: the endpoint must use https": 1}
    assert push.receiver.attempts(subscription) == []


@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_a_redirect_is_not_followed(client, push, device, as_organiser, status):
    subscription = await push.subscribe(device)
    elsewhere = push.receiver.new_subscription()
    push.receiver.respond(subscription, status, {"Location": elsewhere["endpoint"]})
    alert = await push.send(as_organiser)
    view = await push.wait(as_organiser, alert["id"])
    assert view["counts"]["failed"] == 1
    assert view["failures"] == {f"{status} redirect not followed": 1}
    assert [s for s, _ in push.receiver.attempts(subscription)] == [status]
    assert push.receiver.attempts(elsewhere) == []
