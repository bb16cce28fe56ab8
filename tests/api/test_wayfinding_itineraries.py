"""Day plans through POST /api/itineraries against the demo festival, with the estimate (no engine)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.api.test_wayfinding_routes import assert_rfc7946

DAY = "2024-11-12"
HOA_LO_TALK = "ky-uc-do-thi-bao-tang"  # Hỏa Lò, 09:30-11:00
BAT_TRANG_GLAZING = "ve-gom-men-lam"  # Bát Tràng, 14:00-16:00
CITADEL_NIGHT = f"giai-ma-hoang-thanh-dem-{DAY}"  # Imperial Citadel, 18:00-20:30
INDOCHINA_SENSE = f"cam-thuc-dong-duong-{DAY}"  # former Indochina University, 09:00-22:00
INDOCHINA_BANK = f"ngan-hang-dong-duong-{DAY}"  # State Bank, 09:00-18:00
CHILDRENS_PALACE = f"cung-thieu-nhi-hoai-niem-{DAY}"  # Children's Palace, 09:00-21:00
VILLAGE_FILM = f"phim-lang-nghe-{DAY}"  # 22 Hàng Buồm, 19:00-20:30
FAVOURITES = [HOA_LO_TALK, BAT_TRANG_GLAZING, CITADEL_NIGHT]


def at(clock: str, day: str = DAY) -> str:
    return f"{day}T{clock}:00+07:00"


async def plan(client, **body):
    body.setdefault("start", "cung-thieu-nhi")
    body.setdefault("start_at", at("09:00"))
    response = await client.post("/api/itineraries", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def assert_consistent(itinerary: dict) -> None:
    """Every promise of the answer holds against the others: legs chain, times add up, totals match."""
    stops, legs = itinerary["stops"], itinerary["legs"]
    assert len(legs) == len(stops) == itinerary["totals"]["stops"]
    previous_leave = datetime.fromisoformat(itinerary["start_at"])
    previous_id = None
    for stop, leg in zip(stops, legs, strict=False):
        depart, arrive = datetime.fromisoformat(leg["depart_at"]), datetime.fromisoformat(leg["arrive_at"])
        assert leg["from_id"] == previous_id and leg["to_id"] == stop["id"]
        assert depart == previous_leave and arrive - depart == timedelta(seconds=leg["duration_s"])
        assert datetime.fromisoformat(stop["arrive_at"]) == arrive
        starts, leaves = datetime.fromisoformat(stop["starts_at"]), datetime.fromisoformat(stop["leave_at"])
        assert arrive <= starts < leaves and (starts - arrive).total_seconds() == stop["wait_s"]
        for moment in (leg["depart_at"], stop["arrive_at"], stop["leave_at"]):
            assert moment.endswith("+07:00")
        previous_leave, previous_id = leaves, stop["id"]
    assert itinerary["totals"]["travel_s"] == sum(leg["duration_s"] for leg in legs)
    assert itinerary["totals"]["distance_m"] == sum(leg["distance_m"] for leg in legs)
    if stops:
        assert itinerary["totals"]["finish_at"] == stops[-1]["leave_at"]
    geojson = itinerary["geojson"]
    assert len(geojson["features"]) == len(legs) and geojson["engine"] == itinerary["engine"]
    if legs:
        assert_rfc7946(geojson)
    for leg, feature in zip(legs, geojson["features"], strict=False):
        props = feature["properties"]
        assert props["duration_s"] == leg["duration_s"] and props["geometry_source"] == leg["geometry_source"]
        assert props["depart_at"] == leg["depart_at"] and props["arrive_at"] == leg["arrive_at"]


async def test_three_favourites_with_a_craft_village_in_a_sensible_order(client):
    events = (await client.get("/api/events", params={"day": DAY})).json()
    by_id = {e["id"]: e for e in events}
    itinerary = await plan(
        client,
        mode="car",
        end_at=at("21:30"),
        events=[CITADEL_NIGHT, BAT_TRANG_GLAZING, HOA_LO_TALK],  # in no particular order
    )
    assert_consistent(itinerary)
    assert itinerary["engine"] == "estimate" and itinerary["method"] == "exact" and itinerary["mode"] == "car"
    assert [s["id"] for s in itinerary["stops"]] == FAVOURITES
    assert [s["venue_id"] for s in itinerary["stops"]] == ["hoa-lo", "bat-trang", "hoang-thanh"]
    assert itinerary["unplaced"] == []
    for stop in itinerary["stops"]:
        event = by_id[stop["id"]]
        assert stop["kind"] == "event"
        assert stop["starts_at"] == event["starts_at"] and stop["leave_at"] == event["ends_at"]
    out, back = itinerary["legs"][1], itinerary["legs"][2]
    # across the river and back by taxi: about 40 minutes each way, the way back in the evening rush
    assert 30 * 60 <= out["duration_s"] <= 50 * 60 and back["duration_s"] > out["duration_s"]
    assert out["distance_m"] > 9000
    assert itinerary["start"] == {"lat": 21.0264, "lon": 105.8547, "venue_id": "cung-thieu-nhi"}


async def test_what_cannot_fit_is_left_out_with_a_reason(client):
    itinerary = await plan(
        client,
        mode="car",
        start_at=at("08:30"),
        end_at=at("22:30"),
        events=[*FAVOURITES, VILLAGE_FILM],  # the film clashes with the Citadel at night
        venues=[
            {"id": "van-mieu", "dwell_min": 60},  # fits between the talk and the pottery
            {"id": "nha-may-xe-lua-gia-lam", "dwell_min": 60},  # closed on 12 November (festival hours)
        ],
    )
    assert_consistent(itinerary)
    placed = [s["id"] for s in itinerary["stops"] if s["kind"] == "event"]
    assert placed[:2] == FAVOURITES[:2] and placed[2:] in ([CITADEL_NIGHT], [VILLAGE_FILM])
    assert "van-mieu" in [s["id"] for s in itinerary["stops"]]
    visit = next(s for s in itinerary["stops"] if s["id"] == "van-mieu")
    assert "07:30" <= visit["starts_at"][11:16] and visit["leave_at"][11:16] <= "18:00", "inside its opening hours"
    assert datetime.fromisoformat(visit["leave_at"]) - datetime.fromisoformat(visit["starts_at"]) == timedelta(hours=1)
    clashing = VILLAGE_FILM if placed[2] == CITADEL_NIGHT else CITADEL_NIGHT
    assert itinerary["unplaced"] == [
        {"id": clashing, "kind": "event", "reason": "overlaps_event"},
        {"id": "nha-may-xe-lua-gia-lam", "kind": "venue", "reason": "closed"},
    ]


async def test_exhibitions_already_open_are_joined_late_for_an_hour(client):
    events = {e["id"]: e for e in (await client.get("/api/events", params={"day": DAY})).json()}
    exhibitions = [INDOCHINA_SENSE, INDOCHINA_BANK, CHILDRENS_PALACE]  # open since 09:00, until 18:00 or later
    itinerary = await plan(client, mode="car", start_at=at("10:05"), events=[*exhibitions, CITADEL_NIGHT])
    assert_consistent(itinerary)
    assert itinerary["unplaced"] == []
    assert {s["id"] for s in itinerary["stops"]} == {*exhibitions, CITADEL_NIGHT}
    for stop in itinerary["stops"]:
        event = events[stop["id"]]
        assert stop["kind"] == "event"
        starts, leaves = datetime.fromisoformat(stop["starts_at"]), datetime.fromisoformat(stop["leave_at"])
        if stop["id"] == CITADEL_NIGHT:  # a show of two and a half hours: from its start to its end
            assert (stop["starts_at"], stop["leave_at"]) == (event["starts_at"], event["ends_at"])
        else:
            assert leaves - starts == timedelta(hours=1)
            assert datetime.fromisoformat(event["starts_at"]) <= starts and leaves <= datetime.fromisoformat(
                event["ends_at"]
            )


async def test_on_foot_the_village_and_the_evening_do_not_both_fit(client):
    itinerary = await plan(client, mode="walk", events=FAVOURITES)
    assert_consistent(itinerary)
    assert len(itinerary["stops"]) == 2
    assert itinerary["unplaced"] and itinerary["unplaced"][0]["reason"] == "unreachable"
    assert {s["id"] for s in itinerary["stops"]} | {u["id"] for u in itinerary["unplaced"]} == set(FAVOURITES)


async def test_festival_hours_override_the_week(client):
    # the Opera House opens 14:30-17:15 in an ordinary week, and 19:00-22:00 as well during the festival
    itinerary = await plan(client, start_at=at("18:00"), venues=[{"id": "nha-hat-lon", "dwell_min": 60}])
    assert_consistent(itinerary)
    [visit] = itinerary["stops"]
    assert visit["starts_at"] == at("19:00") and visit["wait_s"] > 0
    # the State Bank opens only for the festival: closed a week later
    after = await plan(
        client, start_at=at("09:00", "2024-11-20"), venues=[{"id": "ngan-hang-nha-nuoc", "dwell_min": 30}]
    )
    assert after["stops"] == [] and after["unplaced"] == [
        {"id": "ngan-hang-nha-nuoc", "kind": "venue", "reason": "closed"}
    ]
    during = await plan(client, start_at=at("09:00"), venues=[{"id": "ngan-hang-nha-nuoc", "dwell_min": 30}])
    assert [s["id"] for s in during["stops"]] == ["ngan-hang-nha-nuoc"]


async def test_end_at_bounds_the_day(client):
    itinerary = await plan(client, mode="car", end_at=at("17:00"), events=FAVOURITES)
    assert_consistent(itinerary)
    assert [s["id"] for s in itinerary["stops"]] == [HOA_LO_TALK, BAT_TRANG_GLAZING]
    assert itinerary["unplaced"] == [{"id": CITADEL_NIGHT, "kind": "event", "reason": "unreachable"}]


async def test_the_tour_legs_follow_the_drawn_path(client):
    itinerary = await plan(
        client,
        start="cung-thieu-nhi",
        start_at=at("09:00"),
        venues=[{"id": "bac-bo-phu", "dwell_min": 20}, {"id": "vuon-hoa-dien-hong", "dwell_min": 10}],
    )
    assert_consistent(itinerary)
    assert [s["id"] for s in itinerary["stops"]] == ["bac-bo-phu", "vuon-hoa-dien-hong"]
    assert [leg["geometry_source"] for leg in itinerary["legs"]] == ["trail", "trail"]


async def test_a_start_point_can_be_coordinates(client):
    for start in ({"lat": 21.0300, "lon": 105.8500}, "21.03,105.85"):
        itinerary = await plan(client, start=start, events=[HOA_LO_TALK])
        assert itinerary["start"] == {"lat": 21.03, "lon": 105.85}
        assert itinerary["legs"][0]["from_id"] is None
        assert itinerary["geojson"]["features"][0]["geometry"]["coordinates"][0] == [105.85, 21.03]


async def test_many_stops_take_the_heuristic_and_stay_feasible(client):
    venues = (await client.get("/api/venues", params={"district": "hoan kiem"})).json()
    visits = [{"id": v["id"], "dwell_min": 20} for v in venues][:12]
    assert len(visits) == 12
    itinerary = await plan(client, end_at=at("21:00"), venues=visits)
    assert_consistent(itinerary)
    assert itinerary["method"] == "heuristic"
    assert len(itinerary["stops"]) + len(itinerary["unplaced"]) == 12


async def test_an_empty_plan_is_fine(client):
    itinerary = await plan(client)
    assert itinerary["stops"] == [] and itinerary["geojson"]["features"] == []
    assert itinerary["totals"] == {"travel_s": 0, "distance_m": 0, "stops": 0, "finish_at": at("09:00")}


async def test_a_cancelled_event_is_left_out_as_cancelled(client, as_organiser, fresh_programme):
    response = await client.patch(
        f"/api/events/{BAT_TRANG_GLAZING}", json={"status": "cancelled"}, headers=as_organiser
    )
    assert response.status_code == 200, response.text
    client.app.state.snapshots.invalidate()
    itinerary = await plan(client, mode="car", events=FAVOURITES)
    assert [s["id"] for s in itinerary["stops"]] == [HOA_LO_TALK, CITADEL_NIGHT]
    assert itinerary["unplaced"] == [{"id": BAT_TRANG_GLAZING, "kind": "event", "reason": "cancelled"}]


def body(**changes):
    return {"start": "cung-thieu-nhi", "start_at": at("09:00"), "events": [HOA_LO_TALK], **changes}


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        (body(events=["no-such-event"]), 404),
        (body(venues=[{"id": "no-such-venue", "dwell_min": 30}]), 404),
        (body(start="no-such-venue"), 404),
        (body(start={"lat": 100, "lon": 105}), 422),
        (body(start="21,190"), 422),
        (body(start="Cung Thiếu nhi"), 422),
        (body(start_at="2024-11-12T09:00:00"), 422),
        (body(start_at="tomorrow morning"), 422),
        (body(end_at="2024-11-12T08:00:00+07:00"), 422),
        (body(mode="hovercraft"), 422),
        (body(venues=[{"id": "van-mieu", "dwell_min": 0}]), 422),
        (body(venues=[{"id": "van-mieu", "dwell_min": 30, "priority": 1}]), 422),
        (body(events=[HOA_LO_TALK, HOA_LO_TALK]), 422),
        (body(events="ky-uc-do-thi-bao-tang"), 422),
        (body(colour="red"), 422),
        ({"start": "cung-thieu-nhi"}, 422),
    ],
)
async def test_itinerary_refusals(client, payload, status):
    response = await client.post("/api/itineraries", json=payload)
    assert response.status_code == status, response.text
    assert response.json()["detail"]


async def test_more_than_25_stops_is_refused(client):
    events = [e["id"] for e in (await client.get("/api/events")).json()][:20]
    venues = [{"id": v["id"], "dwell_min": 15} for v in (await client.get("/api/venues")).json()][:6]
    response = await client.post("/api/itineraries", json=body(events=events, venues=venues))
    assert response.status_code == 422 and "25" in response.json()["detail"]
    accepted = await client.post("/api/itineraries", json=body(events=events, venues=venues[:5]))
    assert accepted.status_code == 200, accepted.text


async def test_a_body_that_is_not_json_is_refused(client):
    response = await client.post("/api/itineraries", content=b"{not json", headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500
