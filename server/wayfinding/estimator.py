"""The estimate of travel over one programme version, which answers whenever the routing engine does not.

Between two venues it uses their geodesic distance rounded as `model.py` says, so the server and an offline
phone agree to the second; between two venues that are consecutive stops of a trail with a drawn
path it uses that path's length (no circuity: the path is the way); from or to a free point, the distance
as the crow flies. Rush hours apply through `travel.leg_for_distance`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from server.wayfinding.model import VenueDistances
from server.wayfinding.paths import Path
from server.wayfinding.places import Place
from server.wayfinding.travel import PROFILES, Leg, Mode, distance_m, leg_for_distance


@dataclass(frozen=True)
class Estimator:
    """The estimate over one programme version: venue distances, trail paths where drawn."""

    distances: VenueDistances
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
                return leg_for_distance(self.distances.geodesic_m(a.venue_id, b.venue_id), profile, depart_at)
            except KeyError:
                pass
        return leg_for_distance(distance_m(a.point, b.point), profile, depart_at)
