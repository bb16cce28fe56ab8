"""Volunteer enrolment: organisers' codes, enrolling by code, listing and revoking volunteer devices."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

from .checkin_support import attendee, auth, check_in, new_pass, now

VENUES = ["nha-hat-lon", "hoang-thanh"]


async def make_code(client, as_organiser, **body) -> dict:
    payload = {"venue_ids": VENUES, "expires_at": (now(client) + timedelta(hours=8)).isoformat(), **body}
    response = await client.post("/api/organiser/enrolment-codes", json=payload, headers=as_organiser)
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_code_enrols_a_volunteer_who_can_scan_its_venues(client, in_app, as_organiser):
    code = await make_code(client, as_organiser)
    assert len(code["code"]) == 16 and code["venue_ids"] == sorted(VENUES)
    assert code["enrol_url"].endswith(f"/#/enrol/{code['code']}")
    qr = await client.get(code["qr_svg"].split("testserver.local")[-1], headers=as_organiser)
    assert qr.status_code == 200 and ET.fromstring(qr.content).tag.endswith("svg")

    enrolled = await client.post("/api/volunteers/enrol", json={"code": code["code"]})
    assert enrolled.status_code == 201, enrolled.text
    volunteer = enrolled.json()
    assert volunteer["venues"] == sorted(VENUES) and volunteer["token"].startswith("dev_")
    gate = {"id": volunteer["device_id"], "auth": auth(volunteer["token"])}
    issued = await new_pass(client, in_app)
    assert (await check_in(client, gate, issued["token"], "nha-hat-lon")).json()["status"] == "accepted"
    assert (await check_in(client, gate, issued["token"], "van-mieu")).json()["reason"] == "not_enrolled"

    listed = (await client.get("/api/organiser/volunteers", headers=as_organiser)).json()
    mine = [v for v in listed if v["device_id"] == volunteer["device_id"]]
    assert mine and mine[0]["venues"] == sorted(VENUES) and mine[0]["revoked_at"] is None

    # a person may type it in lower case, in groups
    spaced = "-".join(code["code"][i : i + 4] for i in range(0, 16, 4)).lower()
    assert (await client.post("/api/volunteers/enrol", json={"code": spaced})).status_code == 201


async def test_codes_expire_and_can_be_limited(client, as_organiser, clock):
    once = await make_code(client, as_organiser, max_uses=1)
    assert (await client.post("/api/volunteers/enrol", json={"code": once["code"]})).status_code == 201
    used = await client.post("/api/volunteers/enrol", json={"code": once["code"]})
    assert used.status_code == 410 and "used" in used.json()["detail"]

    soon = await make_code(client, as_organiser, expires_at=(now(client) + timedelta(minutes=5)).isoformat())
    start = clock.now()
    clock.advance(minutes=6)
    try:
        expired = await client.post("/api/volunteers/enrol", json={"code": soon["code"]})
        assert expired.status_code == 410 and "expired" in expired.json()["detail"]
        qr = await client.get(f"/api/organiser/enrolment-codes/{soon['code']}/qr.svg", headers=as_organiser)
        assert qr.status_code == 410
    finally:
        clock.set(start)
    assert (await client.post("/api/volunteers/enrol", json={"code": "ABCDEFGHJKMNPQRS"})).status_code == 404
    assert (await client.post("/api/volunteers/enrol", json={"code": "x"})).status_code == 422
    assert (await client.post("/api/volunteers/enrol", json={})).status_code == 422


async def test_codes_are_for_organisers_and_checked(client, in_app, as_organiser):
    expires = (now(client) + timedelta(hours=1)).isoformat()
    good = {"venue_ids": VENUES, "expires_at": expires}
    assert (await client.post("/api/organiser/enrolment-codes", json=good)).status_code == 401
    device = attendee(client, in_app)
    assert (await client.post("/api/organiser/enrolment-codes", json=good, headers=device["auth"])).status_code == 403
    for bad, status in [
        ({"venue_ids": ["no-such-venue"]}, 422),
        ({"venue_ids": []}, 422),
        ({"venue_ids": ["Bad Id"]}, 422),
        ({"expires_at": (now(client) - timedelta(minutes=1)).isoformat()}, 422),
        ({"expires_at": (now(client) + timedelta(days=31)).isoformat()}, 422),
        ({"expires_at": "2024-11-12T18:00:00"}, 422),  # no offset
        ({"max_uses": 0}, 422),
        ({"colour": "red"}, 422),
    ]:
        response = await client.post("/api/organiser/enrolment-codes", json=good | bad, headers=as_organiser)
        assert response.status_code == status, (bad, response.text)
    code = await make_code(client, as_organiser)
    qr = f"/api/organiser/enrolment-codes/{code['code']}/qr.svg"
    assert (await client.get(qr)).status_code == 401
    assert (await client.get(qr, headers=device["auth"])).status_code == 403
    missing = "/api/organiser/enrolment-codes/ABCDEFGHJKMNPQRS/qr.svg"
    assert (await client.get(missing, headers=as_organiser)).status_code == 404
    assert (await client.get("/api/organiser/volunteers", headers=device["auth"])).status_code == 403


async def test_revoking_a_volunteer(client, in_app, as_organiser):
    code = await make_code(client, as_organiser)
    volunteer = (await client.post("/api/volunteers/enrol", json={"code": code["code"]})).json()
    path = f"/api/organiser/volunteers/{volunteer['device_id']}/revoke"
    device = attendee(client, in_app)
    assert (await client.post(path)).status_code == 401
    assert (await client.post(path, headers=device["auth"])).status_code == 403

    revoked = await client.post(path, headers=as_organiser)
    assert revoked.status_code == 200
    at = revoked.json()["revoked_at"]
    assert (await client.post(path, headers=as_organiser)).json()["revoked_at"] == at
    listed = (await client.get("/api/organiser/volunteers", headers=as_organiser)).json()
    assert [v["revoked_at"] for v in listed if v["device_id"] == volunteer["device_id"]] == [at]
    issued = await new_pass(client, in_app)
    gate = {"auth": auth(volunteer["token"])}
    assert (await check_in(client, gate, issued["token"], "nha-hat-lon")).status_code == 403

    attendee_path = f"/api/organiser/volunteers/{device['id']}/revoke"
    assert (await client.post(attendee_path, headers=as_organiser)).status_code == 409
    nobody = "/api/organiser/volunteers/00000000-0000-4000-8000-000000000000/revoke"
    assert (await client.post(nobody, headers=as_organiser)).status_code == 404
    # not a device id at all: refused by its form, before any lookup
    assert (await client.post("/api/organiser/volunteers/nobody/revoke", headers=as_organiser)).status_code == 422


async def test_a_code_leaves_out_a_venue_deleted_since_and_enrols_nobody_when_none_is_left(
    client, in_app, as_organiser, fresh_programme
):
    venue = {
        "name": {"vi": "Vườn tạm", "en": "Pop-up garden"},
        "kind": "garden",
        "lat": 21.03,
        "lon": 105.85,
        "opening_hours": {"mon": [["08:00", "17:00"]]},
    }
    for ident in ("pop-up-one", "pop-up-two"):
        assert (await client.post("/api/venues", json={**venue, "id": ident}, headers=as_organiser)).status_code == 201
    only_one = await make_code(client, as_organiser, venue_ids=["pop-up-one"])
    both = await make_code(client, as_organiser, venue_ids=["pop-up-one", "hoa-lo"])
    assert (await client.delete("/api/venues/pop-up-one", headers=as_organiser)).status_code == 204

    refused = await client.post("/api/volunteers/enrol", json={"code": only_one["code"]})
    assert refused.status_code == 410, refused.text
    assert "no longer in the programme" in refused.json()["detail"]
    enrolled = await client.post("/api/volunteers/enrol", json={"code": both["code"]})
    assert enrolled.status_code == 201, enrolled.text
    assert enrolled.json()["venues"] == ["hoa-lo"]
    assert (await client.delete("/api/venues/pop-up-two", headers=as_organiser)).status_code == 204
