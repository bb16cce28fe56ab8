import os

from piccolo.conf.apps import AppConfig

from server.checkin.tables import Pass, PassKey, RevokedPass, Scan, Stamp

APP_CONFIG = AppConfig(
    app_name="checkin",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[Pass, RevokedPass, PassKey, Scan, Stamp],
    # the change-log triggers on revoked_pass and pass_key need syncing's tables and function
    migration_dependencies=["server.syncing.piccolo_app", "server.accounts.piccolo_app"],
)
