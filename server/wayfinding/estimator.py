"""The estimate of travel over one programme version, which answers whenever the routing engine does not.

Between two venues it uses the geodesic distance of the bundle's travel matrix, so the server and an
offline phone agree to the second; between two venues that are consecutive stops of a trail with a drawn
path it uses that path's length (no circuity: the path is the way); from or to a free point, the distance
as the crow flies. Rush hours apply through `travel.leg_for_distance`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from server.programme.snapshot import Snapshot
from server.wayfinding.matrix import TravelMatrix, build_matrix, cache_key
from server.wayfinding.paths import Path
from server.wayfinding.places import Place
from server.wayfinding.travel import PROFILES, Leg, Mode, distance_m, leg_for_distance


class MatrixCache:
    """The travel matrix of the current programme version. A new version with the same venue ids and
    positions (an edited event, a renamed venue) keeps the matrix; it is rebuilt only when `cache_key`
    of the venues changes."""

    def __init__(self) -> None:
        self._version: int | None = None
        self._matrix: TravelMatrix | None = None
        self.builds = 0

    def get(self, snapshot: Snapshot) -> TravelMatrix:
        if self._matrix is not None and self._version == snapshot.version:
            return self._matrix
        venues = [(v.id, v.lat, v.lon) for v in snapshot.venues.values()]
        if self._matrix is None or self._matrix.key != cache_key(venues):
            self._matrix = TravelMatrix(build_matrix(venues))
            self.builds += 1
        self._version = snapshot.version
        return self._matrix


@dataclass(frozen=True)
class Estimator:
    """The estimate over one programme version: the matrix for venue pairs, trail paths where drawn."""

    matrix: TravelMatrix
    #: (from venue, to venue) → the drawn piece of a trail between them and its length in metres
    trail_pieces: dict[tuple[str, str], tuple[Path, float]]

    def piece(self, a: Place, b: Place) -> Path | None:
        if a.venue_id is None or b.venue_id is None:
            return None
        found = self.trail_pieces.get((a.venue_id, b.venue_id))
        return found[0] if found else None

    def leg(self, a: Place, b: Place, mode: Mode, depart_at: datetime | None) -> Leg:
        """The estimated trip from `a` to `b`, leaving at `depart_at` (off-peak when None)."""
        profile = PROFILES[mode]
        if a.venue_id is not None and b.venue_id is not None:
            found = self.trail_pieces.get((a.venue_id, b.venue_id))
            if found is not None:
                # the drawn path is the way: its length is the road distance
                return leg_for_distance(found[1] / profile.circuity, profile, depart_at)
            try:
                return leg_for_distance(self.matrix.geodesic_m(a.venue_id, b.venue_id), profile, depart_at)
            except KeyError:
                pass
        return leg_for_distance(distance_m(a.point, b.point), profile, depart_at)
