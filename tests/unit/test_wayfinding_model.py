"""The travel model of the bundle: its wire form, its size, and venue distances computed by its documented rule."""

import math

import msgspec
import pytest
from geopy.distance import geodesic

from server.wayfinding.model import FORMAT, WIRE, VenueDistances
from server.wayfinding.travel import MODES, LatLon, estimate

# The demo venues, plus two creative spaces to make forty.
VENUES = [
    ("cung-thieu-nhi", 21.0264, 105.8547),
    ("ngan-hang-nha-nuoc", 21.0252, 105.8545),
    ("bac-bo-phu", 21.0262, 105.8558),
    ("nha-hat-lon", 21.0244, 105.8574),
    ("bao-tang-lich-su", 21.02465, 105.85970),
    ("dai-hoc-tong-hop", 21.0218, 105.8582),
    ("quang-truong-cmt8", 21.0243, 105.8565),
    ("vuon-hoa-dien-hong", 21.0259, 105.8567),
    ("vuon-hoa-19-8", 21.0240, 105.8553),
    ("vuon-hoa-ly-thai-to", 21.0283, 105.8540),
    ("vuon-hoa-co-tan", 21.0238, 105.8590),
    ("cong-vien-tao-dan", 21.0190, 105.8460),
    ("hoang-thanh", 21.0345, 105.8403),
    ("van-mieu", 21.02861, 105.83556),
    ("bao-tang-my-thuat", 21.0306, 105.8370),
    ("hoa-lo", 21.02532, 105.84647),
    ("dinh-kim-ngan", 21.0347, 105.8531),
    ("o-quan-chuong", 21.0378, 105.8528),
    ("cau-long-bien", 21.0404, 105.8512),
    ("den-ngoc-son", 21.0307, 105.8524),
    ("bao-tang-phu-nu", 21.0237, 105.8522),
    ("bao-tang-dan-toc-hoc", 21.0406, 105.7987),
    ("hang-buom-22", 21.0367, 105.8517),
    ("nha-may-xe-lua-gia-lam", 21.0490, 105.8775),
    ("thap-nuoc-hang-dau", 21.0414, 105.8466),
    ("bat-trang", 20.983, 105.917),
    ("kieu-ky", 20.98000, 105.94861),
    ("van-phuc", 20.9810, 105.7790),
    ("lang-chuong", 20.858, 105.778),
    ("son-dong", 21.03648, 105.69562),
    ("quang-phu-cau", 20.80, 105.78),
    ("phu-vinh", 20.930, 105.680),
    ("ha-thai", 20.9012, 105.8692),
    ("nhi-khe", 20.908, 105.852),
    ("thach-xa", 21.027, 105.606),
    ("chang-son", 21.038112, 105.600836),
    ("duong-lam", 21.1545, 105.4735),
    ("xuan-la-to-he", 20.77, 105.87),
    ("xuong-sang-tao-long-bien", 21.0452, 105.8601),
    ("khong-gian-sang-tao-tay-ho", 21.0621, 105.8243),
]


POINTS = {vid: LatLon(lat, lon) for vid, lat, lon in VENUES}


def documented_lookup(wire: dict, a: tuple[float, float], b: tuple[float, float], mode: str) -> tuple[int, int]:
    """The rule of the module docstring, written as another client would: plain JSON, a geodesic library, no
    server code."""
    step = wire["venue_rounding_m"]
    g = step * math.floor(geodesic(a, b).meters / step + 0.5)
    if g == 0:
        return 0, 0
    p = wire["modes"][mode]
    road = g * p["circuity"]
    town = min(road, 1000 * p["town_km"])
    seconds = p["overhead_s"] + town / (p["town_kmh"] / 3.6) + (road - town) / (p["open_kmh"] / 3.6)
    return math.floor(road + 0.5), math.floor(seconds + 0.5)


def test_the_wire_form_is_the_same_few_hundred_bytes_whatever_the_programme():
    encoded = msgspec.json.encode(WIRE)
    assert len(encoded) < 1024
    wire = msgspec.json.decode(encoded)
    assert wire["format"] == FORMAT == 2 and set(wire["modes"]) == set(MODES) and wire["venue_rounding_m"] == 10
    assert "ids" not in wire  # nothing per venue, nothing per pair


def test_the_documented_rule_gives_the_lookups():
    wire = msgspec.json.decode(msgspec.json.encode(WIRE))
    distances = VenueDistances(POINTS)
    for from_id, lat, lon in VENUES[::3]:
        for to_id, lat2, lon2 in VENUES[1::4]:
            for mode in MODES:
                leg = distances.lookup(from_id, to_id, mode)
                assert documented_lookup(wire, (lat, lon), (lat2, lon2), mode) == (leg.distance_m, leg.duration_s)


def test_lookups_agree_with_the_off_peak_estimate():
    distances = VenueDistances(POINTS)
    for from_id, to_id in [("cung-thieu-nhi", "bat-trang"), ("van-mieu", "hoa-lo"), ("duong-lam", "kieu-ky")]:
        for mode in MODES:
            leg = distances.lookup(from_id, to_id, mode)
            expected = estimate(POINTS[from_id], POINTS[to_id], mode)
            # venue distances are kept to ten metres: at most 5 m off before circuity
            assert abs(leg.distance_m - expected.distance_m) <= 8
            assert abs(leg.duration_s - expected.duration_s) <= 6


def test_distances_are_symmetric_and_zero_for_the_same_venue():
    distances = VenueDistances(POINTS)
    assert distances.lookup("hoa-lo", "hoa-lo", "car").duration_s == 0
    assert distances.lookup("hoa-lo", "van-phuc", "bus") == distances.lookup("van-phuc", "hoa-lo", "bus")
    assert distances.geodesic_m("hoa-lo", "van-phuc") == distances.geodesic_m("van-phuc", "hoa-lo") > 0
    assert distances.geodesic_m("hoa-lo", "van-phuc") % 10 == 0


def test_unknown_venue_is_a_key_error():
    with pytest.raises(KeyError):
        VenueDistances(POINTS).lookup("hoa-lo", "nowhere", "walk")
