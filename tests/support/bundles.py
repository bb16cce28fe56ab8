"""The bundle as a phone gets it once the server has built the version it holds.

While a new version's bundle is being built the server answers with the previous one (server/syncing/bundles.py);
a phone simply gets the new one at its next sync. Tests that check what a write put in the bundle ask again
until the bundle's version is the programme's, as that phone would.
"""

from __future__ import annotations

import asyncio
import time

#: far beyond any demo-sized build, even on a loaded machine
WAIT_S = 30.0


async def current_bundle(client, accept_encoding: str = "identity"):
    """The answer to GET /api/sync/bundle once it carries the programme's current version."""
    version = (await client.get("/api/festival")).json()["version"]
    deadline = time.monotonic() + WAIT_S
    while True:
        plain = await client.get("/api/sync/bundle", headers={"accept-encoding": "identity"})
        if plain.json()["version"] >= version:
            break
        assert time.monotonic() < deadline, f"no bundle of version {version} after {WAIT_S} s"
        await asyncio.sleep(0.05)
    if accept_encoding == "identity":
        return plain
    return await client.get("/api/sync/bundle", headers={"accept-encoding": accept_encoding})
