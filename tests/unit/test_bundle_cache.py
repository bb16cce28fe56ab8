"""The bundle cache: builds off the request path, serves the previous version meanwhile, survives a failed build,
and leaves content-addressed files a static server can serve."""

from __future__ import annotations

import asyncio
import gzip
import logging
from dataclasses import dataclass

import brotli
import msgspec
import pytest
from litestar.exceptions import ServiceUnavailableException

from server.syncing import latest
from server.syncing.bundles import BundleCache


@dataclass
class Snap:
    version: int


class Source:
    def __init__(self) -> None:
        self.snapshot = Snap(1)

    async def get(self) -> Snap:
        return self.snapshot


class Gate:
    """A bundle part that waits until let through (a slow build), or fails when told to."""

    def __init__(self) -> None:
        self.open = asyncio.Event()
        self.open.set()
        self.fail = False

    async def __call__(self, snapshot: Snap) -> dict:
        await self.open.wait()
        if self.fail:
            raise RuntimeError("the travel model is broken")
        return {"items": list(range(snapshot.version * 10))}


@pytest.fixture
def cache(tmp_path):
    source, gate = Source(), Gate()
    return BundleCache(source, tmp_path, [gate]), source, gate


async def test_the_previous_version_is_served_while_the_next_builds(cache):
    bundle_cache, source, gate = cache
    assert (await bundle_cache.get()).version == 1
    gate.open.clear()
    source.snapshot = Snap(2)
    for _ in range(5):  # every request meanwhile gets an answer, the previous version
        assert (await bundle_cache.get()).version == 1
    gate.open.set()
    for _ in range(100):
        if (await bundle_cache.get()).version == 2:
            break
        await asyncio.sleep(0.01)
    built = await bundle_cache.get()
    assert built.version == 2 and msgspec.json.decode(built.raw)["items"] == list(range(20))


async def test_a_failed_build_keeps_the_previous_version_and_says_why(cache, caplog, monkeypatch):
    bundle_cache, source, gate = cache
    await bundle_cache.get()
    gate.fail = True
    source.snapshot = Snap(2)
    with caplog.at_level(logging.ERROR, logger=latest.__name__):
        for _ in range(3):
            assert (await bundle_cache.get()).version == 1
            await asyncio.sleep(0.01)
    assert "version 2 could not be built" in caplog.text
    assert caplog.text.count("could not be built") == 1  # retried only after RETRY_S
    gate.fail = False
    monkeypatch.setattr(latest, "RETRY_S", 0.0)
    for _ in range(100):
        if (await bundle_cache.get()).version == 2:
            break
        await asyncio.sleep(0.01)
    assert (await bundle_cache.get()).version == 2


async def test_without_any_bundle_a_failed_build_is_a_503(cache):
    bundle_cache, _, gate = cache
    gate.fail = True
    for _ in range(2):
        with pytest.raises(ServiceUnavailableException):
            await bundle_cache.get()


async def test_the_bundle_is_kept_under_its_digest_for_static_serving(cache, tmp_path):
    bundle_cache, _, _ = cache
    built = await bundle_cache.get()
    plain = tmp_path / f"bundle-{built.digest}.json"
    assert plain.read_bytes() == built.raw
    assert gzip.decompress((tmp_path / f"{plain.name}.gz").read_bytes()) == built.raw
    assert brotli.decompress((tmp_path / f"{plain.name}.br").read_bytes()) == built.raw
    assert not list(tmp_path.glob("*.partial"))
    # another process (or a restart) reuses the stored bytes
    again = await BundleCache(Source(), tmp_path, [Gate()]).get()
    assert again == built
