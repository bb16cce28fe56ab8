import os

from piccolo.conf.apps import AppConfig

from server.syncing.tables import AppliedMutation, ChangeLog, ProgrammeVersion

APP_CONFIG = AppConfig(
    app_name="syncing",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[ProgrammeVersion, ChangeLog, AppliedMutation],
)
