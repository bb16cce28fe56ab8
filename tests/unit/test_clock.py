import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

from server.clock import FixedClock, ShiftedClock, SystemClock, anchored, clock_from_setting


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


ROOT = Path(__file__).resolve().parents[2]
#: reads of the real time; every "now" in lehoi comes from server/clock.py, so LEHOI_NOW moves all of them.
#: time.monotonic and time.perf_counter stay allowed: they measure durations (timeouts, cache ages), not instants.
WALL_CLOCK_READS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
}


def wall_clock_reads(source: str, name: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in WALL_CLOCK_READS:
                found.append(f"{name}:{node.lineno} {node.value.id}.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module in ("time", "datetime"):
            found += [
                f"{name}:{node.lineno} from {node.module} import {a.name}"
                for a in node.names
                if (node.module, a.name) in WALL_CLOCK_READS
            ]
    return found


def test_the_scan_sees_every_form_of_a_wall_clock_read():
    source = (
        "import time, datetime as dt\nfrom time import time_ns\nx = time.time()\ny = datetime.now(UTC)\n"
        "z = date.today()\nw = datetime.utcnow()\nok = time.monotonic()\n"
    )
    assert [f.split(" ", 1)[1] for f in wall_clock_reads(source, "x.py")] == [
        "from time import time_ns",
        "time.time",
        "datetime.now",
        "date.today",
        "datetime.utcnow",
    ]


def test_every_now_comes_from_the_one_clock():
    found = []
    for path in sorted([*(ROOT / "server").rglob("*.py"), *(ROOT / "sync").rglob("*.py")]):
        if path == ROOT / "server" / "clock.py":
            continue
        found += wall_clock_reads(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert found == [], "read the time through server/clock.py:\n" + "\n".join(found)


def test_an_anchored_clock_reads_the_same_in_every_process_whatever_its_start(monkeypatch):
    real = [1_800_000_000.0]
    monkeypatch.setattr("server.clock.time.time", lambda: real[0])
    setting = anchored("2024-11-12T10:00+07:00")
    assert setting.startswith("2024-11-12T10:00+07:00@"), setting
    first = clock_from_setting(setting)
    alone = clock_from_setting("2024-11-12T10:00+07:00")
    real[0] += 7.0  # a second worker, host or `lehoi worker` starts 7 s later with the value it was given
    later = clock_from_setting(setting)
    late_alone = clock_from_setting("2024-11-12T10:00+07:00")
    real[0] += 60.0
    assert first.now() == later.now() == datetime(2024, 11, 12, 3, 1, 7, tzinfo=UTC)
    assert (alone.now() - late_alone.now()).total_seconds() == 7.0, "unanchored, each reads from its own start"


def test_anchoring_keeps_what_needs_no_anchor_and_refuses_what_is_no_clock():
    assert anchored("") == ""
    assert anchored("fixed:2024-11-12T10:00") == "fixed:2024-11-12T10:00"
    pinned = "2024-11-12T10:00+07:00@2026-12-07T22:00:00+00:00"
    assert anchored(pinned) == pinned
    for bad in ("tomorrow", "2024-11-12T10:00@soon", "fixed:noon", "@2026-12-07T22:00Z"):
        with pytest.raises(ValueError):
            anchored(bad)


def test_serve_refuses_a_clock_it_cannot_read():
    from click.testing import CliRunner

    from server.cli import main

    result = CliRunner().invoke(main, ["serve", "--no-setup", "--now", "tomorrow"])
    assert result.exit_code == 2 and "Invalid value for --now" in result.output, result.output
