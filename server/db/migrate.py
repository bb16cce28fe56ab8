"""Running Piccolo's migrations from code, quietly."""

from __future__ import annotations

import contextlib
import io


async def migrate_all() -> None:
    """Apply every pending migration of every app; raises if one fails."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    with contextlib.redirect_stdout(io.StringIO()) as out:
        response = await run_forwards(app_name="all")
    if not response.success:
        raise RuntimeError(f"migrations failed: {response.message}\n{out.getvalue()}")
