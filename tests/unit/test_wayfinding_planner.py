"""The day planner: exact against a brute-force oracle, always feasible, and its reasons for leaving
stops out."""

import math
import time
from datetime import datetime, timedelta

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.wayfinding.plan_types import (
    EventStop,
    InvalidItinerary,
    Itinerary,
    ItineraryRequest,
    TooManyStops,
    VenueStop,
)
from server.wayfinding.planner import EXACT_MAX_STOPS, MAX_STOPS, plan_itinerary
from server.wayfinding.travel import FESTIVAL_TZ, MODES, LatLon, TravelTime, distance_m, round_half_up, travel_time

DAY = datetime(2024, 11, 12, tzinfo=FESTIVAL_TZ)

# From tests/data/hanoi-places.tsv: the Hoàn Kiếm core, a few response spaces and three villages.
PLACES = [
    LatLon(21.0264, 105.8547),  # Children's Palace
    LatLon(21.0262, 105.8558),  # Government Guest House
    LatLon(21.0244, 105.8574),  # Opera House
    LatLon(21.02465, 105.8597),  # National Museum of Vietnamese History
    LatLon(21.0218, 105.8582),  # former Indochina University
    LatLon(21.0345, 105.8403),  # Imperial Citadel
    LatLon(21.02861, 105.83556),  # Temple of Literature
    LatLon(21.02532, 105.84647),  # Hỏa Lò
    LatLon(21.0367, 105.8517),  # 22 Hàng Buồm
    LatLon(21.0406, 105.7987),  # Museum of Ethnology
    LatLon(21.0490, 105.8775),  # Gia Lâm Train Factory
    LatLon(20.983, 105.917),  # Bát Tràng
    LatLon(20.9810, 105.7790),  # Vạn Phúc
    LatLon(21.1545, 105.4735),  # Đường Lâm
]
OPERA_HOUSE, HISTORY_MUSEUM, BAT_TRANG, DUONG_LAM = PLACES[2], PLACES[3], PLACES[11], PLACES[13]


def at(hour: int, minute: int = 0) -> datetime:
    return DAY + timedelta(hours=hour, minutes=minute)


# -- an independent checker and a brute-force oracle ---------------------------------------------------


def assert_feasible(request: ItineraryRequest, plan: Itinerary, travel: TravelTime) -> None:
    """Every promise of the plan holds, recomputed from the request alone."""
    by_id = {stop.id: stop for stop in request.stops}
    placed = [stop.id for stop in plan.stops]
    left_out = [u.id for u in plan.unplaced]
    assert len(set(placed)) == len(placed)
    assert sorted(placed + left_out) == sorted(by_id)
    assert len(plan.legs) == len(plan.stops)
    clock, here, here_id, total = request.start_at, request.start, None, 0
    for planned, leg in zip(plan.stops, plan.legs, strict=True):
        stop = by_id[planned.id]
        duration = round_half_up(travel(here, stop.location, clock))
        assert (leg.from_id, leg.to_id, leg.origin, leg.destination) == (here_id, stop.id, here, stop.location)
        assert leg.depart_at == clock and leg.duration_s == duration
        assert leg.arrive_at == planned.arrive_at == clock + timedelta(seconds=duration)
        if isinstance(stop, EventStop):
            assert planned.kind == "event"
            assert planned.arrive_at <= stop.starts_at == planned.starts_at
            assert planned.leave_at == stop.ends_at
        else:
            assert planned.kind == "venue"
            assert any(
                planned.starts_at == max(planned.arrive_at, open_) and planned.leave_at <= close
                for open_, close in stop.windows
            )
            assert planned.leave_at == planned.starts_at + timedelta(minutes=stop.dwell_min)
        if request.end_at is not None:
            assert planned.leave_at <= request.end_at
        clock, here, here_id, total = planned.leave_at, stop.location, stop.id, total + duration
    assert plan.travel_s == total
    assert plan.finish_at == clock


def oracle(request: ItineraryRequest, travel: TravelTime) -> tuple[int, int, datetime]:
    """The best (stops, travel, finish) over every order of every subset and every window choice."""
    end = request.end_at
    best = (0, 0, request.start_at)

    def better(a, b) -> bool:
        return (-a[0], a[1], a[2]) < (-b[0], b[1], b[2])

    def explore(here: LatLon, clock: datetime, done: frozenset, spent: int) -> None:
        nonlocal best
        if better((len(done), spent, clock), best):
            best = (len(done), spent, clock)
        for stop in request.stops:
            if stop.id in done:
                continue
            duration = round_half_up(travel(here, stop.location, clock))
            arrive = clock + timedelta(seconds=duration)
            if isinstance(stop, EventStop):
                if arrive <= stop.starts_at and (end is None or stop.ends_at <= end):
                    explore(stop.location, stop.ends_at, done | {stop.id}, spent + duration)
                continue
            for open_, close in stop.windows:
                leave = max(arrive, open_) + timedelta(minutes=stop.dwell_min)
                if leave <= close and (end is None or leave <= end):
                    explore(stop.location, leave, done | {stop.id}, spent + duration)

    explore(request.start, request.start_at, frozenset(), 0)
    return best


