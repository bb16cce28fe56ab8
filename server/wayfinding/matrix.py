"""The venue × venue travel matrix shipped in the offline bundle, and lookups in it.

Durations follow from distances and the mode constants of `travel`, so the wire form carries the
distances once and the constants per mode, never a duration: a 40-venue matrix is about 2 KB brotli.

Wire form (JSON object, format 1):

    {
      "format": 1,
      "key": "3f2a9c0d1e4b5a67",                # cache_key() of the inputs
      "ids": ["bat-trang", "cung-thieu-nhi", ...],  # venue ids, sorted; n of them
      "geodesic_dam": [843, 12, ...],           # n(n-1)/2 ints: geodesic distance in tens of metres
      "modes": {"walk": {"circuity": 1.25, "town_kmh": 5.0, "town_km": 100.0, "open_kmh": 5.0,
                         "overhead_s": 0, "rush_kmh": null}, ...},
      "rush_hours": [[27000, 30600], [63000, 66600]],  # seconds after local midnight, every day
      "tz": "Asia/Ho_Chi_Minh"
    }

Decoding, for venues i and j (indexes into `ids`):
  - i == j: distance 0, duration 0.
  - otherwise with a = min(i, j), b = max(i, j), the pair's entry is
    `geodesic_dam[a * (2n - a - 1) / 2 + (b - a - 1)]` (the upper triangle, row by row); the matrix is
    symmetric.
  - with g = 10 × entry metres and the mode's constants p:
        road_m     = g × p.circuity
        town_m     = min(road_m, 1000 × p.town_km)
        duration_s = p.overhead_s + town_m / (p.town_kmh / 3.6) + (road_m − town_m) / (p.open_kmh / 3.6)
    both rounded half up (`Math.round`); g == 0 means no trip (0, 0). That is the off-peak time; a
    client that knows the departure time may slow the town part to `rush_kmh` inside `rush_hours`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import msgspec

from server.wayfinding.travel import (
    FESTIVAL_TZ,
    MODES,
    PROFILES,
    RUSH_HOURS,
    LatLon,
    Leg,
    Mode,
    ModeProfile,
    distance_m,
    leg_for_distance,
    round_half_up,
)

FORMAT = 1

Venue = tuple[str, float, float]
"""(venue id, latitude, longitude)."""


class MatrixWire(msgspec.Struct, frozen=True):
    """The matrix as it travels in the bundle; see the module docstring for the format."""

    format: int
    key: str
    ids: tuple[str, ...]
    geodesic_dam: tuple[int, ...]
    modes: dict[Mode, ModeProfile]
    rush_hours: tuple[tuple[int, int], ...]
    tz: str


def cache_key(venues: Iterable[Venue]) -> str:
    """A hash of everything the matrix depends on: venue ids and positions (to the 6th decimal, about
    0.1 m) and the model's constants. Order of the venues does not matter."""
    canonical = sorted((vid, round(lat, 6), round(lon, 6)) for vid, lat, lon in venues)
    payload = msgspec.json.encode([FORMAT, canonical, PROFILES, RUSH_HOURS])
    return hashlib.sha256(payload).hexdigest()[:16]


def build_matrix(venues: Iterable[Venue]) -> MatrixWire:
    """The matrix for these venues, ids sorted so that equal inputs give equal bytes."""
    ordered = sorted(venues)
    ids = tuple(vid for vid, _, _ in ordered)
    if len(set(ids)) != len(ids):
        raise ValueError("venue ids must be unique")
    points = [LatLon(lat, lon) for _, lat, lon in ordered]
    dam = tuple(
        round_half_up(distance_m(points[i], points[j]) / 10)
        for i in range(len(points))
        for j in range(i + 1, len(points))
    )
    return MatrixWire(
        format=FORMAT,
        key=cache_key(ordered),
        ids=ids,
        geodesic_dam=dam,
        modes={mode: PROFILES[mode] for mode in MODES},
        rush_hours=RUSH_HOURS,
        tz=FESTIVAL_TZ.key,
    )


def encode_matrix(wire: MatrixWire) -> bytes:
    """The JSON bytes of the wire form."""
    return msgspec.json.encode(wire)


class TravelMatrix:
    """A decoded matrix answering off-peak lookups between venues."""

    def __init__(self, wire: MatrixWire) -> None:
        if wire.format != FORMAT:
            raise ValueError(f"unknown travel matrix format {wire.format}")
        n = len(wire.ids)
        if len(wire.geodesic_dam) != n * (n - 1) // 2:
            raise ValueError("geodesic_dam does not hold one entry per venue pair")
        self.wire = wire
        self._index = {vid: i for i, vid in enumerate(wire.ids)}

    @classmethod
    def decode(cls, data: bytes) -> TravelMatrix:
        """Decode and check the JSON wire form."""
        return cls(msgspec.json.decode(data, type=MatrixWire))

    @property
    def key(self) -> str:
        return self.wire.key

    def geodesic_m(self, from_id: str, to_id: str) -> int:
        """Geodesic distance between two venues, to ten metres; KeyError for an unknown id."""
        i, j = self._index[from_id], self._index[to_id]
        if i == j:
            return 0
        a, b = min(i, j), max(i, j)
        n = len(self.wire.ids)
        return 10 * self.wire.geodesic_dam[a * (2 * n - a - 1) // 2 + (b - a - 1)]

    def lookup(self, from_id: str, to_id: str, mode: Mode) -> Leg:
        """Off-peak road distance and duration between two venues by `mode`."""
        return leg_for_distance(self.geodesic_m(from_id, to_id), self.wire.modes[mode])
