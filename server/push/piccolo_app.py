import os

from piccolo.conf.apps import AppConfig

from server.push.tables import Alert, Delivery, Subscription, SubscriptionTopic

APP_CONFIG = AppConfig(
    app_name="push",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[Subscription, SubscriptionTopic, Alert, Delivery],
    migration_dependencies=["server.accounts.piccolo_app", "server.programme.piccolo_app"],
)