def objective(plan: Itinerary) -> tuple[int, int, datetime]:
    return len(plan.stops), plan.travel_s, plan.finish_at


# -- random realistic requests ---------------------------------------------------------------------


@st.composite
def stops(draw, index: int, day_starts: datetime):
    location = draw(st.sampled_from(PLACES[:11]) if draw(st.integers(0, 9)) else st.sampled_from(PLACES))
    if draw(st.booleans()):
        starts = day_starts + timedelta(minutes=5 * draw(st.integers(0, 100)))
        return EventStop(f"e{index}", location, starts, starts + timedelta(minutes=15 * draw(st.integers(1, 8))))
    opens = day_starts + timedelta(minutes=15 * draw(st.integers(-8, 24)))
    closes = opens + timedelta(minutes=15 * draw(st.integers(2, 40)))
    windows = [(opens, closes)]
    if draw(st.booleans()):
        reopens = closes + timedelta(minutes=15 * draw(st.integers(1, 12)))
        windows.append((reopens, reopens + timedelta(minutes=15 * draw(st.integers(2, 24)))))
    return VenueStop(f"v{index}", location, tuple(windows), 5 * draw(st.integers(2, 24)))


@st.composite
def requests(draw, max_stops: int):
    count = draw(st.integers(0, max_stops))
    # Start times reach into both rush hours, so that travel depends on the time of day.
    start_at = at(6, 30) + timedelta(minutes=5 * draw(st.integers(0, 130)))
    end_at = draw(st.none() | st.integers(48, 168).map(lambda n: start_at + timedelta(minutes=5 * n)))
    return ItineraryRequest(
        start=draw(st.sampled_from(PLACES[:11])),
        start_at=start_at,
        stops=tuple(draw(stops(i, start_at)) for i in range(count)),
        end_at=end_at,
    )


def shuttle(headway_s: int) -> TravelTime:
    """A travel time that leans hard on the clock: a shuttle leaving every `headway_s`, the wait counted as
    travel. It is FIFO, like every travel time the planner is promised, but leaving earlier can cost far
    more travel, which is what the exact planner's dominance rule must survive."""

    def seconds(a: LatLon, b: LatLon, depart_at: datetime) -> float:
        return 0 if a == b else (-depart_at.timestamp()) % headway_s + distance_m(a, b) / 8

    return seconds


travel_times = st.sampled_from(MODES).map(travel_time) | st.sampled_from([600, 1800, 5400]).map(shuttle)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=requests(max_stops=6), travel=travel_times)
def test_the_exact_planner_matches_brute_force(request, travel):
    plan = plan_itinerary(request, travel)
    assert plan.method == "exact"
    assert_feasible(request, plan, travel)
    assert objective(plan) == oracle(request, travel)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=requests(max_stops=6), travel=travel_times)
def test_the_heuristic_is_feasible_and_never_beats_the_optimum(request, travel):
    plan = plan_itinerary(request, travel, method="heuristic")
    assert plan.method == "heuristic"
    assert_feasible(request, plan, travel)
    best = oracle(request, travel)
    assert (-len(plan.stops), plan.travel_s) >= (-best[0], best[1])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(request=requests(max_stops=MAX_STOPS), travel=travel_times)
def test_every_plan_up_to_the_largest_is_feasible(request, travel):
    assert_feasible(request, plan_itinerary(request, travel), travel)


# -- reasons for leaving a stop out ----------------------------------------------------------------


def reasons(plan: Itinerary) -> dict[str, str]:
    return {u.id: u.reason for u in plan.unplaced}


def test_an_event_that_clashes_with_a_chosen_event_overlaps():
    request = ItineraryRequest(
        start=OPERA_HOUSE,
        start_at=at(9),
        stops=(
            EventStop("talk", HISTORY_MUSEUM, at(10), at(11)),
            EventStop("fashion-show", HISTORY_MUSEUM, at(10, 30), at(11, 30)),
        ),
    )
    plan = plan_itinerary(request, travel_time("walk"))
    assert [s.id for s in plan.stops] == ["talk"]  # as many stops either way; the earlier finish wins
    assert reasons(plan) == {"fashion-show": "overlaps_event"}


