"""The push session against small local servers that misbehave on purpose: what each network failure becomes."""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from server.push import client
from server.push.client import PushSession
from server.push.endpoints import EndpointPolicy, EndpointRefused
from server.push.sender import classify

CREATED = b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"


class Server:
    """A TCP server answering each request with what `answer(request_bytes)` returns (None: say nothing)."""

    def __init__(self, answer, ssl_context: ssl.SSLContext | None = None) -> None:
        self.answer = answer
        self.ssl_context = ssl_context
        self.connections = 0
        self.requests: list[bytes] = []

    async def __aenter__(self) -> Server:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.ssl_context)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc) -> None:
        self.server.close()

    def url(self, scheme: str = "http", host: str = "127.0.0.1") -> str:
        return f"{scheme}://{host}:{self.port}/push/abc?x=1"

    def session(self, scheme: str = "http", host: str = "127.0.0.1", **options) -> PushSession:
        policy = EndpointPolicy.from_setting(f"{scheme}://{host}:{self.port}")
        return PushSession(lambda: policy, **options)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                request = head + await reader.readexactly(length)
                self.requests.append(request)
                reply = self.answer(request)
                if reply is None:
                    await asyncio.sleep(3600)
                if reply == b"":
                    break
                writer.write(reply)
                await writer.drain()
                if b"Connection: close" in reply:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def post(session: PushSession, url: str, **options):
    return await session.post(url, data=b"\x01\x02", headers={"TTL": "60", "Urgency": "high"}, **options)


async def test_a_request_is_well_formed_and_connections_are_kept_for_the_next():
    async with Server(lambda _: CREATED) as server:
        session = server.session()
        answers = await asyncio.gather(*(post(session, server.url()) for _ in range(20)))
        answers += [await post(session, server.url()) for _ in range(20)]
        await session.close()
    assert [a.status for a in answers] == [201] * 40
    assert server.connections <= 20  # the second twenty went over connections the first opened
    head, body = server.requests[0].split(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /push/abc?x=1 HTTP/1.1"
    assert f"Host: 127.0.0.1:{server.port}" in lines and "Content-Length: 2" in lines
    assert "TTL: 60" in lines and "Urgency: high" in lines and body == b"\x01\x02"


async def test_a_connection_idle_too_long_is_not_reused(monkeypatch):
    async with Server(lambda _: CREATED) as server:
        session = server.session()
        await post(session, server.url())
        await post(session, server.url())
        assert server.connections == 1
        monkeypatch.setattr(client, "IDLE_S", 0.0)
        await post(session, server.url())
        await session.close()
    assert server.connections == 2


async def test_at_most_limit_requests_at_once():
    async with Server(lambda _: CREATED) as server:
        session = server.session(limit=3)
        await asyncio.gather(*(post(session, server.url()) for _ in range(30)))
        await session.close()
    assert server.connections == 3


async def test_answers_are_read_whatever_their_framing():
    answers = iter(
        [
            b"HTTP/1.1 410 Gone\r\nConnection: close\r\n\r\nthis subscription has expired",
            b"HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nbad k\r\n4\r\ney!!\r\n0\r\n\r\n",
            b"HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\n"
            b"Content-Length: 4\r\n\r\nslow",
        ]
    )
    async with Server(lambda _: next(answers)) as server:
        session = server.session()
        until_close, chunked, interim = [await post(session, server.url()) for _ in range(3)]
        await session.close()
    assert (chunked.status, chunked.body) == (400, b"bad key!!")
    assert classify(chunked).reason == "400 Bad Request: bad key!!"
    assert (interim.status, interim.headers["retry-after"], await interim.text()) == (429, "7", "slow")
    assert classify(interim).retry_after == 7
    assert (until_close.status, until_close.body) == (410, b"this subscription has expired")
    assert server.connections == 2  # the 410 closed its connection; the other two shared one


async def test_a_silent_service_times_out_and_a_hang_up_is_a_connection_error():
    async with Server(lambda request: None if b"/slow" in request else b"") as server:
        session = server.session()
        with pytest.raises(TimeoutError):
            await post(session, server.url().replace("/push/", "/slow/"), timeout=0.2)
        with pytest.raises(ConnectionResetError):
            await post(session, server.url())
        await session.close()


async def test_an_unreadable_answer_is_a_connection_error():
    async with Server(lambda _: b"SMTP ready\r\n\r\n") as server:
        session = server.session()
        with pytest.raises(ConnectionError, match="unreadable"):
            await post(session, server.url())
        await session.close()


async def test_nothing_listening_is_a_connection_error():
    async with Server(lambda _: CREATED) as server:
        session = server.session(connect_timeout_s=1)
        url = server.url()
    with pytest.raises(ConnectionError, match="could not connect"):
        await post(session, url)


async def test_an_endpoint_the_policy_refuses_is_not_contacted_and_headers_cannot_be_smuggled():
    async with Server(lambda _: CREATED) as server:
        session = server.session()
        with pytest.raises(EndpointRefused):
            await post(session, f"http://127.0.0.1:{server.port + 1}/push/abc")
        with pytest.raises(ValueError, match="line break"):
            await session.post(server.url(), data=b"x", headers={"Topic": "a\r\nX-Evil: 1"})
        await session.close()
    assert server.requests == []


def _certificate(host: str) -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


async def test_https_checks_the_services_certificate_for_its_name(tmp_path):
    cert, key = _certificate("localhost")
    (tmp_path / "cert.pem").write_bytes(cert)
    (tmp_path / "key.pem").write_bytes(key)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    async with Server(lambda _: CREATED, server_context) as server:
        trusting = server.session("https", "localhost", ssl_context=ssl.create_default_context(cadata=cert.decode()))
        assert (await post(trusting, server.url("https", "localhost"))).status == 201
        await trusting.close()
        default = server.session("https", "localhost")
        with pytest.raises(ConnectionError, match="certificate verify failed"):
            await post(default, server.url("https", "localhost"))
        await default.close()
    assert len(server.requests) == 1
