"""Organiser edits: role guards, validation, references, and all-or-nothing writes."""

from __future__ import annotations

import pytest

NEW_VENUE = {
    "id": "test-garden",
    "name": {"vi": "Vườn thử", "en": "Test garden"},
    "kind": "garden",
    "lat": 21.03,
    "lon": 105.85,
    "opening_hours": {"mon": [["08:00", "17:00"]]},
}
NEW_EVENT = {
    "id": "test-event",
    "title": {"vi": "Sự kiện thử", "en": "Test event"},
    "category": "workshop",
    "venue_id": "test-garden",
    "starts_at": "2024-11-12T09:00:00+07:00",
    "ends_at": "2024-11-12T10:00:00+07:00",
    "tags": ["test"],
}


async def test_writes_need_an_organiser(client):
    assert (await client.post("/api/venues", json=NEW_VENUE)).status_code == 401
    bad = {"Authorization": "Bearer org_not-a-real-token"}
    assert (await client.post("/api/venues", json=NEW_VENUE, headers=bad)).status_code == 401
    assert (await client.delete("/api/events/whatever")).status_code == 401


async def test_a_device_is_not_an_organiser(client, in_app):
    from server.accounts.tables import Device
    from server.accounts.tokens import DEVICE_PREFIX, new_token

    token, digest = new_token(DEVICE_PREFIX)
    device = Device(id="dev-test-guard", role="attendee", token_hash=digest, created_at=client.app.state.clock.now())
    in_app(Device.insert(device).run)
    response = await client.post("/api/venues", json=NEW_VENUE, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403


async def test_login_refuses_a_wrong_password(client):
    response = await client.post("/api/auth/login", json={"email": "organiser@lehoi.test", "password": "nope"})
    assert response.status_code == 401
    assert (await client.post("/api/auth/login", json={"email": "x"})).status_code == 422


async def test_login_takes_the_email_in_any_case(client):
    from conftest import ORGANISER

    email, password = ORGANISER
    response = await client.post("/api/auth/login", json={"email": f" {email.capitalize()}", "password": password})
    assert response.status_code == 200 and response.json()["token"]
    assert (await client.post("/api/auth/login", json={"email": email.upper(), "password": "nope"})).status_code == 401


async def test_create_update_delete_round_trip(client, as_organiser, fresh_programme):
    version = (await client.get("/api/festival")).json()["version"]
    assert (await client.post("/api/venues", json=NEW_VENUE, headers=as_organiser)).status_code == 201
    assert (await client.post("/api/events", json=NEW_EVENT, headers=as_organiser)).status_code == 201
    event = (await client.get("/api/events/test-event")).json()
    assert event["venue_id"] == "test-garden" and event["starts_at"] == "2024-11-12T09:00:00+07:00"
    assert (await client.get("/api/festival")).json()["version"] > version

    moved = {"starts_at": "2024-11-12T11:00:00+07:00", "ends_at": "2024-11-12T12:30:00+07:00"}
    assert (await client.patch("/api/events/test-event", json=moved, headers=as_organiser)).status_code == 200
    assert (await client.get("/api/events/test-event")).json()["ends_at"] == "2024-11-12T12:30:00+07:00"
    found = (await client.get("/api/search", params={"q": "su kien thu"})).json()["results"]
    assert found[0]["id"] == "test-event"

    blocked = await client.delete("/api/venues/test-garden", headers=as_organiser)
    assert blocked.status_code == 409 and "events" in blocked.json()["detail"]
    assert (await client.delete("/api/events/test-event", headers=as_organiser)).status_code == 204
    assert (await client.delete("/api/venues/test-garden", headers=as_organiser)).status_code == 204
    assert (await client.get("/api/venues/test-garden")).status_code == 404


async def test_trails_check_their_stops(client, as_organiser, fresh_programme):
    trail = {"id": "test-trail", "name": {"vi": "Thử", "en": "Test"}, "mode": "walk", "duration_min": 30,
             "stops": ["cung-thieu-nhi", "nowhere"]}
    response = await client.post("/api/trails", json=trail, headers=as_organiser)
    assert response.status_code == 422 and "nowhere" in response.json()["detail"]
    trail["stops"] = ["cung-thieu-nhi", "bac-bo-phu"]
    assert (await client.post("/api/trails", json=trail, headers=as_organiser)).status_code == 201
    assert (await client.post("/api/trails", json=trail, headers=as_organiser)).status_code == 409


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"ends_at": "2024-11-12T08:00:00+07:00"}, "after"),
        ({"starts_at": "2024-11-12T09:00:00"}, "offset"),
        ({"venue_id": "no-such-venue"}, "not a venue"),
        ({"category": "Not A Category!"}, "category"),
        ({"title": {"vi": "only vietnamese"}}, "en"),
        ({"id": "Bad Id"}, "id"),
        ({"surprise": 1}, "surprise"),
    ],
)
async def test_bad_events_are_refused_and_change_nothing(client, as_organiser, change, expected):
    version = (await client.get("/api/festival")).json()["version"]
    body = {**NEW_EVENT, "venue_id": "cung-thieu-nhi", **change}
    response = await client.post("/api/events", json=body, headers=as_organiser)
    assert response.status_code == 422, response.text
    assert expected in response.text
    assert (await client.get("/api/festival")).json()["version"] == version


async def test_malformed_json_body_is_a_client_error(client, as_organiser):
    response = await client.post(
        "/api/venues", content=b"{not json", headers={**as_organiser, "content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500


async def test_unknown_update_target_is_404(client, as_organiser):
    response = await client.patch("/api/events/no-such-event", json={"category": "talk"}, headers=as_organiser)
    assert response.status_code == 404


async def test_an_edit_that_changes_nothing_moves_no_version(client, as_organiser, fresh_programme):
    """Each new version sends every phone a change feed: only a real change may make one."""
    event = (await client.get("/api/events", params={"day": "2024-11-13"})).json()[0]
    version = (await client.get("/api/festival")).json()["version"]
    same = {"title": event["title"], "starts_at": event["starts_at"], "tags": event["tags"], "capacity": event["capacity"]}
    assert (await client.patch(f"/api/events/{event['id']}", json=same, headers=as_organiser)).status_code == 200
    assert (await client.get("/api/festival")).json()["version"] == version
    changed = {"title": {**event["title"], "en": event["title"]["en"] + " (moved)"}}
    assert (await client.patch(f"/api/events/{event['id']}", json=changed, headers=as_organiser)).status_code == 200
    assert (await client.get("/api/festival")).json()["version"] == version + 1
