"""The travel matrix in the offline bundle: its format, its size, agreement with the online routes, and
its cache (rebuilt only when the venue set or a venue's position changes)."""

from __future__ import annotations

import msgspec

from server.wayfinding.matrix import FORMAT, TravelMatrix, cache_key
from server.wayfinding.travel import MODES

from tests.support.bundles import current_bundle

BUNDLE_LIMIT_BR = 80 * 1024


async def bundle(client) -> dict:
    response = await current_bundle(client)
    assert response.status_code == 200
    return response.json()


async def test_the_bundle_carries_the_travel_matrix_of_every_venue(client):
    content = await bundle(client)
    travel = content["travel"]
    venues = content["venues"]
    assert travel["format"] == FORMAT and travel["tz"] == "Asia/Ho_Chi_Minh"
    assert travel["ids"] == sorted(v["id"] for v in venues)
    n = len(venues)
    assert len(travel["geodesic_dam"]) == n * (n - 1) // 2
    assert travel["key"] == cache_key((v["id"], v["lat"], v["lon"]) for v in venues)
    assert set(travel["modes"]) == set(MODES)
    assert all(isinstance(d, int) and d > 0 for d in travel["geodesic_dam"])


async def test_offline_times_agree_with_the_online_estimate(client):
    matrix = TravelMatrix.decode(msgspec.json.encode((await bundle(client))["travel"]))
    for a, b in [("nha-hat-lon", "bat-trang"), ("hoa-lo", "van-mieu"), ("duong-lam", "chang-son")]:
        for mode in MODES:
            offline = matrix.lookup(a, b, mode)
            online = (
                await client.get("/api/routes", params={"from": a, "to": b, "mode": mode, "depart_at": "2024-11-12T10:00:00+07:00"})
            ).json()["features"][0]["properties"]
            assert (online["distance_m"], online["duration_s"]) == (offline.distance_m, offline.duration_s), (a, b, mode)


async def test_the_whole_bundle_stays_small(client):
    await current_bundle(client, "br")
    built = client.app.state.bundles._built
    assert len(built.br) <= BUNDLE_LIMIT_BR, f"bundle is {len(built.br)} bytes brotli"
    travel = msgspec.json.encode(msgspec.json.decode(built.raw)["travel"])
    assert len(travel) < 8 * 1024, "the matrix stores distances once, never a duration per mode"


async def test_the_matrix_is_rebuilt_only_when_venues_move(client, in_app, as_organiser, fresh_programme):
    wayfinder = client.app.state.wayfinder
    snapshots = client.app.state.snapshots  # read on the app's loop, where its connections live
    before = await bundle(client)
    matrix, builds = wayfinder.matrices.get(in_app(snapshots.get)), wayfinder.matrices.builds

    # an edited event or a renamed venue makes a new version, but the same matrix
    event_id = before["events"][0]["id"]
    assert (await client.patch(f"/api/events/{event_id}", json={"capacity": 7}, headers=as_organiser)).status_code == 200
    renamed = {"name": {"vi": "Bát Tràng", "en": "Bat Trang pottery village"}}
    assert (await client.patch("/api/venues/bat-trang", json=renamed, headers=as_organiser)).status_code == 200
    after_edits = await bundle(client)
    assert after_edits["version"] > before["version"]
    assert after_edits["travel"] == before["travel"]
    assert wayfinder.matrices.builds == builds and wayfinder.matrices.get(in_app(snapshots.get)) is matrix

    # moving a venue changes the key and the distances
    moved = await client.patch("/api/venues/bat-trang", json={"lat": 20.9750, "lon": 105.9120}, headers=as_organiser)
    assert moved.status_code == 200
    after_move = await bundle(client)
    assert after_move["travel"]["key"] != before["travel"]["key"]
    assert after_move["travel"]["geodesic_dam"] != before["travel"]["geodesic_dam"]
    assert wayfinder.matrices.builds == builds + 1

    # a new venue joins the matrix
    created = await client.post(
        "/api/venues",
        json={"id": "xuong-gom-moi", "name": {"vi": "Xưởng gốm mới", "en": "New pottery workshop"},
              "kind": "creative_space", "lat": 21.03, "lon": 105.85},
        headers=as_organiser,
    )
    assert created.status_code == 201, created.text
    assert "xuong-gom-moi" in (await bundle(client))["travel"]["ids"]
    route = await client.get("/api/routes", params={"from": "xuong-gom-moi", "to": "bat-trang"})
    assert route.status_code == 200
    await client.delete("/api/venues/xuong-gom-moi", headers=as_organiser)
