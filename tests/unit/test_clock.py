from datetime import UTC, datetime

from server.clock import FixedClock, ShiftedClock, SystemClock, clock_from_setting


def test_clock_settings():
    assert isinstance(clock_from_setting(""), SystemClock)
    shifted = clock_from_setting("2024-11-12T10:00+07:00")
    assert isinstance(shifted, ShiftedClock)
    assert abs((shifted.now() - datetime(2024, 11, 12, 3, 0, tzinfo=UTC)).total_seconds()) < 5
    fixed = clock_from_setting("fixed:2024-11-12T10:00")
    assert isinstance(fixed, FixedClock)
    assert fixed.now() == datetime(2024, 11, 12, 3, 0, tzinfo=UTC), "no offset means festival time"
    fixed.advance(minutes=15)
    assert fixed.now().minute == 15
