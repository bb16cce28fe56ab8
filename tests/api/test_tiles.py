"""The offline basemap: /tiles/{name}.pmtiles with byte ranges (RFC 9110), the `map` entry that names it, and the
archive itself, read with the pmtiles reader."""

from __future__ import annotations

import gzip
import hashlib
import math

import httpx
import pytest
from pmtiles.reader import MemorySource, Reader

from server.app import create_app
from server.basemap.archive import ArchiveError
from server.resources import OSM_DIR
from server.settings import load_settings
from tests.support.bundles import current_bundle
from tests.support.live_server import LiveServer

URL = "/tiles/hanoi-centre.pmtiles"
ARCHIVE = (OSM_DIR / "hanoi-centre.pmtiles").read_bytes()
LENGTH = len(ARCHIVE)
#: demo venues inside the extract's fully covered area (fixtures/osm/README.md)
CENTRE_VENUES = {"hoa-lo", "van-mieu", "nha-hat-lon", "hoang-thanh", "den-ngoc-son", "cau-long-bien"}


async def ranged(client, value: str, **headers: str):
    return await client.get(URL, headers={"range": value, **headers})


async def test_the_whole_archive_says_it_takes_ranges(client):
    response = await client.get(URL)
    assert response.status_code == 200 and response.content == ARCHIVE
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["content-type"] == "application/vnd.pmtiles"
    assert response.headers["content-length"] == str(LENGTH)
    etag = response.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert etag.strip('"') == hashlib.sha256(ARCHIVE).hexdigest()[:32]
    assert response.headers["last-modified"].endswith("GMT")
    assert response.headers["cache-control"] == "public, no-cache"


@pytest.mark.parametrize(
    ("value", "first", "last"),
    [
        ("bytes=0-126", 0, 126),
        ("bytes=100-", 100, LENGTH - 1),
        ("bytes=-500", LENGTH - 500, LENGTH - 1),
        ("bytes=1000-999999999", 1000, LENGTH - 1),
        (f"bytes={LENGTH - 1}-{LENGTH - 1}", LENGTH - 1, LENGTH - 1),
        ("bytes=-99999999", 0, LENGTH - 1),
        ("BYTES = 5 - 9", 5, 9),
    ],
)
async def test_one_range_is_206_with_those_bytes(client, value, first, last):
    response = await ranged(client, value)
    assert response.status_code == 206, value
    assert response.content == ARCHIVE[first : last + 1]
    assert response.headers["content-range"] == f"bytes {first}-{last}/{LENGTH}"
    assert response.headers["content-length"] == str(last - first + 1)
    assert response.headers["etag"] and response.headers["accept-ranges"] == "bytes"


@pytest.mark.parametrize("value", [f"bytes={LENGTH}-", f"bytes={LENGTH + 10}-{LENGTH + 20}", "bytes=-0"])
async def test_a_range_past_the_end_is_416_with_the_length(client, value):
    response = await ranged(client, value)
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{LENGTH}"


@pytest.mark.parametrize(
    "value", ["bytes=", "bytes=abc", "bytes=9-3", "items=0-10", "bytes=--5", "0-10", "bytes=0-10,20-30", "bytes=-5,0-1"]
)
async def test_a_malformed_or_multiple_range_is_ignored(client, value):
    """RFC 9110 §14.2: a server ignores a Range it cannot parse, and may ignore several ranges: lehoi sends the
    whole archive rather than multipart/byteranges."""
    response = await ranged(client, value)
    assert response.status_code == 200 and response.content == ARCHIVE
    assert "content-range" not in response.headers


async def test_if_range_gives_the_range_only_while_the_archive_is_that_one(client):
    etag = (await client.head(URL)).headers["etag"]
    assert (await ranged(client, "bytes=0-9", **{"if-range": etag})).status_code == 206
    changed = await ranged(client, "bytes=0-9", **{"if-range": '"another"'})
    assert changed.status_code == 200 and changed.content == ARCHIVE


async def test_if_none_match_is_304(client):
    etag = (await client.head(URL)).headers["etag"]
    for value in (etag, f'"x", W/{etag}', "*"):
        response = await client.get(URL, headers={"if-none-match": value, "range": "bytes=0-9"})
        assert response.status_code == 304 and response.content == b""
        assert response.headers["etag"] == etag
    assert (await client.get(URL, headers={"if-none-match": '"other"'})).status_code == 200


async def test_head_says_the_length_and_sends_nothing(client):
    response = await client.head(URL, headers={"range": "bytes=0-9"})
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-length"] == str(LENGTH)
    assert response.headers["accept-ranges"] == "bytes"


@pytest.mark.parametrize(
    "path",
    [
        "/tiles/nope.pmtiles",
        "/tiles/hanoi-centre.mbtiles",
        "/tiles/",
        "/tiles/../fixtures/osm/hanoi-centre.pmtiles",
        "/tiles/%2e%2e/pyproject.toml",
        "/tiles/..%2fserver%2fapp.py",
        "/tiles/hanoi-centre.pmtiles/x",
    ],
)
async def test_only_the_basemap_is_served(client, path):
    assert (await client.get(path)).status_code == 404


