import os

from piccolo.conf.apps import AppConfig

from server.programme.tables import Announcement, Event, Festival, Trail, Venue

APP_CONFIG = AppConfig(
    app_name="programme",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[Festival, Venue, Event, Trail, Announcement],
    # the change-log triggers on these tables write syncing's log with syncing's function
    migration_dependencies=["server.syncing.piccolo_app"],
)
