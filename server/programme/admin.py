"""piccolo-admin at /admin, for the same organisers as the API (Piccolo users with admin rights)."""

from __future__ import annotations

from litestar import asgi
from litestar.handlers.asgi_handlers import ASGIRouteHandler
from piccolo.apps.user.tables import BaseUser
from piccolo_admin.endpoints import TableConfig, create_admin
from piccolo_api.session_auth.tables import SessionsBase

from server.programme.checks import admin_hooks
from server.programme.tables import Announcement, Event, Festival, Trail, Venue


def admin_handler(allowed_hosts: list[str], secure_cookies: bool) -> ASGIRouteHandler:
    """The admin app mounted at /admin.

    Over https its CSRF check wants the Origin (or Referer) host among `allowed_hosts`, so behind a proxy the public
    host must be there; `secure_cookies` is piccolo-admin's `production`, which keeps its cookies to https.
    """
    app = create_admin(
        # each row checked as the API checks it: /admin must not store what would break phones' programmes
        tables=[TableConfig(t, hooks=admin_hooks(t)) for t in (Festival, Venue, Event, Trail, Announcement)],
        auth_table=BaseUser,
        session_table=SessionsBase,
        site_name="lehoi admin",
        allowed_hosts=allowed_hosts,
        production=secure_cookies,
    )
    return asgi("/admin", is_mount=True, copy_scope=True)(app)
