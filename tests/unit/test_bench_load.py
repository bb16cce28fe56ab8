"""bench/bench_load.py's parts that need no timing: the Lua data file, wrk's output parser, and load.lua's
request bodies and push accounting against a stand-in server (when wrk is installed). No timings asserted."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.bench_load import LUA_SCRIPT, NOW, lua_value, parse_wrk, write_lua_data
from sync.messages import MutationId

UUID = re.compile(MutationId.__metadata__[0].pattern)

CANNED = """Running 8s test @ http://127.0.0.1:41234
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   540.12ms  100.00ms   1.50s    70.00%
    Req/Sec   120.00     20.00   200.00     70.00%
  Latency Distribution
     50%  530.00ms
     75%  600.00ms
     90%  700.00ms
     99%    1.40s
  950 requests in 8.01s, 300.00KB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:    118.60
Transfer/sec:     37.45KB
LOAD sent 1014
LOAD mutations 1500
LOAD late 3
LOAD lag_max 12.5
LOAD status 200 946
LOAD status 503 4
LOAD result applied 940
LOAD result rejected 6
"""


def test_lua_values_escape_what_lua_strings_cannot_hold():
    assert lua_value('a"b\\c\nd\x01') == r'"a\"b\\c\nd\001"'
    assert lua_value(None) == "nil" and lua_value(True) == "true" and lua_value(412) == "412"
    assert lua_value({"id": "x"}) == '{["id"] = "x"}'
    assert lua_value([1, "two"]) == '{\n  1,\n  "two",\n}'
    with pytest.raises(TypeError):
        lua_value(object())


def test_the_data_file_is_one_returned_table(tmp_path):
    path = write_lua_data(tmp_path / "data.lua", {"version": 7, "phones": [{"id": "d1", "token": "dev_x"}]})
    text = path.read_text()
    assert text.startswith("-- written by bench/bench_load.py\nreturn {")
    assert '["version"] = 7' in text and '{["id"] = "d1", ["token"] = "dev_x"}' in text


def test_wrk_output_is_parsed_with_the_scripts_lines():
    run = parse_wrk(CANNED)
    assert (run.rps, run.p50_ms, run.p99_ms, run.requests) == (118.60, 530.0, 1400.0, 950)
    assert run.non_2xx == 4 and run.socket_errors == {"connect": 0, "read": 2, "write": 0, "timeout": 3}
    assert run.errors == 9
    assert run.sent == 1014 and run.statuses == {200: 946, 503: 4}
    assert (run.mutations, run.late, run.lag_max_ms) == (1500, 3, 12.5)
    assert run.results == {"applied": 940, "rejected": 6}


def test_a_clean_run_has_no_errors():
    clean = (
        CANNED.replace("  Socket errors: connect 0, read 2, write 0, timeout 3\n", "")
        .replace("  Non-2xx or 3xx responses: 4\n", "")
        .replace("     50%  530.00ms", "     50%  812.00us")
    )
    run = parse_wrk(clean)
    assert run.errors == 0 and run.p50_ms == pytest.approx(0.812)


class _StandIn(BaseHTTPRequestHandler):
    """Answers a push as lehoi does (each mutation applied), remembering what it was sent."""

    protocol_version = "HTTP/1.1"
    bodies: list[dict] = []

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.bodies.append({"auth": self.headers["Authorization"], **body})
        answer = json.dumps(
            {
                "last_mutation_id": body["mutations"][-1]["id"],
                "results": [{"status": "applied", "id": m["id"], "data": None} for m in body["mutations"]],
            },
            separators=(",", ":"),
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def _push_through_wrk(tmp_path, phones: list[dict], connections: int, seconds: int, **env: str):
    """wrk playing load.lua's pushes against the stand-in: (parsed output, bodies received, results file lines)."""
    if not shutil.which("wrk"):
        message = "the load bench's Lua script did not run: wrk is missing (apt-get install wrk)"
        if os.environ.get("LEHOI_REQUIRE_ALL_TESTS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    data = write_lua_data(
        tmp_path / "data.lua",
        {"version": 9, "behind": 2, "events": ["ev-1", "ev-2"], "phones": phones, "passes": ["P1.x"], "volunteers": []},
    )
    _StandIn.bodies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ids = tmp_path / "ids.txt"
    env = {
        "LOAD_DATA": str(data),
        "LOAD_MODE": "push",
        "LOAD_RUN": "0123abcd",
        "LOAD_IDS": str(ids),
        "LOAD_NOW": NOW,
        "PATH": "/usr/bin:/bin",
        **env,
    }
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(LUA_SCRIPT), url],
            capture_output=True,
            text=True,
            env=env,
            timeout=30,
        ).stdout
    finally:
        server.shutdown()
    return parse_wrk(out), list(_StandIn.bodies), [line.split() for line in ids.read_text().splitlines()]


