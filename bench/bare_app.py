"""The baseline: a bare ASGI app that answers every request with one fixed response (status, headers, body).

Benchmarks run it on the same server (uvicorn) as lehoi and compare; the ratio shows what the framework,
routing and lehoi's own work cost on top of sending the same bytes.
"""

import json
import os
from pathlib import Path

_STATUS = int(os.environ.get("BARE_STATUS", "200"))
_HEADERS = [(k.lower().encode(), v.encode()) for k, v in json.loads(os.environ.get("BARE_HEADERS", "{}")).items()]
_BODY = Path(os.environ["BARE_BODY_FILE"]).read_bytes() if os.environ.get("BARE_BODY_FILE") else b""
_START = {
    "type": "http.response.start",
    "status": _STATUS,
    "headers": [*_HEADERS, (b"content-length", str(len(_BODY)).encode())],
}
_BODY_MESSAGE = {"type": "http.response.body", "body": _BODY}


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send(_START)
    await send(_BODY_MESSAGE)
