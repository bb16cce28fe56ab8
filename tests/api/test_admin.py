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


async def admin_post_from(origin: str, **settings) -> tuple[int, str]:
    """What /admin answers a state-changing request from a page at `origin`, served as https://lehoi.example
    (as behind a TLS proxy), with these settings; the request carries a valid CSRF token and no session."""
    from litestar import Litestar
    from litestar.handlers.asgi_handlers import ASGIRouteHandler
    from litestar.testing import AsyncTestClient

    from server.accounts.domain import domain
    from server.settings import load_settings

    admin = [h for h in domain(load_settings(**settings)).route_handlers if isinstance(h, ASGIRouteHandler)]
    async with AsyncTestClient(app=Litestar(route_handlers=admin), base_url="https://lehoi.example") as client:
        await client.get("/admin/")
        csrf = client.cookies.get("csrftoken")
        response = await client.post("/admin/api/tables/event/", json={},
                                     headers={"X-CSRFToken": csrf, "Origin": origin})
        return response.status_code, response.text


async def test_admin_behind_a_tls_proxy_admits_its_public_host_only():
    # the CSRF check passed; no session, so not signed in
    assert (await admin_post_from("https://lehoi.example", public_url="https://lehoi.example"))[0] == 401
    assert await admin_post_from("https://evil.example", public_url="https://lehoi.example") == (
        403, "Referer or origin is incorrect")
    # without LEHOI_PUBLIC_URL the public host is a stranger: organisers could not sign in behind the proxy
    assert (await admin_post_from("https://lehoi.example"))[0] == 403
