"""The venue travel matrix: its wire form, its size, its cache key and its lookups."""

import math
import random

import brotli
import msgspec
import pytest

from server.wayfinding.matrix import FORMAT, MatrixWire, TravelMatrix, build_matrix, cache_key, encode_matrix
from server.wayfinding.travel import MODES, LatLon, estimate

# The demo venues of shared/reference/hanoi-places.tsv, plus two creative spaces to make forty.
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


def documented_lookup(wire: dict, from_id: str, to_id: str, mode: str) -> tuple[int, int]:
    """The decoding rule of the module docstring, written as a JavaScript client would: plain JSON, no
    server code."""
    ids = wire["ids"]
    n = len(ids)
    i, j = ids.index(from_id), ids.index(to_id)
    if i == j:
        return 0, 0
    a, b = min(i, j), max(i, j)
    g = 10 * wire["geodesic_dam"][a * (2 * n - a - 1) // 2 + (b - a - 1)]
    if g == 0:
        return 0, 0
    p = wire["modes"][mode]
    road = g * p["circuity"]
    town = min(road, 1000 * p["town_km"])
    seconds = p["overhead_s"] + town / (p["town_kmh"] / 3.6) + (road - town) / (p["open_kmh"] / 3.6)
    return math.floor(road + 0.5), math.floor(seconds + 0.5)


def test_forty_venues_fit_in_fifteen_kilobytes_of_brotli():
    assert len(VENUES) == 40
    encoded = encode_matrix(build_matrix(VENUES))
    assert len(brotli.compress(encoded, quality=11)) <= 15_000


def test_the_documented_rule_decodes_the_wire_form():
    wire = msgspec.json.decode(encode_matrix(build_matrix(VENUES)))
    assert wire["format"] == FORMAT
    assert len(wire["geodesic_dam"]) == 40 * 39 // 2
    matrix = TravelMatrix.decode(encode_matrix(build_matrix(VENUES)))
    for from_id, *_ in VENUES[::3]:
        for to_id, *_ in VENUES[1::4]:
            for mode in MODES:
                leg = matrix.lookup(from_id, to_id, mode)
                assert documented_lookup(wire, from_id, to_id, mode) == (leg.distance_m, leg.duration_s)


def test_lookups_agree_with_the_off_peak_estimate():
    matrix = TravelMatrix(build_matrix(VENUES))
    where = {vid: LatLon(lat, lon) for vid, lat, lon in VENUES}
    for from_id, to_id in [("cung-thieu-nhi", "bat-trang"), ("van-mieu", "hoa-lo"), ("duong-lam", "kieu-ky")]:
        for mode in MODES:
            leg = matrix.lookup(from_id, to_id, mode)
            expected = estimate(where[from_id], where[to_id], mode)
            # The wire keeps distances to ten metres: at most 5 m off before circuity.
            assert abs(leg.distance_m - expected.distance_m) <= 8
            assert abs(leg.duration_s - expected.duration_s) <= 6


def test_the_matrix_is_symmetric_and_zero_on_the_diagonal():
    matrix = TravelMatrix(build_matrix(VENUES))
    assert matrix.lookup("hoa-lo", "hoa-lo", "car").duration_s == 0
    assert matrix.lookup("hoa-lo", "van-phuc", "bus") == matrix.lookup("van-phuc", "hoa-lo", "bus")
    assert matrix.geodesic_m("hoa-lo", "van-phuc") == matrix.geodesic_m("van-phuc", "hoa-lo") > 0


def test_unknown_venue_is_a_key_error():
    with pytest.raises(KeyError):
        TravelMatrix(build_matrix(VENUES)).lookup("hoa-lo", "nowhere", "walk")


def test_venue_ids_must_be_unique():
    with pytest.raises(ValueError):
        build_matrix([("a", 21.0, 105.8), ("a", 21.1, 105.8)])


def test_a_truncated_wire_form_is_refused():
    wire = build_matrix(VENUES[:5])
    with pytest.raises(ValueError):
        TravelMatrix(msgspec.structs.replace(wire, geodesic_dam=wire.geodesic_dam[:-1]))
    with pytest.raises(ValueError):
        TravelMatrix(msgspec.structs.replace(wire, format=FORMAT + 1))
    with pytest.raises(msgspec.ValidationError):
        TravelMatrix.decode(b'{"format": 1, "ids": []}')


def test_the_same_venues_in_any_order_give_the_same_bytes_and_key():
    shuffled = VENUES[:]
    random.Random(7).shuffle(shuffled)
    assert encode_matrix(build_matrix(shuffled)) == encode_matrix(build_matrix(VENUES))
    assert cache_key(shuffled) == cache_key(VENUES) == build_matrix(VENUES).key


def test_the_key_changes_when_a_venue_moves_or_joins():
    moved = [(vid, lat + 0.00002, lon) if vid == "hoa-lo" else (vid, lat, lon) for vid, lat, lon in VENUES]
    assert cache_key(moved) != cache_key(VENUES)
    assert cache_key(VENUES + [("new-space", 21.05, 105.83)]) != cache_key(VENUES)


def test_an_empty_programme_has_an_empty_matrix():
    matrix = TravelMatrix.decode(encode_matrix(build_matrix([])))
    assert matrix.wire.ids == () and matrix.wire.geodesic_dam == ()
    assert isinstance(matrix.wire, MatrixWire)
