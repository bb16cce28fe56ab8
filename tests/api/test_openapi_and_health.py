"""OpenAPI at /schema documents every route with its errors; /health reports the database."""

from __future__ import annotations


async def test_every_api_route_is_documented_with_its_errors(client):
    schema = (await client.get("/schema/openapi.json")).json()
    paths = schema["paths"]
    for route in client.app.routes:
        path = route.path
        if not path.startswith("/api/") or path.startswith("/admin"):
            continue
        documented = paths.get(path.replace(":str", "").replace(":int", ""))
        assert documented, f"{path} is not in the OpenAPI schema"
        for method, operation in documented.items():
            assert operation.get("description") or operation.get("summary"), (path, method)
            codes = set(operation["responses"])
            assert any(c.startswith("2") or c == "304" for c in codes), (path, method, codes)
            assert any(c.startswith("4") for c in codes), f"{method.upper()} {path} documents no error: {codes}"


async def test_validation_errors_are_documented_as_422(client):
    schema = (await client.get("/schema/openapi.json")).json()
    assert "422" in schema["paths"]["/api/events"]["get"]["responses"]
    assert "404" in schema["paths"]["/api/events/{event_id}"]["get"]["responses"]


async def test_a_second_answer_is_documented_too(client):
    """Both answers of a create-or-return-the-existing call, so a generated client takes either."""
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    for path in ("/api/passes", "/api/push/subscriptions"):
        assert {"200", "201"} <= set(paths[path]["post"]["responses"]), path


async def test_health(client):
    response = await client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["version"] > 0
