import os

from piccolo.conf.apps import AppConfig

from server.accounts.tables import Device, EnrolmentCode, Favourite, OrganiserToken

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[Device, OrganiserToken, Favourite, EnrolmentCode],
    migration_dependencies=["piccolo.apps.user.piccolo_app"],
)
