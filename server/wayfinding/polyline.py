"""Google's encoded polyline format at 1e-5 degrees (about 1 m), for lines in the offline bundle.

Each point is its latitude and longitude as integers of 1e-5 degrees, each written as the difference from the
previous point's: a street path of small steps then takes two to four characters a point instead of the twenty
of GeoJSON's `[105.84647, 21.02532]`, and brotli squeezes the rest. A difference d is written as
`v = d << 1` (`~v` when d < 0) in 5-bit groups, lowest first, each plus 63 and the 0x20 bit on all but the last.
`pwa/js/lib/streets.js` decodes it; `tests/unit/test_streets.py` holds the two to each other.
"""

from __future__ import annotations

from collections.abc import Sequence

from server.wayfinding.travel import LatLon, round_half_up

PRECISION = 5
_FACTOR = 10**PRECISION


def _chunks(delta: int) -> str:
    value = ~(delta << 1) if delta < 0 else delta << 1
    out = []
    while value >= 0x20:
        out.append(chr((0x20 | (value & 0x1F)) + 63))
        value >>= 5
    out.append(chr(value + 63))
    return "".join(out)


def encode(points: Sequence[LatLon]) -> str:
    """The points as one encoded polyline (latitude first, as the format has it)."""
    out = []
    last_lat = last_lon = 0
    for point in points:
        # halves up, as the reference encoder's Math.round
        lat, lon = round_half_up(point.lat * _FACTOR), round_half_up(point.lon * _FACTOR)
        out += (_chunks(lat - last_lat), _chunks(lon - last_lon))
        last_lat, last_lon = lat, lon
    return "".join(out)


def decode(text: str) -> list[LatLon]:
    """The points of an encoded polyline, to 1e-5 degrees."""
    numbers: list[int] = []
    value = shift = 0
    for char in text:
        byte = ord(char) - 63
        value |= (byte & 0x1F) << shift
        shift += 5
        if byte < 0x20:
            numbers.append(~(value >> 1) if value & 1 else value >> 1)
            value = shift = 0
    points = []
    lat = lon = 0
    for dlat, dlon in zip(numbers[::2], numbers[1::2], strict=True):
        lat, lon = lat + dlat, lon + dlon
        points.append(LatLon(lat / _FACTOR, lon / _FACTOR))
    return points
