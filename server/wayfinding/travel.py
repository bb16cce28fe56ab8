"""The travel model: how far apart two points are and how long getting there takes, per mode.

Every default of the model lives in this module, next to the fact it comes from. The facts are in
`tests/data/hanoi-facts.md` ("Travel facts"); "central Hanoi" there is read as Hoàn Kiếm Lake.

The model, per mode:

    road_m     = geodesic_m × circuity
    duration_s = overhead_s
               + (the first town_km of road_m) at town_kmh, or at rush_kmh while the clock is in a rush hour
               + (the rest of road_m) at open_kmh

A single speed per mode cannot fit the facts: a taxi needs 20–30 min for the 8 km to the Museum of
Ethnology (≈ 20 km/h door to door) but just over an hour for the 44–50 km to Đường Lâm (≈ 45 km/h), so the
first kilometres of a trip run at the town speed and the rest at the open-road speed.

Rush hours (07:30–08:30 and 17:30–18:30 festival time, every day) slow the town part of road modes to the
congested flow; walking is not slowed. The town part is taken to come first in a trip. The speed changes
at the rush-hour boundaries *during* the trip, so leaving later never means arriving earlier (FIFO), which
the itinerary planner relies on for exactness.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Literal, get_args
from zoneinfo import ZoneInfo

import msgspec
from geopy.distance import geodesic

FESTIVAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

Mode = Literal["walk", "bicycle", "motorbike", "car", "bus"]
MODES: tuple[Mode, ...] = get_args(Mode)

# Seconds after local midnight. Vietnam has kept UTC+7 without daylight saving since 1975, so a day is
# always 86,400 s long and seconds-of-day arithmetic is safe. Fact: "27% of daily trips fall in
# 07:30-08:30 and 17:30-18:30".
RUSH_HOURS: tuple[tuple[int, int], ...] = ((7 * 3600 + 1800, 8 * 3600 + 1800), (17 * 3600 + 1800, 18 * 3600 + 1800))
_DAY_S = 86_400


class LatLon(msgspec.Struct, frozen=True):
    """A WGS 84 point in degrees."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not (-90.0 <= self.lat <= 90.0 and -180.0 <= self.lon <= 180.0):
            raise ValueError(f"({self.lat}, {self.lon}) is not a latitude/longitude in degrees")


class Leg(msgspec.Struct, frozen=True):
    """An estimated trip: the distance travelled on the network and how long it takes."""

    distance_m: int
    duration_s: int


class ModeProfile(msgspec.Struct, frozen=True):
    """The constants of one mode. `rush_kmh` is None for a mode that rush hours do not slow."""

    circuity: float
    town_kmh: float
    town_km: float
    open_kmh: float
    overhead_s: int
    rush_kmh: float | None


# Calibration against the facts (tests/unit/test_wayfinding_travel.py checks each of these):
#   taxi to the Museum of Ethnology: 5.7 km geodesic → 7.4 km road → 28 min   (fact: ~8 km, 20–30 min)
#   taxi to Bát Tràng:               8.4 km geodesic → 10.9 km road → 37 min  (fact: 12–13 km, ~40 min)
#   taxi to Đường Lâm:              41.8 km geodesic → 54 km road → 70 min    (fact: 44–50 km, just over an hour)
#   motorbike taxi to Vạn Phúc:      9.3 km geodesic → 12 km road → 28 min    (fact: 10–15 km, ~30 min)
PROFILES: dict[Mode, ModeProfile] = {
    # Fact: 5 km/h, the OSRM foot profile's speed for all ways. Circuity: an assumption for the dense
    # street grid of the old quarter. No overhead, no rush slowdown. Walking and cycling have one speed,
    # so their town part (100 km) covers any trip within the festival's reach.
    "walk": ModeProfile(circuity=1.25, town_kmh=5.0, town_km=100.0, open_kmh=5.0, overhead_s=0, rush_kmh=None),
    # The facts give no cycling speed: 12 km/h is an assumption for an unhurried ride in mixed traffic,
    # slowed to the low end of the congested flow (fact: ~10-12 km/h) in rush hours. Overhead: unlocking
    # and parking the bicycle.
    "bicycle": ModeProfile(circuity=1.25, town_kmh=12.0, town_km=100.0, open_kmh=12.0, overhead_s=60, rush_kmh=10.0),
    # Calibrated on Vạn Phúc ~30 min by motorbike for 10-15 km. Motorbikes are the traffic (fact: over
    # 72% of vehicles), so in rush hours they move at the flow's top end, 12 km/h. Overhead: hailing a
    # motorbike taxi. Open-road speed: an assumption for suburban roads.
    "motorbike": ModeProfile(circuity=1.3, town_kmh=25.0, town_km=10.0, open_kmh=50.0, overhead_s=120, rush_kmh=12.0),
    # Calibrated on the Museum of Ethnology (20-30 min by taxi for ~8 km), Bát Tràng (~40 min for
    # 12-13 km) and Đường Lâm (just over an hour for 44-50 km, mostly expressway). Cars cannot weave, so
    # in rush hours they move at the flow's low end, 10 km/h. Overhead: hailing a taxi or parking.
    "car": ModeProfile(circuity=1.3, town_kmh=18.0, town_km=10.0, open_kmh=80.0, overhead_s=180, rush_kmh=10.0),
    # Buses share the congested roads (fact: even BRT rarely reaches its 30 km/h design speed), so 15 km/h
    # in town and 10 km/h in rush hours; routes detour more than a taxi (circuity). Overhead: walking to
    # and from the stops and waiting half a typical 15-minute headway, an assumption.
    "bus": ModeProfile(circuity=1.4, town_kmh=15.0, town_km=10.0, open_kmh=40.0, overhead_s=900, rush_kmh=10.0),
}

