"""lehoi: the festival companion server."""

import os

# Piccolo finds its engine through this module path; set before any table is used.
os.environ.setdefault("PICCOLO_CONF", "server.db.piccolo_conf")
