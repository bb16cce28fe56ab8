import os

from piccolo.conf.apps import AppConfig

from server.db.tables import RateLimitWindow

APP_CONFIG = AppConfig(
    app_name="kernel",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[RateLimitWindow],
)