@pytest.mark.parametrize(
    ("windows", "end_at"),
    [
        (((at(7), at(8, 30)),), None),  # closed before the day starts
        (((at(9), at(9, 30)),), None),  # open too briefly for the dwell
        (((at(19), at(22)),), at(19, 30)),  # opens too late for the end of the day
        ((), None),  # closed all day
    ],
)
def test_a_venue_without_a_window_that_holds_the_dwell_is_closed(windows, end_at):
    request = ItineraryRequest(
        start=OPERA_HOUSE,
        start_at=at(9),
        end_at=end_at,
        stops=(VenueStop("museum", HISTORY_MUSEUM, windows, 45),),
    )
    assert reasons(plan_itinerary(request, travel_time("walk"))) == {"museum": "closed"}


def test_an_event_too_far_to_reach_by_its_start_is_unreachable():
    request = ItineraryRequest(
        start=OPERA_HOUSE,
        start_at=at(9),
        stops=(EventStop("village-workshop", DUONG_LAM, at(9, 30), at(11)),),
    )
    assert reasons(plan_itinerary(request, travel_time("car"))) == {"village-workshop": "unreachable"}


def test_a_venue_that_cannot_be_done_before_the_end_once_travel_counts_is_unreachable():
    request = ItineraryRequest(
        start=OPERA_HOUSE,
        start_at=at(9),
        end_at=at(10),
        stops=(VenueStop("pottery-museum", BAT_TRANG, ((at(8), at(18)),), 30),),
    )
    assert reasons(plan_itinerary(request, travel_time("car"))) == {"pottery-museum": "unreachable"}


def test_a_stop_crowded_out_by_a_chosen_one_is_unreachable():
    # Each fits alone, and they do not overlap, but Bát Tràng is more than ten minutes from the museum.
    request = ItineraryRequest(
        start=OPERA_HOUSE,
        start_at=at(9),
        stops=(
            EventStop("morning-talk", HISTORY_MUSEUM, at(9, 30), at(12)),
            EventStop("village-lunch", BAT_TRANG, at(12, 10), at(14)),
        ),
    )
    plan = plan_itinerary(request, travel_time("motorbike"))
    assert [s.id for s in plan.stops] == ["morning-talk"]
    assert reasons(plan) == {"village-lunch": "unreachable"}


def test_an_event_that_started_before_the_day_did_is_unreachable():
    request = ItineraryRequest(
        start=OPERA_HOUSE, start_at=at(10), stops=(EventStop("early", OPERA_HOUSE, at(9, 30), at(11)),)
    )
    assert reasons(plan_itinerary(request, travel_time("walk"))) == {"early": "unreachable"}


def test_no_way_at_all_is_unreachable():
    request = ItineraryRequest(
        start=OPERA_HOUSE, start_at=at(9), stops=(VenueStop("island", HISTORY_MUSEUM, ((at(9), at(17)),), 30),)
    )
    plan = plan_itinerary(request, lambda a, b, depart_at: math.inf)
    assert reasons(plan) == {"island": "unreachable"}


# -- choices the planner makes ---------------------------------------------------------------------


def test_waiting_for_a_venue_to_open_is_allowed():
    request = ItineraryRequest(
        start=OPERA_HOUSE,
        start_at=at(7),
        stops=(VenueStop("museum", HISTORY_MUSEUM, ((at(8), at(17)),), 60),),
    )
    plan = plan_itinerary(request, travel_time("walk"))
    (stop,) = plan.stops
    assert stop.arrive_at < stop.starts_at == at(8) and stop.leave_at == at(9)


def test_more_stops_beat_less_travel():
    # Going to the far village first costs travel but is the only way to fit both.
    request = ItineraryRequest(
        start=OPERA_HOUSE,
        start_at=at(9),
        stops=(
            VenueStop("pottery", BAT_TRANG, ((at(9), at(11)),), 60),
            VenueStop("museum", HISTORY_MUSEUM, ((at(9), at(17)),), 60),
        ),
    )
    plan = plan_itinerary(request, travel_time("car"))
    assert [s.id for s in plan.stops] == ["pottery", "museum"]


def test_the_plan_is_deterministic():
    request = ItineraryRequest(
        start=OPERA_HOUSE,
        start_at=at(9),
        stops=tuple(VenueStop(f"v{i}", place, ((at(9), at(18)),), 30) for i, place in enumerate(PLACES[:6])),
    )
    first = plan_itinerary(request, travel_time("walk"))
    assert all(plan_itinerary(request, travel_time("walk")) == first for _ in range(3))


