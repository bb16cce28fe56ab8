"""/admin (piccolo-admin) accepts the same organisers, and its edits reach phones through the change feed."""

from __future__ import annotations

from conftest import ORGANISER

from tests.support.bundles import current_bundle


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


async def admin_post_from(origin: str, **settings) -> tuple[int, str]:
    """What /admin answers a state-changing request from a page at `origin`, served as https://lehoi.example
    (as behind a TLS proxy), with these settings; the request carries a valid CSRF token and no session."""
    from litestar import Litestar
    from litestar.handlers.asgi_handlers import ASGIRouteHandler
    from litestar.testing import AsyncTestClient

    from server.programme.domain import domain
    from server.settings import load_settings

    admin = [h for h in domain(load_settings(**settings)).route_handlers if isinstance(h, ASGIRouteHandler)]
    async with AsyncTestClient(app=Litestar(route_handlers=admin), base_url="https://lehoi.example") as client:
        await client.get("/admin/")
        csrf = client.cookies.get("csrftoken")
        response = await client.post(
            "/admin/api/tables/event/", json={}, headers={"X-CSRFToken": csrf, "Origin": origin}
        )
        return response.status_code, response.text


async def test_admin_behind_a_tls_proxy_admits_its_public_host_only():
    # the CSRF check passed; no session, so not signed in
    assert (await admin_post_from("https://lehoi.example", public_url="https://lehoi.example"))[0] == 401
    assert await admin_post_from("https://evil.example", public_url="https://lehoi.example") == (
        403,
        "Referer or origin is incorrect",
    )
    # without LEHOI_PUBLIC_URL the public host is a stranger: organisers could not sign in behind the proxy
    assert (await admin_post_from("https://lehoi.example"))[0] == 403


async def test_admin_refuses_what_the_api_refuses_and_stores_nothing(client, fresh_programme):
    _, csrf = await admin_login(client, *ORGANISER)
    headers = {"X-CSRFToken": csrf}
    venue = (await client.get("/api/venues")).json()[0]
    event = (await client.get("/api/events", params={"day": "2024-11-13"})).json()[0]
    before = (await current_bundle(client)).json()["version"]
    refusals = [
        (f"/admin/api/tables/venue/{venue['id']}/", {"lat": 999}, "lat"),
        (f"/admin/api/tables/venue/{venue['id']}/", {"kind": "zoo"}, "kind"),
        (f"/admin/api/tables/venue/{venue['id']}/", {"capacity": -3}, "capacity"),
        (f"/admin/api/tables/event/{event['id']}/", {"title_en": ""}, "title"),
        (f"/admin/api/tables/event/{event['id']}/", {"ends_at": "2024-11-01T10:00:00+07:00"}, "ends_at"),
        (f"/admin/api/tables/event/{event['id']}/", {"category": "Not A Category"}, "category"),
    ]
    for path, change, field in refusals:
        response = await client.patch(path, json=change, headers=headers)
        assert response.status_code == 422 and field in response.text, (change, response.status_code, response.text)
    new_venue = {"name_vi": "Vườn thú Thủ Lệ", "name_en": "Thu Le Zoo", "kind": "zoo", "lat": 21.03, "lon": 105.8}
    response = await client.post("/admin/api/tables/venue/", json=new_venue, headers=headers)
    assert response.status_code == 422 and "kind" in response.text, response.text
    client.app.state.snapshots.invalidate()
    bundle = await current_bundle(client)
    assert bundle.status_code == 200 and bundle.json()["version"] == before  # nothing was written
    assert (await client.get(f"/api/venues/{venue['id']}")).json()["lat"] == venue["lat"]
    assert (await client.get("/api/venues/vuon-thu-thu-le")).status_code == 404
    client.cookies.clear()


async def test_a_venue_made_in_admin_gets_an_id_from_its_name(client, fresh_programme):
    _, csrf = await admin_login(client, *ORGANISER)
    new_venue = {"name_vi": "Vườn thú Thủ Lệ", "name_en": "Thu Le Zoo", "kind": "garden", "lat": 21.03, "lon": 105.8}
    made = []
    try:
        for expected in ("vuon-thu-thu-le", "vuon-thu-thu-le-2"):
            response = await client.post("/admin/api/tables/venue/", json=new_venue, headers={"X-CSRFToken": csrf})
            assert response.status_code == 201, response.text
            made.append(expected)
            client.app.state.snapshots.invalidate()
            venue = (await client.get(f"/api/venues/{expected}")).json()
            assert (venue["name"]["en"], venue["kind"], venue["opening_hours"]) == ("Thu Le Zoo", "garden", {})
    finally:  # the demo festival's reload leaves venues it does not know
        for ident in made:
            await client.delete(f"/admin/api/tables/venue/{ident}/", headers={"X-CSRFToken": csrf})
        client.cookies.clear()
