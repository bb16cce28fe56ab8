"""/admin (piccolo-admin) accepts the same organisers, and its edits reach phones through the change feed."""

from __future__ import annotations

from conftest import ORGANISER


async def admin_login(client, email: str, password: str):
    await client.get("/admin/")
    csrf = client.cookies.get("csrftoken")
    response = await client.post(
        "/admin/public/login/", json={"username": email, "password": password}, headers={"X-CSRFToken": csrf}
    )
    return response, csrf


async def test_admin_refuses_strangers(client):
    response, _ = await admin_login(client, ORGANISER[0], "wrong password")
    assert response.status_code in (401, 403)
    assert (await client.get("/admin/api/tables/")).status_code == 401


async def test_admin_edit_is_logged_for_phones(client, fresh_programme):
    response, csrf = await admin_login(client, *ORGANISER)
    assert response.status_code == 200, response.text
    assert set((await client.get("/admin/api/tables/")).json()) >= {"venue", "event", "trail", "festival"}
    version = (await client.get("/api/festival")).json()["version"]
    event_id = (await client.get("/api/events", params={"day": "2024-11-13"})).json()[0]["id"]
    edit = await client.patch(
        f"/admin/api/tables/event/{event_id}/", json={"title_en": "Renamed in admin"}, headers={"X-CSRFToken": csrf}
    )
    assert edit.status_code == 200, edit.text
    client.app.state.snapshots.invalidate()
    feed = (await client.get("/api/sync/changes", params={"since": version})).json()
    assert [e["title"]["en"] for e in feed["upserts"]["event"]] == ["Renamed in admin"]
    client.cookies.clear()
