"""The public programme endpoints against the demo festival."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from server.clock import FESTIVAL_TZ
from tests.support.bundles import current_bundle

DAY = "2024-11-12"


async def test_festival(client):
    response = await client.get("/api/festival")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == "hcdf-2024"
    assert body["theme"]["en"] == "Creative Crossroads"
    assert body["starts_on"] == "2024-11-09" and body["ends_on"] == "2024-11-17"
    assert body["timezone"] == "Asia/Ho_Chi_Minh"
    assert body["version"] > 0


async def test_every_reference_place_is_a_venue(client):
    slugs = {
        line.split("\t")[0]
        for line in open(_reference("hanoi-places.tsv"), encoding="utf-8")
        if line.strip() and not line.startswith(("#", "slug\t"))
    }
    venues = (await client.get("/api/venues")).json()
    assert slugs <= {v["id"] for v in venues}
    for venue in venues:
        assert venue["name"]["vi"] and venue["name"]["en"]
        assert venue["kind"] in {"heritage", "craft_village", "creative_space", "garden"}


async def test_venue_filters(client):
    villages = (await client.get("/api/venues", params={"kind": "craft_village"})).json()
    assert villages and all(v["kind"] == "craft_village" for v in villages)
    hoan_kiem = (await client.get("/api/venues", params={"district": "hoan kiem"})).json()
    assert hoan_kiem and all(v["district"] == "Hoàn Kiếm" for v in hoan_kiem)
    found = (await client.get("/api/venues", params={"q": "bat trang"})).json()
    assert found[0]["id"] == "bat-trang"


async def test_venue_detail_and_404(client):
    response = await client.get("/api/venues/cung-thieu-nhi")
    assert response.status_code == 200
    assert response.json()["name"]["en"] == "Hanoi Children's Palace"
    missing = await client.get("/api/venues/no-such-venue")
    assert missing.status_code == 404
    assert "no-such-venue" in missing.json()["detail"]
    assert (await client.get("/api/venues/NOT%20A%20SLUG")).status_code == 422


async def test_venues_geojson_is_rfc7946(client):
    response = await client.get("/api/venues.geojson")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection" and "crs" not in body
    west, south, east, north = body["bbox"]
    for feature in body["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert 105 < lon < 107 and 20 < lat < 22, "coordinates must be [lon, lat]"
        assert west <= lon <= east and south <= lat <= north
        assert len(str(lon).split(".")[-1]) <= 6


async def test_events_by_day_are_on_that_day_in_order(client):
    events = (await client.get("/api/events", params={"day": DAY})).json()
    assert len(events) >= 5
    starts = [datetime.fromisoformat(e["starts_at"]) for e in events]
    assert starts == sorted(starts)
    for event in events:
        start = datetime.fromisoformat(event["starts_at"])
        end = datetime.fromisoformat(event["ends_at"])
        assert start.utcoffset().total_seconds() == 7 * 3600
        assert start.date().isoformat() <= DAY <= end.astimezone(FESTIVAL_TZ).date().isoformat()


async def test_demo_has_150_events_over_the_nine_days(client):
    events = (await client.get("/api/events")).json()
    assert len(events) >= 150
    days = {datetime.fromisoformat(e["starts_at"]).date().isoformat() for e in events}
    assert days == {f"2024-11-{d:02d}" for d in range(9, 18)}


async def test_event_filters(client):
    at_palace = (await client.get("/api/events", params={"venue": "cung-thieu-nhi"})).json()
    assert at_palace and all(e["venue_id"] == "cung-thieu-nhi" for e in at_palace)
    category = at_palace[0]["category"]
    same = (await client.get("/api/events", params={"category": category})).json()
    assert same and all(e["category"] == category for e in same)
    window = (
        await client.get("/api/events", params={"from": "2024-11-09T19:00:00+07:00", "to": "2024-11-09T21:00:00+07:00"})
    ).json()
    assert any(e["venue_id"] == "quang-truong-cmt8" for e in window)
    for e in window:
        assert e["starts_at"] < "2024-11-09T21:00:00+07:00" and e["ends_at"] > "2024-11-09T19:00:00+07:00"
    pottery = (await client.get("/api/events", params={"q": "gom"})).json()
    assert pottery


async def test_known_items_on_their_real_venue_and_day(client):
    events = (await client.get("/api/events", params={"day": "2024-11-09", "venue": "quang-truong-cmt8"})).json()
    opening = [e for e in events if e["starts_at"].startswith("2024-11-09T19:30")]
    assert opening, "the opening night is 9 Nov 19:30 at August Revolution Square"
    found = (await client.get("/api/search", params={"q": "cam thuc dong duong"})).json()["results"]
    assert any(h["type"] == "event" and h["event"]["venue_id"] == "dai-hoc-tong-hop" for h in found)


async def test_event_detail_and_404(client):
    first = (await client.get("/api/events", params={"day": DAY})).json()[0]
    response = await client.get(f"/api/events/{first['id']}")
    assert response.status_code == 200 and response.json() == first
    assert (await client.get("/api/events/nope")).status_code == 404


async def test_search_ignores_case_and_diacritics_and_ranks_names_first(client):
    hits = (await client.get("/api/search", params={"q": "bat trang"})).json()["results"]
    assert hits[0]["type"] == "venue" and hits[0]["id"] == "bat-trang"
    hits = (await client.get("/api/search", params={"q": "cung thieu nhi"})).json()["results"]
    assert hits[0]["id"] == "cung-thieu-nhi"
    hits = (await client.get("/api/search", params={"q": "HA NOI"})).json()["results"]
    assert hits
    exact = (await client.get("/api/search", params={"q": "Làng gốm Bát Tràng"})).json()["results"]
    assert exact[0]["id"] == "bat-trang" and exact[0]["score"] == 100
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)


async def test_search_outside_names_wants_words_not_letters_anywhere(client):
    """ "nha hat lon" once also found Long Biên bridge (`lon` inside some long text) and "hoa lo" fifty records."""
    hits = [h["id"] for h in (await client.get("/api/search", params={"q": "nha hat lon"})).json()["results"]]
    assert hits[0] == "nha-hat-lon" and "cau-long-bien" not in hits
    hits = [h["id"] for h in (await client.get("/api/search", params={"q": "hoa lo"})).json()["results"]]
    assert hits[0] == "hoa-lo" and len(hits) < 20
    # the last word is a beginning, as it is typed
    assert (await client.get("/api/search", params={"q": "gom bat tra"})).json()["results"]


async def test_search_needs_a_query(client):
    response = await client.get("/api/search")
    assert response.status_code == 422
    assert "q" in json.dumps(response.json())


def _reference(name: str) -> Path:
    """A public reference file about the 2024 festival, copied into tests/data/ (the repository reads nothing
    outside itself)."""
    return Path(__file__).resolve().parents[1] / "data" / name


async def test_answers_carry_the_festival_clock(client):
    response = await client.get("/api/festival")
    assert response.headers["x-lehoi-now"] == "2024-11-12T03:00:00+00:00"


async def test_bundle_says_where_map_tiles_come_from(client):
    bundle = (await current_bundle(client)).json()
    assert bundle["map"]["tile_url"].startswith("https://") and "{z}" in bundle["map"]["tile_url"]
    assert bundle["map"]["tile_attribution"]
