"""The city-sized festival generator: deterministic, loadable, and real-looking where it matters."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from server.programme.fixtures import parse_file
from server.programme.generate import encode, generate

SIZES = [(950, 1400), (1900, 2800)]


@pytest.fixture(scope="module", params=SIZES, ids=lambda size: f"{size[0]}-venues")
def festival_file(request, tmp_path_factory) -> tuple[tuple[int, int], Path]:
    venues, events = request.param
    path = tmp_path_factory.mktemp("city") / "festival.json"
    path.write_bytes(encode(generate(venues, events, seed=7)))
    return request.param, path


def test_the_same_seed_gives_the_same_bytes_and_another_seed_others():
    assert encode(generate(120, 200, seed=1)) == encode(generate(120, 200, seed=1))
    assert encode(generate(120, 200, seed=1)) != encode(generate(120, 200, seed=2))


def test_the_loader_accepts_it_with_the_counts_asked(festival_file):
    (venues, events), path = festival_file
    festival, venue_list, event_list, trails = parse_file(path)
    assert (len(venue_list), len(event_list)) == (venues, events) and len(trails) >= venues // 40
    assert len({v.id for v in venue_list}) == venues and len({e.id for e in event_list}) == events
    assert "synthetic" in festival.sample_data_note.en.lower()
    assert all(v.sample for v in venue_list) and all(e.sample for e in event_list)


def test_venues_are_in_hanoi_and_its_villages_with_real_names(festival_file):
    _, path = festival_file
    _, venues, _, _ = parse_file(path)
    assert all(20.6 < v.lat < 21.3 and 105.4 < v.lon < 106.1 for v in venues)
    assert {v.kind for v in venues} == {"heritage", "craft_village", "creative_space", "garden"}
    central = sum(1 for v in venues if v.district == "Hoàn Kiếm")
    assert central > len(venues) // 6  # crowded around the lake, as a real festival is
    assert sum(1 for v in venues if any(c in v.name.vi for c in "ăâđêôơưàáảãạếềểễệốồổỗộớờởỡợứừửữự")) > len(venues) * 0.9
    assert any("Bát Tràng" in v.name.vi for v in venues)


def test_every_event_is_on_a_festival_day_inside_its_venues_hours(festival_file):
    _, path = festival_file
    festival, venues, events, _ = parse_file(path)
    by_id = {v.id: v for v in venues}
    days = set()
    for event in events:
        starts, ends = event.starts_at, event.ends_at
        assert (
            festival.starts_on <= starts.date() <= festival.ends_on and starts.date() == ends.date() and starts < ends
        )
        weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[starts.weekday()]
        ((opens, closes),) = by_id[event.venue_id].opening_hours[weekday]
        assert str(opens) <= starts.strftime("%H:%M") and ends.strftime("%H:%M") <= str(closes), event.id
        days.add(starts.date())
    assert len(days) == 9 and min(days) == date(2024, 11, 9)
    assert isinstance(events[0].starts_at, datetime) and events[0].starts_at.utcoffset().total_seconds() == 7 * 3600
