"""The travel model against the facts in tests/data/hanoi-facts.md, and its invariants."""

from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.wayfinding.travel import (
    FESTIVAL_TZ,
    MODES,
    PROFILES,
    LatLon,
    Leg,
    Mode,
    distance_m,
    estimate,
    travel_time,
)

# "Central Hanoi" of the facts: Hoàn Kiếm Lake. Destinations from tests/data/hanoi-places.tsv.
CENTRE = LatLon(21.0285, 105.8522)
BAT_TRANG = LatLon(20.983, 105.917)
VAN_PHUC = LatLon(20.9810, 105.7790)
DUONG_LAM = LatLon(21.1545, 105.4735)
MUSEUM_OF_ETHNOLOGY = LatLon(21.0406, 105.7987)
OPERA_HOUSE = LatLon(21.0244, 105.8574)
TEMPLE_OF_LITERATURE = LatLon(21.02861, 105.83556)

OFF_PEAK = datetime(2024, 11, 12, 11, 0, tzinfo=FESTIVAL_TZ)
MORNING_RUSH = datetime(2024, 11, 12, 7, 35, tzinfo=FESTIVAL_TZ)
EVENING_RUSH = datetime(2024, 11, 12, 17, 35, tzinfo=FESTIVAL_TZ)


def minutes(leg: Leg) -> float:
    return leg.duration_s / 60


@pytest.mark.parametrize(
    ("destination", "mode", "road_km", "duration_min", "fact"),
    [
        (MUSEUM_OF_ETHNOLOGY, "car", (6.4, 9.6), (20, 30), "~8 km, 20-30 min by taxi"),
        (BAT_TRANG, "car", (9.6, 15.6), (32, 48), "12-13 km, ~40 min by car"),
        (VAN_PHUC, "motorbike", (8.0, 18.0), (24, 36), "10-15 km, ~30 min by motorbike"),
        (DUONG_LAM, "car", (35.2, 60.0), (60, 80), "44-50 km, just over an hour"),
    ],
)
def test_off_peak_estimates_agree_with_the_facts(destination, mode, road_km, duration_min, fact):
    leg = estimate(CENTRE, destination, mode, OFF_PEAK)
    assert road_km[0] <= leg.distance_m / 1000 <= road_km[1], fact
    assert duration_min[0] <= minutes(leg) <= duration_min[1], fact


def test_walking_is_five_kilometres_an_hour():
    leg = estimate(OPERA_HOUSE, TEMPLE_OF_LITERATURE, "walk", OFF_PEAK)
    assert leg.distance_m / leg.duration_s * 3.6 == pytest.approx(5.0, abs=0.01)


@pytest.mark.parametrize("mode", ["car", "motorbike", "bus"])
@pytest.mark.parametrize("rush", [MORNING_RUSH, EVENING_RUSH])
def test_rush_hour_flow_is_ten_to_twelve_kilometres_an_hour_in_town(mode: Mode, rush):
    leg = estimate(OPERA_HOUSE, TEMPLE_OF_LITERATURE, mode, rush)
    moving_s = leg.duration_s - PROFILES[mode].overhead_s
    assert (
        10.0 - 0.01 <= leg.distance_m / moving_s * 3.6 <= 12.0 + 0.01
    )  # give or take rounding to whole metres and seconds


@pytest.mark.parametrize("mode", [m for m in MODES if m != "walk"])
def test_rush_hours_slow_road_modes(mode: Mode):
    calm = estimate(OPERA_HOUSE, MUSEUM_OF_ETHNOLOGY, mode, OFF_PEAK)
    assert estimate(OPERA_HOUSE, MUSEUM_OF_ETHNOLOGY, mode, MORNING_RUSH).duration_s > calm.duration_s
    assert estimate(OPERA_HOUSE, MUSEUM_OF_ETHNOLOGY, mode, EVENING_RUSH).duration_s > calm.duration_s


def test_rush_hours_do_not_slow_walking():
    calm = estimate(OPERA_HOUSE, MUSEUM_OF_ETHNOLOGY, "walk", OFF_PEAK)
    assert estimate(OPERA_HOUSE, MUSEUM_OF_ETHNOLOGY, "walk", MORNING_RUSH) == calm


def test_no_departure_time_means_off_peak():
    for mode in MODES:
        assert estimate(CENTRE, BAT_TRANG, mode) == estimate(CENTRE, BAT_TRANG, mode, OFF_PEAK)


def test_a_trip_that_runs_into_the_end_of_rush_hour_is_only_partly_slowed():
    calm = estimate(OPERA_HOUSE, MUSEUM_OF_ETHNOLOGY, "car", OFF_PEAK).duration_s
    full_rush = estimate(OPERA_HOUSE, MUSEUM_OF_ETHNOLOGY, "car", MORNING_RUSH).duration_s
    late = estimate(OPERA_HOUSE, MUSEUM_OF_ETHNOLOGY, "car", MORNING_RUSH.replace(hour=8, minute=20)).duration_s
    assert calm < late < full_rush


def test_rush_hours_are_festival_time_whatever_zone_the_departure_is_given_in():
    utc = MORNING_RUSH.astimezone(UTC)
    assert estimate(CENTRE, BAT_TRANG, "car", utc) == estimate(CENTRE, BAT_TRANG, "car", MORNING_RUSH)


def test_distance_is_geodesic_and_symmetric():
    # Hoàn Kiếm Lake to the Museum of Ethnology: about 5.7 km as the crow flies.
    assert distance_m(CENTRE, MUSEUM_OF_ETHNOLOGY) == pytest.approx(5720, abs=20)
    assert distance_m(CENTRE, MUSEUM_OF_ETHNOLOGY) == distance_m(MUSEUM_OF_ETHNOLOGY, CENTRE)


def test_staying_put_is_no_trip():
    for mode in MODES:
        assert estimate(CENTRE, CENTRE, mode, MORNING_RUSH) == Leg(distance_m=0, duration_s=0)


def test_travel_time_is_the_estimate_in_seconds():
    seconds = travel_time("bus")
    assert seconds(CENTRE, BAT_TRANG, EVENING_RUSH) == estimate(CENTRE, BAT_TRANG, "bus", EVENING_RUSH).duration_s


def test_modes_and_points_validate_on_the_wire():
    assert msgspec.json.decode(b'"motorbike"', type=Mode) == "motorbike"
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'"scooter"', type=Mode)
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"lat": 121.0, "lon": 105.8}', type=LatLon)
    with pytest.raises(ValueError):
        LatLon(21.0, 205.8)


hanoi_points = st.builds(
    LatLon, st.floats(min_value=20.75, max_value=21.2), st.floats(min_value=105.45, max_value=105.95)
)


@given(
    a=hanoi_points,
    b=hanoi_points,
    mode=st.sampled_from(MODES),
    depart_minute=st.integers(min_value=0, max_value=2 * 24 * 60),
    wait_s=st.integers(min_value=0, max_value=4 * 3600),
)
def test_leaving_later_never_arrives_earlier(a, b, mode, depart_minute, wait_s):
    first = datetime(2024, 11, 12, tzinfo=FESTIVAL_TZ) + timedelta(minutes=depart_minute)
    second = first + timedelta(seconds=wait_s)
    assert (
        first.timestamp() + estimate(a, b, mode, first).duration_s
        <= second.timestamp() + estimate(a, b, mode, second).duration_s
    )
