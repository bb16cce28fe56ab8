"""Whatever a client sends to a read endpoint, the answer is never a 5xx (hypothesis over every query parameter)."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

READ_ENDPOINTS = {
    "/api/venues": ["kind", "district", "q"],
    "/api/events": ["day", "venue", "category", "q", "from", "to"],
    "/api/search": ["q"],
    "/api/sync/changes": ["since"],
    "/api/festival": [],
    "/api/venues.geojson": [],
}

junk = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789-:T+Z.", max_size=30),
    st.sampled_from(["2024-11-12", "2024-13-45", "2024-11-12T10:00", "2024-11-12T10:00+07:00", "-1", "1e309",
                     "heritage", "bat-trang", "%00", "../../etc/passwd", "' OR 1=1 --", "ð" * 300, "", " "]),
    st.integers().map(str),
)


def test_query_parameters_never_break_a_read_endpoint(client):
    loop_client = client

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(path=st.sampled_from(sorted(READ_ENDPOINTS)), data=st.data())
    def run(path, data):
        names = READ_ENDPOINTS[path] + ["unexpected"]
        chosen = data.draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
        params = {name: data.draw(junk) for name in chosen}
        response = asyncio.run(_get(loop_client, path, params))
        assert response.status_code < 500, (path, params, response.text)
        if response.status_code >= 400:
            body = response.json()
            assert body["status_code"] == response.status_code and body["detail"]

    run()


async def _get(client, path, params):
    return await client.get(path, params=params)


async def test_path_ids_never_break(client):
    for raw in ["x" * 500, "%F0%9F%8E%89", "..%2F..", "UPPER", "a b", "%00", "-", "événement"]:
        for template in ("/api/venues/{}", "/api/events/{}", "/api/events/{}.ics"):
            response = await client.get(template.format(raw))
            assert 400 <= response.status_code < 500, (template, raw, response.status_code)
