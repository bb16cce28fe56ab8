"""What a phone's favourite mutations leave on the server once every one is applied in order."""

from __future__ import annotations


def favourites_after(mutations: list[dict]) -> set[str]:
    """The events starred once `mutations` (favourite.set and favourite.unset, as sent) are applied in order."""
    starred: set[str] = set()
    for m in mutations:
        (starred.add if m["name"] == "favourite.set" else starred.discard)(m["args"]["event_id"])
    return starred
