"""A stampede of phones asking for one path at the same instant, from a process of its own so that the test's
own measurements do not share an event loop (or a GIL) with a thousand clients.

    python -m tests.support.stampede URL PATH N

opens N keep-alive connections, prints `ready`, waits for a line on stdin, then sends one GET on every connection
at once (Accept-Encoding: br, as phones ask) and prints a JSON object: how many answers had each status and how
many each ETag (which names the content answered).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from urllib.parse import urlsplit


async def one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> tuple[int, str]:
    writer.write(request)
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    headers: dict[str, str] = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    await reader.readexactly(int(headers.get("content-length", "0")))
    writer.close()
    return status, headers.get("etag", "")


async def stampede(url: str, path: str, n: int) -> dict:
    parts = urlsplit(url)
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAccept-Encoding: br\r\nConnection: close\r\n\r\n"
    ).encode()
    connections = await asyncio.gather(*(asyncio.open_connection(parts.hostname, parts.port) for _ in range(n)))
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.readline)
    answers = await asyncio.gather(*(one(r, w, request) for r, w in connections))
    return {
        "statuses": dict(Counter(status for status, _ in answers)),
        "etags": dict(Counter(etag for _, etag in answers)),
    }


if __name__ == "__main__":
    url, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    print(json.dumps(asyncio.run(stampede(url, path, n))), flush=True)
