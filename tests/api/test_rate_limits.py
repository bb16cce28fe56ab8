"""Rate limits per client address: organiser sign-ins (passwords must not be guessed), device registrations and
volunteer enrolments each spend a budget of their own.

The routers run in an app of their own, with malformed bodies: a limit counts a request before its body is read,
so refused bodies spend the budget as wrong passwords would, without touching the database."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar import Litestar
from litestar.datastructures import State
from litestar.testing import AsyncTestClient

from server.accounts.controllers import LOGIN_RATE_PER_MINUTE, organiser_login, volunteer_enrolment
from server.clock import FixedClock
from server.domain import KERNEL_DEPENDENCIES


async def test_sign_ins_are_limited_per_address_and_apart_from_enrolment():
    # the handlers take the kernel's dependencies; no request here gets as far as the database
    state = State({"clock": FixedClock(datetime(2024, 11, 12, 3, tzinfo=UTC)), "engine": None})
    app = Litestar(
        route_handlers=[organiser_login(), volunteer_enrolment(per_minute=3)],
        dependencies=KERNEL_DEPENDENCIES,
        state=state,
    )
    async with AsyncTestClient(app=app) as client:
        logins = [(await client.post("/api/auth/login", json={})).status_code for _ in range(LOGIN_RATE_PER_MINUTE + 2)]
        assert [s == 429 for s in logins] == [False] * LOGIN_RATE_PER_MINUTE + [True, True], logins
        refused = await client.post("/api/auth/login", json={})
        assert refused.status_code == 429 and 0 < int(refused.headers["retry-after"]) <= 60
        # sign-ins did not spend the enrolment budget (Litestar keys counts by address alone)
        enrolments = [(await client.post("/api/volunteers/enrol", json={})).status_code for _ in range(4)]
        assert [s == 429 for s in enrolments] == [False, False, False, True], enrolments