def test_load_lua_pushes_fresh_uuids_and_accounts_for_every_answer(tmp_path):
    phones = [{"id": f"d{n}", "token": f'dev_"{n}'} for n in range(3)]  # a quote: the file must escape it
    run, bodies, answered = _push_through_wrk(tmp_path, phones, connections=2, seconds=1)
    sent = [m for body in bodies for m in body["mutations"]]
    assert sent and all(UUID.match(m["id"]) and m["id"].startswith("0123abcd-") for m in sent)
    assert len({m["id"] for m in sent}) == len(sent)
    assert all(len(body["mutations"]) == 1 for body in bodies)
    assert {m["name"] for m in sent} <= {"favourite.set", "favourite.unset"}
    assert all(m["args"]["event_id"] in ("ev-1", "ev-2") and m["at"] == NOW for m in sent)
    by_phone = {p["id"]: f"Bearer {p['token']}" for p in phones}
    assert all(by_phone[body["client_id"]] == body["auth"] for body in bodies)
    assert {i for _, i in answered} <= {m["id"] for m in sent}
    assert run.results == {"applied": len(answered)} and run.statuses == {200: len(answered)}
    assert run.sent >= len(answered) and run.mutations >= len(answered)


def test_load_lua_paces_its_sends_and_batches_one_or_two(tmp_path):
    """LOAD_RATE: sends on a schedule, never faster than the rate asked (however fast the answers come back);
    LOAD_BATCH: pushes of one to that many mutations, each a fresh id."""
    phones = [{"id": "d1", "token": "dev_1"}]
    run, bodies, answered = _push_through_wrk(
        tmp_path, phones, connections=4, seconds=2, LOAD_RATE="40", LOAD_BATCH="2"
    )
    # closed, the stand-in answers thousands a second; paced at 40 a second for 2 s, the schedule allows 80 sends
    # (and the connections' first requests, which wrk makes before the first delay), and two slots more: wrk
    # stops at a check of its clock a little after the 2 s, on a busy machine (85 seen once)
    assert 0 < len(bodies) <= 80 + 4 + 2 and run.sent <= 80 + 4 + 2
    assert {len(body["mutations"]) for body in bodies} <= {1, 2} and len(bodies) >= 10
    ids = [m["id"] for body in bodies for m in body["mutations"]]
    # an answer still on its way when wrk stops is received but never read
    assert len(set(ids)) == len(ids) and run.mutations >= len(ids) >= len(answered)
    assert {i for _, i in answered} <= set(ids)
    assert run.late >= 0 and run.lag_max_ms >= 0


def test_the_accounting_tells_lost_doubled_and_cut_off_apart():
    from bench.bench_load import accounting

    answered = [("applied", "m1"), ("applied", "m2")]
    rows = [("d1", "m1", "applied"), ("d1", "m2", "applied"), ("d1", "m3", "applied")]
    summary, verdict = accounting(answered, rows, sent=4)
    assert "4 mutations sent, 2 results answered (2 applied, 0 other)" in summary
    assert verdict.endswith(
        "lost (answered applied, not in the table) 0; doubled 0; in the table but never answered "
        "(in flight when wrk stopped, at most 2 per connection and run) 1; sent, never answered and not in the "
        "table (cut off before the commit) 1: ok"
    )
    _, lost = accounting([*answered, ("applied", "m9")], rows, sent=4)
    assert "lost (answered applied, not in the table) 1" in lost and lost.endswith("NOT OK")
    _, doubled = accounting(answered, [*rows, ("d1", "m1", "applied")], sent=5)
    assert "doubled 1" in doubled and doubled.endswith("NOT OK")