async def test_writes_are_refused(client):
    response = await client.post(URL, content=b"x")
    assert response.status_code == 405 and response.headers["allow"] == "GET, HEAD"


async def _entry(client) -> dict:
    return (await client.get("/api/festival")).json()["map"]


async def test_the_festival_names_the_basemap(client):
    festival = (await client.get("/api/festival")).json()
    for member in ("id", "name", "theme", "starts_on", "ends_on", "timezone", "version"):
        assert member in festival  # its own members are unchanged
    entry = festival["map"]
    assert entry["tile_url"] == load_settings().tile_url and entry["tile_attribution"]
    basemap = entry["basemap"]
    assert basemap["name"] == "hanoi-centre" and basemap["format"] == "pmtiles" and basemap["tile_type"] == "mvt"
    assert basemap["bytes"] == LENGTH and basemap["min_zoom"] == 0 and basemap["max_zoom"] == 14
    assert basemap["attribution"] == "© OpenStreetMap contributors"
    west, south, east, north = basemap["bounds"]
    lon, lat, _zoom = basemap["center"]
    assert west < lon < east and south < lat < north
    response = await client.get(basemap["url"])
    assert response.content == ARCHIVE and response.headers["etag"] == basemap["etag"]
    assert basemap["url"] == f"{URL}?v={basemap['version']}" and basemap["etag"] == f'"{basemap["version"]}"'
    # that URL names these bytes only, so caches may keep its answers
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_the_bundle_carries_the_same_map_entry(client):
    bundle = (await current_bundle(client)).json()
    assert bundle["map"] == await _entry(client)


# A second app in this process would open and close the suite's database engine on another event loop (on
# PostgreSQL that breaks the session app's pool): these two run a `lehoi serve` of their own.


def test_without_a_basemap_the_entry_is_null(tmp_path):
    server = LiveServer(tmp_path, env={"LEHOI_BASEMAP": "nowhere"})
    server.start()
    try:
        entry = httpx.get(server.url + "/api/festival", timeout=10).json()["map"]
        assert entry["basemap"] is None and entry["tile_url"]
        assert httpx.get(server.url + "/tiles/nowhere.pmtiles", timeout=10).status_code == 404
    finally:
        server.stop()


def _tile(z: int, lon: float, lat: float) -> tuple[int, int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


async def test_the_served_archive_is_pmtiles_v3_over_the_centre(client):
    served = (await client.get(URL)).content
    reader = Reader(MemorySource(served))
    header = reader.header()
    assert header["version"] == 3 and header["max_zoom"] >= 14
    venues = [v for v in (await client.get("/api/venues")).json() if v["id"] in CENTRE_VENUES]
    assert len(venues) >= 4
    for venue in venues:
        assert header["min_lon_e7"] / 1e7 <= venue["lon"] <= header["max_lon_e7"] / 1e7, venue["id"]
        assert header["min_lat_e7"] / 1e7 <= venue["lat"] <= header["max_lat_e7"] / 1e7, venue["id"]
    metadata = reader.metadata()
    layers = {layer["id"]: layer for layer in metadata["vector_layers"]}
    assert {"transportation", "transportation_name"} <= set(layers)
    assert {"name", "name:en", "name_en"} <= set(layers["transportation_name"]["fields"])
    # Hồ Hoàn Kiếm's tile at z14: gzip'd Mapbox Vector Tile, naming the layers it holds
    tile = reader.get(*_tile(14, 105.8524, 21.0287))
    assert tile is not None and tile[:2] == b"\x1f\x8b"
    mvt = gzip.decompress(tile)
    assert mvt[0] == 0x1A  # field 3 (layers), length-delimited: the first byte of every MVT
    assert b"transportation" in mvt and b"transportation_name" in mvt and "Hàng".encode() in mvt


def test_a_broken_archive_in_the_data_directory_stops_the_server_saying_which(tmp_path):
    broken = tmp_path / "tiles" / "hanoi-centre.pmtiles"
    broken.parent.mkdir()
    broken.write_bytes(b"not PMTiles")
    with pytest.raises(ArchiveError, match=f"{broken}: not a PMTiles v3 archive.*lehoi tiles build"):
        create_app(load_settings(data_dir=str(tmp_path)))


def test_the_data_directory_archive_is_served_before_the_shipped_one(tmp_path):
    server = LiveServer(tmp_path)
    mine = server.data_dir / "tiles" / "hanoi-centre.pmtiles"
    mine.parent.mkdir(parents=True)
    # the shipped archive with one byte changed in its tile data: still PMTiles, another version
    changed = bytearray(ARCHIVE)
    changed[-1] ^= 0xFF
    mine.write_bytes(bytes(changed))
    server.start()
    try:
        basemap = httpx.get(server.url + "/api/festival", timeout=10).json()["map"]["basemap"]
        assert basemap["version"] == hashlib.sha256(changed).hexdigest()[:32]
        assert httpx.get(server.url + URL, timeout=10).content == bytes(changed)
    finally:
        server.stop()
