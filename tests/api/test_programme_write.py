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
    trail = {
        "id": "test-trail",
        "name": {"vi": "Thử", "en": "Test"},
        "mode": "walk",
        "duration_min": 30,
        "stops": ["cung-thieu-nhi", "nowhere"],
    }
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
    same = {
        "title": event["title"],
        "starts_at": event["starts_at"],
        "tags": event["tags"],
        "capacity": event["capacity"],
    }
    assert (await client.patch(f"/api/events/{event['id']}", json=same, headers=as_organiser)).status_code == 200
    assert (await client.get("/api/festival")).json()["version"] == version
    changed = {"title": {**event["title"], "en": event["title"]["en"] + " (moved)"}}
    assert (await client.patch(f"/api/events/{event['id']}", json=changed, headers=as_organiser)).status_code == 200
    assert (await client.get("/api/festival")).json()["version"] == version + 1


# --- datetimes are RFC 3339 strings with an offset, and nothing else -------------------------------------------

NOT_INSTANTS = [
    0,
    1731380400,
    1731380400.5,
    "1731380400",
    "2024-11-12",
    "2024-11-12T09:00:00",
    "2024-11-12T23:59:60+07:00",
    "2024-11-12T24:00:00+07:00",
    "12/11/2024 09:00",
    None,
    True,
    [],
    {},
]


@pytest.mark.parametrize("value", NOT_INSTANTS)
async def test_a_datetime_is_an_rfc3339_string_with_an_offset(client, as_organiser, fresh_programme, value):
    version = (await client.get("/api/festival")).json()["version"]
    body = {**NEW_EVENT, "venue_id": "cung-thieu-nhi", "starts_at": value}
    response = await client.post("/api/events", json=body, headers=as_organiser)
    assert response.status_code == 422, response.text
    assert response.json()["extra"][0]["key"] == "starts_at"
    if not isinstance(value, (list, dict, bool)) and value is not None:
        assert "RFC 3339" in response.text and "offset" in response.text
    event = (await client.get("/api/events", params={"day": "2024-11-13"})).json()[0]
    moved = await client.patch(f"/api/events/{event['id']}", json={"starts_at": value}, headers=as_organiser)
    assert moved.status_code == 422, moved.text
    assert (await client.get("/api/festival")).json()["version"] == version


@pytest.mark.parametrize("offset", ["+14:00", "-12:00", "Z", "+07:00"])
async def test_any_utc_offset_is_a_datetime(client, as_organiser, fresh_programme, offset):
    from datetime import datetime, timedelta

    at = datetime.fromisoformat(f"2024-11-12T02:00:00{offset.replace('Z', '+00:00')}")
    body = {
        **NEW_EVENT,
        "venue_id": "cung-thieu-nhi",
        "id": None,
        "starts_at": at.isoformat().replace("+00:00", offset),
        "ends_at": (at + timedelta(hours=1)).isoformat(),
    }
    body.pop("id")
    response = await client.post("/api/events", json=body, headers=as_organiser)
    assert response.status_code == 201, response.text
    event = (await client.get(f"/api/events/{response.json()['id']}")).json()
    assert datetime.fromisoformat(event["starts_at"]) == at


async def test_an_event_without_an_id_gets_a_slug_of_its_title(client, as_organiser, fresh_programme):
    import re

    def new(vi: str, en: str = "A title") -> dict:
        body = {**NEW_EVENT, "venue_id": "cung-thieu-nhi", "title": {"vi": vi, "en": en}}
        body.pop("id")
        return body

    first = await client.post("/api/events", json=new("Vườn thú: Hà Nội!"), headers=as_organiser)
    assert first.status_code == 201, first.text
    assert first.json()["id"] == "vuon-thu-ha-noi"
    assert (await client.get("/api/events/vuon-thu-ha-noi")).json()["title"]["vi"] == "Vườn thú: Hà Nội!"
    second = await client.post("/api/events", json=new("Vườn thú – Hà Nội"), headers=as_organiser)
    assert second.json()["id"] == "vuon-thu-ha-noi-2"
    emoji = await client.post("/api/events", json=new("🎉🎨 !!! …", "🎉"), headers=as_organiser)
    assert emoji.status_code == 201 and emoji.json()["id"] == "event"
    english = await client.post("/api/events", json=new("🎉", "Opening night"), headers=as_organiser)
    assert english.json()["id"] == "opening-night"
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", english.json()["id"])
    # an id given is kept as it is, and a taken one is still a conflict
    assert (
        await client.post("/api/events", json={**new("x"), "id": "vuon-thu-ha-noi"}, headers=as_organiser)
    ).status_code == 409


async def test_a_thousand_events_with_one_title_get_a_thousand_slugs(client, as_organiser, fresh_programme):
    body = {**NEW_EVENT, "venue_id": "cung-thieu-nhi", "title": {"vi": "Hội thảo thiết kế", "en": "Design talk"}}
    body.pop("id")
    ids = [(await client.post("/api/events", json=body, headers=as_organiser)).json()["id"] for _ in range(1000)]
    assert len(set(ids)) == 1000
    assert ids[0] == "hoi-thao-thiet-ke" and ids[1] == "hoi-thao-thiet-ke-2" and ids[-1] == "hoi-thao-thiet-ke-1000"
