"""Piccolo's configuration: the engine and the app registry, nothing else."""

from piccolo.conf.apps import AppRegistry

from server.db.engine import make_engine
from server.settings import load_settings

DB = make_engine(load_settings())

APP_REGISTRY = AppRegistry(
    apps=[
        "piccolo.apps.user.piccolo_app",
        "piccolo_api.session_auth.piccolo_app",
        "server.db.piccolo_app",
        "server.programme.piccolo_app",
        "server.syncing.piccolo_app",
        "server.accounts.piccolo_app",
        "server.checkin.piccolo_app",
        "server.push.piccolo_app",
    ]
)
