"""Whatever a client sends to the wayfinding endpoints, the answer is never a 5xx: hypothesis over every
query parameter, the trail ids, and itinerary bodies (as tests/api/test_bad_input.py does for reads)."""

from __future__ import annotations

import asyncio
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.test_bad_input import junk

ENDPOINTS = {
    "/api/routes": ["from", "to", "mode", "depart_at"],
    "/api/venues/nearby": ["lat", "lon", "limit", "mode"],
    "/api/trails": [],
}

places = st.one_of(
    st.sampled_from(["cung-thieu-nhi", "bac-bo-phu", "bat-trang", "duong-lam", "no-such-venue", "NOT A SLUG"]),
    st.builds(lambda lat, lon: f"{lat},{lon}", st.floats(allow_nan=True), st.floats(allow_nan=True)),
    st.sampled_from(
        [
            "21.02,105.85",
            "91,0",
            "-90,-180",
            "90,180",
            "nan,nan",
            "1e309,1",
            "21.0,200",
            ",",
            "1,2,3",
            "  21 , 105  ",
            "+21.0,+105.8",
            "0,0",
            "-0,-0",
        ]
    ),
)
values = {
    "from": places,
    "to": places,
    "mode": st.one_of(st.sampled_from(["walk", "bicycle", "motorbike", "car", "bus", "WALK", "plane"]), junk),
    "depart_at": st.one_of(
        st.sampled_from(
            [
                "2024-11-12T17:45:00+07:00",
                "2024-11-12T17:45:00Z",
                "2024-11-12T17:45:00",
                "0001-01-01T00:00:00+14:00",
                "9999-12-31T23:59:59-12:00",
                "2024-02-30T10:00:00+07:00",
            ]
        ),
        junk,
    ),
    "lat": st.one_of(st.floats().map(str), junk),
    "lon": st.one_of(st.floats().map(str), junk),
    "limit": st.one_of(st.integers().map(str), junk),
}


def assert_clear_answer(response, what) -> None:
    assert response.status_code < 500, (what, response.text)
    if response.status_code >= 400:
        body = response.json()
        assert body["status_code"] == response.status_code and body["detail"], what


def test_query_parameters_never_break_a_wayfinding_endpoint(client):
    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(path=st.sampled_from(sorted(ENDPOINTS)), data=st.data())
    def run(path, data):
        names = ENDPOINTS[path] + ["unexpected"]
        chosen = data.draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
        params = {name: data.draw(values.get(name, junk)) for name in chosen}
        assert_clear_answer(asyncio.run(client.get(path, params=params)), (path, params))

    run()


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
times = st.one_of(
    st.sampled_from(
        [
            "2024-11-12T09:00:00+07:00",
            "2024-11-12T21:00:00+07:00",
            "2024-11-12T09:00:00",
            "2024-11-13T02:00:00Z",
            "1970-01-01T00:00:00+00:00",
            "9999-12-31T23:59:59+14:00",
        ]
    ),
    json_value,
)
event_ids = st.sampled_from(
    [
        "ky-uc-do-thi-bao-tang",
        "ve-gom-men-lam",
        "giai-ma-hoang-thanh-dem-2024-11-12",
        "cam-thuc-dong-duong-2024-11-12",
        "nope",
    ]
)
visits = st.one_of(
    st.fixed_dictionaries(
        {"id": st.sampled_from(["van-mieu", "bat-trang", "nha-hat-lon", "ghost"])},
        optional={"dwell_min": st.one_of(st.integers(-5, 2000), json_value)},
    ),
    json_value,
)
bodies = st.one_of(
    st.fixed_dictionaries(
        {
            "start": st.one_of(places, st.fixed_dictionaries({"lat": st.floats(), "lon": st.floats()}), json_value),
            "start_at": times,
        },
        optional={
            "end_at": times,
            "mode": values["mode"],
            "events": st.one_of(st.lists(event_ids, max_size=30), json_value),
            "venues": st.one_of(st.lists(visits, max_size=30), json_value),
            "extra": json_value,
        },
    ),
    json_value,
)


def test_itinerary_bodies_never_break_the_planner(client):
    @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=bodies)
    def run(body):
        # NaN and Infinity go out as the tokens Python writes (not JSON: the server must refuse them too)
        content = json.dumps(body).encode()
        response = asyncio.run(
            client.post("/api/itineraries", content=content, headers={"content-type": "application/json"})
        )
        assert_clear_answer(response, body)

    run()


async def test_trail_ids_never_break(client):
    for raw in [
        "x" * 500,
        "%F0%9F%8E%89",
        "..%2F..",
        "UPPER",
        "a b",
        "%00",
        "-",
        "événement",
        "tour-di-san-90-phut.json",
    ]:
        response = await client.get(f"/api/trails/{raw}")
        assert 400 <= response.status_code < 500, (raw, response.status_code)