TravelTime = Callable[[LatLon, LatLon, datetime], float]
"""Seconds to travel from one point to another when leaving at a given time: what the planner is given."""


@lru_cache(maxsize=1 << 16)
def distance_m(a: LatLon, b: LatLon) -> float:
    """Geodesic distance in metres on the WGS 84 ellipsoid (cached: the planner asks for the same pairs often)."""
    return geodesic((a.lat, a.lon), (b.lat, b.lon)).meters


def leg_for_distance(geodesic_m: float, profile: ModeProfile, depart_at: datetime | None = None) -> Leg:
    """The trip over a geodesic distance with one mode's constants; off-peak when `depart_at` is None."""
    if geodesic_m <= 0:
        return Leg(distance_m=0, duration_s=0)
    road_m = geodesic_m * profile.circuity
    town_m = min(road_m, profile.town_km * 1000)
    seconds = float(profile.overhead_s)
    if depart_at is None or profile.rush_kmh is None:
        seconds += town_m / _metres_per_second(profile.town_kmh)
    else:
        local = depart_at.astimezone(FESTIVAL_TZ)
        second_of_day = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        seconds += _town_seconds(town_m, second_of_day + seconds, profile.town_kmh, profile.rush_kmh)
    seconds += (road_m - town_m) / _metres_per_second(profile.open_kmh)
    return Leg(distance_m=round_half_up(road_m), duration_s=round_half_up(seconds))


def estimate(a: LatLon, b: LatLon, mode: Mode, depart_at: datetime | None = None) -> Leg:
    """Estimated trip from `a` to `b` by `mode`, leaving at `depart_at` (off-peak when None)."""
    return leg_for_distance(distance_m(a, b), PROFILES[mode], depart_at)


def travel_time(mode: Mode) -> TravelTime:
    """The estimate as the planner's travel-time function for one mode."""
    profile = PROFILES[mode]

    def seconds(a: LatLon, b: LatLon, depart_at: datetime) -> float:
        return leg_for_distance(distance_m(a, b), profile, depart_at).duration_s

    return seconds


def round_half_up(x: float) -> int:
    """Round to the nearest integer, halves up, as JavaScript's Math.round does (Python's round() does not)."""
    return math.floor(x + 0.5)


def _metres_per_second(kmh: float) -> float:
    return kmh / 3.6


def _town_seconds(town_m: float, second_of_day: float, town_kmh: float, rush_kmh: float) -> float:
    """Time to cover `town_m` starting at `second_of_day`, changing speed at each rush-hour boundary."""
    remaining = town_m
    elapsed = 0.0
    while True:
        clock = (second_of_day + elapsed) % _DAY_S
        in_rush, until_change = _rush_state(clock)
        speed = _metres_per_second(rush_kmh if in_rush else town_kmh)
        if speed * until_change >= remaining:
            return elapsed + remaining / speed
        remaining -= speed * until_change
        elapsed += until_change


def _rush_state(clock: float) -> tuple[bool, float]:
    """Whether `clock` (seconds of day) is in a rush hour, and the seconds until that changes."""
    for start, end in RUSH_HOURS:
        if clock < start:
            return False, start - clock
        if clock < end:
            return True, end - clock
    return False, _DAY_S - clock + RUSH_HOURS[0][0]
