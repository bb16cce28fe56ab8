"""`lehoi create-organiser`: an organiser for the API and /admin, from the command line."""

from __future__ import annotations

import asyncio

import click


@click.command("create-organiser")
@click.option("--email", required=True, help="The organiser's email; it is also the /admin user name.")
@click.option("--password", required=True, help="At least 6 characters; stored only as a PBKDF2 hash.")
def create_organiser(email: str, password: str) -> None:
    """Create an organiser who can sign in to the API (POST /api/auth/login) and to /admin."""
    from server.accounts.service import create_organiser as create
    from server.db.engine import with_engine
    from server.errors import LehoiError

    try:
        asyncio.run(with_engine(lambda _engine: create(email, password)))
    except LehoiError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(f"organiser {email} created")


COMMANDS = [create_organiser]
