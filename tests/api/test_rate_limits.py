"""Rate limits per client address: organiser sign-ins (passwords must not be guessed), device registrations and
volunteer enrolments each spend a budget of their own, shared by every process and host.

The first test runs the routers in an app of their own, with malformed bodies: a limit counts a request before its
body is read, so refused bodies spend the budget as wrong passwords would, without touching the database. The
others run two real `lehoi serve` processes on one database (or one Redis) and spend one budget across both."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest
from litestar import Litestar
from litestar.datastructures import State
from litestar.testing import AsyncTestClient

from server.accounts.controllers import LOGIN_RATE_PER_MINUTE, organiser_login, volunteer_enrolment
from server.clock import FixedClock
from server.db.limits import RedisCounter
from server.domain import KERNEL_DEPENDENCIES
from tests.support.live_server import STARTUP_S, LiveServer

REDIS_URL = "redis://127.0.0.1:6379/0"


async def test_sign_ins_are_limited_per_address_and_apart_from_enrolment():
    # a namespace of this run's own: budgets in the machine's Redis outlive the test by a minute
    counter = RedisCounter(REDIS_URL, namespace=str(uuid.uuid4()))
    state = State({"clock": FixedClock(datetime(2024, 11, 12, 3, tzinfo=UTC)), "engine": None, "rate_counter": counter})
    app = Litestar(
        route_handlers=[organiser_login(), volunteer_enrolment(per_minute=3)],
        dependencies=KERNEL_DEPENDENCIES,
        state=state,
        on_shutdown=[counter.close],
    )
    async with AsyncTestClient(app=app) as client:
        logins = [(await client.post("/api/auth/login", json={})).status_code for _ in range(LOGIN_RATE_PER_MINUTE + 2)]
        assert [s == 429 for s in logins] == [False] * LOGIN_RATE_PER_MINUTE + [True, True], logins
        refused = await client.post("/api/auth/login", json={})
        assert refused.status_code == 429 and 0 < int(refused.headers["retry-after"]) <= 60
        # sign-ins did not spend the enrolment budget
        enrolments = [(await client.post("/api/volunteers/enrol", json={})).status_code for _ in range(4)]
        assert [s == 429 for s in enrolments] == [False, False, False, True], enrolments


@pytest.mark.parametrize("store", ["database", "redis"])
def test_one_budget_holds_across_two_server_processes(tmp_path, store):
    """Two `lehoi serve` processes on one database: device registrations alternate between them, and the sixth
    of a budget of five is refused wherever it lands, with Retry-After."""
    rate = 5
    env = {"LEHOI_DEVICE_RATE_PER_MINUTE": str(rate)}
    if store == "redis":
        env["LEHOI_REDIS_URL"] = REDIS_URL
    first = LiveServer(tmp_path, env=env)
    first.start(timeout=STARTUP_S)
    # the second process serves the first one's data: the same SQLite file or PostgreSQL database
    second = LiveServer(
        tmp_path, env={**env, "LEHOI_DATA_DIR": str(first.data_dir), "LEHOI_DATABASE_URL": first.database_url}
    )
    try:
        second.start(timeout=STARTUP_S)
        answers = [httpx.post(f"{server.url}/api/devices", timeout=10) for server in (first, second) * 5]
        statuses = [a.status_code for a in answers]
        assert statuses == [201] * rate + [429] * (10 - rate), statuses
        assert all(0 < int(a.headers["retry-after"]) <= 60 for a in answers[rate:])
        # another limit's budget is its own
        login = httpx.post(f"{second.url}/api/auth/login", json={"email": "x@y.z", "password": "nope"}, timeout=10)
        assert login.status_code == 401
    finally:
        second.stop()
        first.stop()
