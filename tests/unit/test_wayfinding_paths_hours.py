"""Cutting drawn paths at stops, and a venue's opening windows on a day."""

from datetime import date, datetime

from server.wayfinding.hours import plan_days, windows_on
from server.wayfinding.paths import cut_indexes, pieces, trail_pieces
from server.wayfinding.travel import FESTIVAL_TZ, LatLon


def p(lon: float, lat: float) -> LatLon:
    return LatLon(lat, lon)


def test_a_path_is_cut_at_the_vertex_nearest_each_stop_in_order():
    path = [p(0, 0), p(1, 0), p(2, 0), p(3, 0)]
    assert cut_indexes(path, [p(0, 0.01), p(2.1, 0), p(3, 0)]) == [0, 2, 3]
    first, second = pieces(path, [p(0, 0), p(2, 0), p(3, 0)])
    assert first == (p(0, 0), p(1, 0), p(2, 0)) and second == (p(2, 0), p(3, 0))


def test_a_path_passing_a_place_twice_is_cut_in_stop_order():
    # out along the street and back past the start: the third stop is the start's neighbour again
    path = [p(0, 0), p(1, 0), p(2, 0), p(1, 0.0001), p(0, 0.0001)]
    assert cut_indexes(path, [p(0, 0), p(2, 0), p(0, 0.0001)]) == [0, 2, 4]
    assert cut_indexes(path, [p(1, 0), p(2, 0), p(1, 0)]) == [1, 2, 3]


def test_stops_off_the_path_are_joined_to_it():
    path = [p(0, 0), p(1, 0)]
    [piece] = pieces(path, [p(0, -0.01), p(1, 0.01)])
    assert piece == (p(0, -0.01), p(0, 0), p(1, 0), p(1, 0.01))


def test_trail_pieces_go_both_ways_and_skip_trails_without_path():
    venues = {"a": p(0, 0), "b": p(1, 0), "c": p(2, 0)}
    drawn = trail_pieces([(["a", "b", "c"], [(0, 0), (0.5, 0.1), (1, 0), (2, 0)]), (["a", "c"], None)], venues)
    assert drawn[("a", "b")] == (p(0, 0), p(0.5, 0.1), p(1, 0))
    assert drawn[("b", "a")] == drawn[("a", "b")][::-1]
    assert ("a", "c") not in drawn
    assert trail_pieces([(["a", "ghost"], [(0, 0), (1, 0)])], venues) == {}


WEEK = {
    "mon": [["08:00", "17:00"]],
    "tue": [["08:00", "11:30"], ["13:30", "17:00"]],
    "wed": [["00:00", "24:00"]],
    "thu": [["00:00", "24:00"]],
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=FESTIVAL_TZ)


def test_windows_follow_the_week_and_festival_overrides():
    assert windows_on(WEEK, {}, [date(2024, 11, 11)]) == ((at("2024-11-11T08:00"), at("2024-11-11T17:00")),)
    assert len(windows_on(WEEK, {}, [date(2024, 11, 12)])) == 2
    assert windows_on(WEEK, {}, [date(2024, 11, 10)]) == (), "a weekday the week does not list is closed"
    override = {"2024-11-11": [["19:00", "22:00"]], date(2024, 11, 12): []}
    assert windows_on(WEEK, override, [date(2024, 11, 11)]) == ((at("2024-11-11T19:00"), at("2024-11-11T22:00")),)
    assert windows_on(WEEK, override, [date(2024, 11, 12)]) == (), "an empty override closes the day"


def test_24_00_is_midnight_and_touching_windows_merge():
    both = windows_on(WEEK, {}, [date(2024, 11, 13), date(2024, 11, 14)])
    assert both == ((at("2024-11-13T00:00"), at("2024-11-15T00:00")),)


def test_plan_days_span_start_to_end_at_most_three():
    start = at("2024-11-12T20:00")
    assert plan_days(start, None) == [date(2024, 11, 12)]
    assert plan_days(start, at("2024-11-13T02:00")) == [date(2024, 11, 12), date(2024, 11, 13)]
    assert len(plan_days(start, at("2024-12-31T00:00"))) == 3
