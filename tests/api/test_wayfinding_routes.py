"""Routes, nearby venues and curated trails against the demo festival, with the estimate (no engine).

Plausible durations come from tests/data/hanoi-facts.md ("Travel facts"): Bát Tràng is 12-13 km by
road from central Hanoi, ~40 min by car; walking is 5 km/h; rush hours 07:30-08:30 and 17:30-18:30.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.support.bundles import current_bundle

HOAN_KIEM = "nha-hat-lon"  # the Opera House, on the festival's main route
TOUR = "tour-di-san-90-phut"
TOUR_PATH = [
    [105.8547, 21.0264],
    [105.8553, 21.0267],
    [105.8558, 21.0262],
    [105.8567, 21.0259],
    [105.8569, 21.025],
    [105.8574, 21.0244],
    [105.858, 21.0234],
    [105.8582, 21.0218],
]

#: (mode, minutes at least, minutes at most) from the Opera House to Bát Tràng off-peak
BAT_TRANG_MINUTES = [
    ("walk", 100, 160),  # 10-13 km at 5 km/h
    ("bicycle", 40, 75),
    ("motorbike", 20, 40),  # Vạn Phúc, as far, is ~30 min by motorbike
    ("car", 30, 50),  # ~40 min to the pottery museum
    ("bus", 45, 90),  # buses 47A/47B: slower than a taxi, waits included
]


async def route(client, **params):
    response = await client.get("/api/routes", params={k.rstrip("_"): v for k, v in params.items()})
    assert response.status_code == 200, response.text
    return response.json()


def assert_rfc7946(collection: dict) -> None:
    assert collection["type"] == "FeatureCollection" and "crs" not in collection
    west, south, east, north = collection["bbox"]
    for feature in collection["features"]:
        assert feature["type"] == "Feature" and feature["geometry"]["type"] == "LineString"
        coordinates = feature["geometry"]["coordinates"]
        assert len(coordinates) >= 2
        for lon, lat in coordinates:
            assert 105 < lon < 107 and 20 < lat < 22, "positions must be [lon, lat]"
            assert west <= lon <= east and south <= lat <= north
            assert len(repr(lon).split(".")[-1]) <= 6 and len(repr(lat).split(".")[-1]) <= 6
    positions = [p for f in collection["features"] for p in f["geometry"]["coordinates"]]
    assert [min(p[0] for p in positions), min(p[1] for p in positions)] == [west, south]
    assert [max(p[0] for p in positions), max(p[1] for p in positions)] == [east, north]


@pytest.mark.parametrize(("mode", "least", "most"), BAT_TRANG_MINUTES)
async def test_hoan_kiem_to_bat_trang_takes_a_plausible_time_by_each_mode(client, mode, least, most):
    body = await route(client, from_=HOAN_KIEM, to="bat-trang", mode=mode, depart_at="2024-11-12T10:00:00+07:00")
    assert body["engine"] == "estimate"
    assert_rfc7946(body)
    [leg] = body["features"]
    props = leg["properties"]
    assert least * 60 <= props["duration_s"] <= most * 60, props
    assert 9_000 <= props["distance_m"] <= 13_500, "Bát Tràng is 12-13 km by road (a little less on foot)"
    assert props["geometry_source"] == "straight"
    assert props["from_id"] == HOAN_KIEM and props["to_id"] == "bat-trang"
    depart, arrive = datetime.fromisoformat(props["depart_at"]), datetime.fromisoformat(props["arrive_at"])
    assert depart == datetime.fromisoformat("2024-11-12T10:00:00+07:00")
    assert arrive - depart == timedelta(seconds=props["duration_s"])
    assert props["depart_at"].endswith("+07:00")


async def test_modes_rank_as_expected_to_bat_trang(client):
    minutes = {}
    for mode, _, _ in BAT_TRANG_MINUTES:
        body = await route(client, from_=HOAN_KIEM, to="bat-trang", mode=mode)
        minutes[mode] = body["features"][0]["properties"]["duration_s"] / 60
    assert minutes["motorbike"] < minutes["car"] < minutes["bus"] < minutes["walk"]
    assert minutes["bicycle"] < minutes["walk"]


async def test_rush_hour_slows_road_modes_but_not_walking(client):
    def minutes(body):
        return body["features"][0]["properties"]["duration_s"]

    calm = await route(client, from_=HOAN_KIEM, to="bat-trang", mode="car", depart_at="2024-11-12T10:00:00+07:00")
    rush = await route(client, from_=HOAN_KIEM, to="bat-trang", mode="car", depart_at="2024-11-12T17:35:00+07:00")
    assert minutes(rush) > minutes(calm) * 1.3
    walk_calm = await route(client, from_=HOAN_KIEM, to="bat-trang", mode="walk", depart_at="2024-11-12T10:00:00+07:00")
    walk_rush = await route(client, from_=HOAN_KIEM, to="bat-trang", mode="walk", depart_at="2024-11-12T17:35:00+07:00")
    assert minutes(walk_calm) == minutes(walk_rush)
    # the same instant written in UTC gives the same trip
    utc = await route(client, from_=HOAN_KIEM, to="bat-trang", mode="car", depart_at="2024-11-12T10:35:00Z")
    assert minutes(utc) == minutes(rush)


async def test_departure_defaults_to_the_festival_clock(client, clock):
    body = await route(client, from_=HOAN_KIEM, to="bat-trang")
    props = body["features"][0]["properties"]
    assert datetime.fromisoformat(props["depart_at"]) == clock.now()
    assert body["features"][0]["properties"]["duration_s"] > 0


async def test_the_heritage_tour_path_draws_the_leg_between_consecutive_stops(client):
    body = await route(client, from_="cung-thieu-nhi", to="bac-bo-phu")
    assert_rfc7946(body)
    [leg] = body["features"]
    assert leg["properties"]["geometry_source"] == "trail"
    assert leg["geometry"]["coordinates"] == TOUR_PATH[:3]
    back = await route(client, from_="bac-bo-phu", to="cung-thieu-nhi")
    assert back["features"][0]["geometry"]["coordinates"] == TOUR_PATH[:3][::-1]
    last = await route(client, from_="vuon-hoa-dien-hong", to="dai-hoc-tong-hop")
    assert last["features"][0]["geometry"]["coordinates"] == TOUR_PATH[3:]
    assert last["features"][0]["properties"]["geometry_source"] == "trail"
    # walking the drawn path: its length at 5 km/h
    props = last["features"][0]["properties"]
    assert props["duration_s"] == pytest.approx(props["distance_m"] / (5 / 3.6), abs=1)


async def test_stops_that_are_not_consecutive_get_a_straight_labelled_leg(client):
    body = await route(client, from_="cung-thieu-nhi", to="dai-hoc-tong-hop")
    [leg] = body["features"]
    assert leg["properties"]["geometry_source"] == "straight"
    assert leg["geometry"]["coordinates"] == [[105.8547, 21.0264], [105.8582, 21.0218]]


async def test_a_free_point_is_a_leg_end_without_id(client):
    body = await route(client, from_="21.0300,105.8500", to="bac-bo-phu", mode="walk")
    props = body["features"][0]["properties"]
    assert "from_id" not in props and props["to_id"] == "bac-bo-phu"
    assert body["features"][0]["geometry"]["coordinates"][0] == [105.85, 21.03]
    both = await route(client, from_="21.03,105.85", to="21.0264,105.8547")
    assert "from_id" not in both["features"][0]["properties"] and "to_id" not in both["features"][0]["properties"]


async def test_a_route_to_the_same_place_is_still_a_linestring(client):
    body = await route(client, from_="bat-trang", to="bat-trang", mode="car")
    assert_rfc7946(body)
    props = body["features"][0]["properties"]
    assert props["distance_m"] == 0 and props["duration_s"] == 0


async def test_routes_answer_geojson_media_type(client):
    response = await client.get("/api/routes", params={"from": HOAN_KIEM, "to": "bat-trang"})
    assert response.headers["content-type"].startswith("application/geo+json")


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"from": "no-such-venue", "to": "bat-trang"}, 404),
        ({"from": "bat-trang", "to": "nowhere"}, 404),
        ({"from": "91,105", "to": "bat-trang"}, 422),
        ({"from": "21,181", "to": "bat-trang"}, 422),
        ({"from": "Bát Tràng", "to": "bat-trang"}, 422),
        ({"from": "21.0,105.8,3", "to": "bat-trang"}, 422),
        ({"from": "bat-trang", "to": "bat-trang", "mode": "teleport"}, 422),
        ({"from": "bat-trang", "to": "bat-trang", "depart_at": "2024-11-12T10:00:00"}, 422),
        ({"from": "bat-trang", "to": "bat-trang", "depart_at": "12 Nov, ten o'clock"}, 422),
        ({"from": "bat-trang", "to": "bat-trang", "depart_at": "2024-11-31T10:00:00+07:00"}, 422),
        ({"to": "bat-trang"}, 422),
        ({"from": "bat-trang"}, 422),
    ],
)
async def test_route_refusals(client, params, status):
    response = await client.get("/api/routes", params=params)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status_code"] == status and body["detail"]


# --- nearby ----------------------------------------------------------------------------------------------


async def test_nearby_venues_come_nearest_first(client):
    # August Revolution Square, in front of the Opera House
    response = await client.get("/api/venues/nearby", params={"lat": 21.0243, "lon": 105.8565, "limit": 5})
    assert response.status_code == 200, response.text
    venues = response.json()
    assert len(venues) == 5
    assert venues[0]["id"] == "quang-truong-cmt8" and venues[0]["distance_m"] == 0
    distances = [v["distance_m"] for v in venues]
    assert distances == sorted(distances)
    assert all(v["distance_m"] < 500 for v in venues), "the festival core is a few hundred metres across"
    durations = [v["duration_s"] for v in venues]
    assert durations == sorted(durations)
    for venue in venues:
        assert venue["name"]["vi"] and venue["name"]["en"] and venue["kind"] and "lat" in venue and "lon" in venue


async def test_nearby_from_a_craft_village_and_by_mode(client):
    near_bat_trang = {"lat": 20.9835, "lon": 105.9165}
    walk = (await client.get("/api/venues/nearby", params={**near_bat_trang, "limit": 3})).json()
    car = (await client.get("/api/venues/nearby", params={**near_bat_trang, "limit": 3, "mode": "car"})).json()
    assert walk[0]["id"] == "bat-trang" and walk[1]["id"] == "kieu-ky"
    assert [v["id"] for v in walk] == [v["id"] for v in car]
    assert car[1]["duration_s"] < walk[1]["duration_s"]
    default = (await client.get("/api/venues/nearby", params=near_bat_trang)).json()
    assert len(default) == 10


async def test_nearby_is_not_taken_for_a_venue_id(client):
    assert (await client.get("/api/venues/nearby")).status_code == 422  # lat and lon are required
    assert (await client.get("/api/venues/cung-thieu-nhi")).json()["id"] == "cung-thieu-nhi"


@pytest.mark.parametrize(
    "params",
    [
        {"lat": 95, "lon": 105.85},
        {"lat": 21, "lon": -181},
        {"lat": "nan", "lon": 105.85},
        {"lat": "twenty-one", "lon": 105.85},
        {"lat": 21, "lon": 105.85, "limit": 0},
        {"lat": 21, "lon": 105.85, "limit": 1000},
        {"lat": 21, "lon": 105.85, "mode": "rocket"},
        {"lon": 105.85},
    ],
)
async def test_nearby_refusals(client, params):
    response = await client.get("/api/venues/nearby", params=params)
    assert response.status_code == 422, response.text


# --- trails ----------------------------------------------------------------------------------------------


async def test_trails_come_with_geometry_and_leg_durations(client):
    response = await client.get("/api/trails")
    assert response.status_code == 200
    trails = {t["id"]: t for t in response.json()}
    programme = {t["id"] for t in (await current_bundle(client)).json()["trails"]}
    assert set(trails) == programme
    for trail in trails.values():
        assert_rfc7946(trail["geojson"])
        assert len(trail["legs"]) == len(trail["stops"]) - 1 == len(trail["geojson"]["features"])
        assert trail["travel_s"] == sum(leg["duration_s"] for leg in trail["legs"])
        assert [leg["from_id"] for leg in trail["legs"]] == trail["stops"][:-1]
        assert [leg["to_id"] for leg in trail["legs"]] == trail["stops"][1:]


async def test_the_heritage_tour_follows_its_drawn_path_on_foot(client):
    tour = (await client.get(f"/api/trails/{TOUR}")).json()
    assert tour["mode"] == "walk" and tour["duration_min"] == 90
    assert tour["stops"] == ["cung-thieu-nhi", "bac-bo-phu", "vuon-hoa-dien-hong", "dai-hoc-tong-hop"]
    assert {leg["geometry_source"] for leg in tour["legs"]} == {"trail"}
    lines = [f["geometry"]["coordinates"] for f in tour["geojson"]["features"]]
    joined = lines[0] + [p for line in lines[1:] for p in line[1:]]
    assert joined == TOUR_PATH
    # the walking on a 90-minute tour is a small part of it: about 700 m
    assert 500 <= tour["distance_m"] <= 1000 and tour["travel_s"] < 15 * 60
    for leg, feature in zip(tour["legs"], tour["geojson"]["features"], strict=False):
        assert feature["properties"] == leg


async def test_a_trail_without_path_has_straight_legs_by_its_mode(client):
    trail = (await client.get("/api/trails/gom-va-quy-vang-gia-lam")).json()
    assert trail["mode"] == "motorbike"
    [leg] = trail["legs"]
    assert leg["geometry_source"] == "straight" and (leg["from_id"], leg["to_id"]) == ("bat-trang", "kieu-ky")
    assert trail["geojson"]["features"][0]["geometry"]["coordinates"] == [[105.917, 20.983], [105.94861, 20.98]]
    assert 5 * 60 <= leg["duration_s"] <= 20 * 60, "the villages are a few kilometres apart"


async def test_trail_refusals(client):
    missing = await client.get("/api/trails/no-such-trail")
    assert missing.status_code == 404 and "no-such-trail" in missing.json()["detail"]
    assert (await client.get("/api/trails/NOT%20A%20SLUG")).status_code == 422
