"""The travel model as it travels in the offline bundle, and the distance between two venues as both sides
compute it.

The bundle carries the model's constants once, never a figure per venue pair, so it grows with the venues and
not with their square: a phone computes a trip between venues from their coordinates (which the bundle holds
anyway) exactly as the server does here.

Wire form (JSON object, format 2):

    {
      "format": 2,
      "modes": {"walk": {"circuity": 1.25, "town_kmh": 5.0, "town_km": 100.0, "open_kmh": 5.0,
                         "overhead_s": 0, "rush_kmh": null}, ...},
      "rush_hours": [[27000, 30600], [63000, 66600]],  # seconds after local midnight, every day
      "tz": "Asia/Ho_Chi_Minh",
      "venue_rounding_m": 10
    }

Between venues a and b:
  - g = the geodesic distance on WGS 84 between their (lat, lon), rounded half up to `venue_rounding_m` metres
    (geopy's Karney algorithm here, Vincenty's formula on the phone: they differ by micrometres at festival
    distances, far from any rounding boundary); the same venue is 0;
  - with the mode's constants p:
        road_m     = g × p.circuity
        town_m     = min(road_m, 1000 × p.town_km)
        duration_s = p.overhead_s + town_m / (p.town_kmh / 3.6) + (road_m − town_m) / (p.open_kmh / 3.6)
    both rounded half up; g == 0 means no trip (0, 0). That is the off-peak time; a client that knows the
    departure time slows the town part to `rush_kmh` inside `rush_hours`.
"""

from __future__ import annotations

from collections.abc import Mapping

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

FORMAT = 2
VENUE_ROUNDING_M = 10


class TravelModelWire(msgspec.Struct, frozen=True):
    """The model as it travels in the bundle; see the module docstring for the format."""

    format: int
    modes: dict[Mode, ModeProfile]
    rush_hours: tuple[tuple[int, int], ...]
    tz: str
    venue_rounding_m: int


WIRE = TravelModelWire(
    format=FORMAT,
    modes={mode: PROFILES[mode] for mode in MODES},
    rush_hours=RUSH_HOURS,
    tz=FESTIVAL_TZ.key,
    venue_rounding_m=VENUE_ROUNDING_M,
)


class VenueDistances:
    """Distances between the venues of one programme version, computed when first asked and kept."""

    def __init__(self, venues: Mapping[str, LatLon]) -> None:
        self._venues = venues
        self._known: dict[tuple[str, str], int] = {}

    def has(self, venue_id: str) -> bool:
        return venue_id in self._venues

    def geodesic_m(self, from_id: str, to_id: str) -> int:
        """Geodesic distance between two venues, to `VENUE_ROUNDING_M`; KeyError for an unknown id."""
        a, b = self._venues[from_id], self._venues[to_id]
        if from_id == to_id:
            return 0
        key = (from_id, to_id) if from_id < to_id else (to_id, from_id)
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = VENUE_ROUNDING_M * round_half_up(distance_m(a, b) / VENUE_ROUNDING_M)
        return found

    def lookup(self, from_id: str, to_id: str, mode: Mode) -> Leg:
        """Off-peak road distance and duration between two venues by `mode`."""
        return leg_for_distance(self.geodesic_m(from_id, to_id), PROFILES[mode])