def test_the_heuristic_answers_beyond_the_exact_limit_and_fast():
    venues = tuple(
        VenueStop(f"v{i}", PLACES[i % 11], ((at(8), at(12)), (at(13), at(21))), 20 + 5 * (i % 4)) for i in range(15)
    )
    events = tuple(EventStop(f"e{i}", PLACES[(3 * i) % 11], at(10 + i), at(10 + i, 45)) for i in range(MAX_STOPS - 15))
    request = ItineraryRequest(start=OPERA_HOUSE, start_at=at(8), stops=venues + events, end_at=at(22))
    began = time.perf_counter()
    plan = plan_itinerary(request, travel_time("motorbike"))
    assert time.perf_counter() - began < 5
    assert plan.method == "heuristic"
    assert_feasible(request, plan, travel_time("motorbike"))
    assert len(plan.stops) >= 20


def test_stops_that_cannot_fit_alone_do_not_count_against_the_exact_limit():
    closed = tuple(VenueStop(f"closed{i}", OPERA_HOUSE, ((at(6), at(7)),), 30) for i in range(5))
    open_ = tuple(VenueStop(f"open{i}", PLACES[i], ((at(9), at(18)),), 30) for i in range(EXACT_MAX_STOPS))
    request = ItineraryRequest(start=OPERA_HOUSE, start_at=at(9), stops=closed + open_)
    assert plan_itinerary(request, travel_time("walk")).method == "exact"


def test_the_exact_planner_cannot_be_forced_beyond_its_limit():
    many = tuple(VenueStop(f"v{i}", PLACES[i], ((at(9), at(18)),), 30) for i in range(EXACT_MAX_STOPS + 1))
    request = ItineraryRequest(start=OPERA_HOUSE, start_at=at(9), stops=many)
    with pytest.raises(InvalidItinerary):
        plan_itinerary(request, travel_time("walk"), method="exact")


# -- refusals --------------------------------------------------------------------------------------


def test_more_than_the_largest_plan_is_refused_as_a_value_error():
    many = tuple(VenueStop(f"v{i}", OPERA_HOUSE, ((at(9), at(18)),), 30) for i in range(MAX_STOPS + 1))
    with pytest.raises(TooManyStops) as refusal:
        plan_itinerary(ItineraryRequest(start=OPERA_HOUSE, start_at=at(9), stops=many), travel_time("walk"))
    assert isinstance(refusal.value, ValueError)


@pytest.mark.parametrize(
    "request_",
    [
        ItineraryRequest(start=OPERA_HOUSE, start_at=at(9).replace(tzinfo=None), stops=()),
        ItineraryRequest(start=OPERA_HOUSE, start_at=at(9), end_at=at(8), stops=()),
        ItineraryRequest(start=OPERA_HOUSE, start_at=at(9), stops=(EventStop("e", OPERA_HOUSE, at(11), at(10)),)),
        ItineraryRequest(
            start=OPERA_HOUSE, start_at=at(9), stops=(VenueStop("v", OPERA_HOUSE, ((at(11), at(10)),), 30),)
        ),
        ItineraryRequest(
            start=OPERA_HOUSE, start_at=at(9), stops=(VenueStop("v", OPERA_HOUSE, ((at(9), at(10)),), 0),)
        ),
        ItineraryRequest(
            start=OPERA_HOUSE,
            start_at=at(9),
            stops=(EventStop("x", OPERA_HOUSE, at(10), at(11)), EventStop("x", OPERA_HOUSE, at(12), at(13))),
        ),
    ],
    ids=["naive time", "end before start", "event ends first", "window closes first", "no dwell", "same id twice"],
)
def test_invalid_requests_are_refused(request_):
    with pytest.raises(InvalidItinerary):
        plan_itinerary(request_, travel_time("walk"))


def test_a_request_decodes_from_json_with_tagged_stops():
    body = b"""{
      "start": {"lat": 21.0244, "lon": 105.8574},
      "start_at": "2024-11-12T09:00:00+07:00",
      "end_at": "2024-11-12T18:00:00+07:00",
      "stops": [
        {"kind": "event", "id": "talk", "location": {"lat": 21.02465, "lon": 105.8597},
         "starts_at": "2024-11-12T10:00:00+07:00", "ends_at": "2024-11-12T11:00:00+07:00"},
        {"kind": "venue", "id": "hoa-lo", "location": {"lat": 21.02532, "lon": 105.84647},
         "windows": [["2024-11-12T08:00:00+07:00", "2024-11-12T17:00:00+07:00"]], "dwell_min": 45}
      ]
    }"""
    request = msgspec.json.decode(body, type=ItineraryRequest)
    plan = plan_itinerary(request, travel_time("walk"))
    assert [s.id for s in plan.stops] == ["talk", "hoa-lo"]
    encoded = msgspec.json.decode(msgspec.json.encode(plan))
    assert encoded["stops"][0]["starts_at"] == "2024-11-12T10:00:00+07:00"
