"""Organisers (Piccolo users with admin rights) and their sign-in tokens."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from piccolo.apps.user.tables import BaseUser

from server.accounts.tables import OrganiserToken
from server.accounts.tokens import ORGANISER_PREFIX, new_token
from server.clock import wall_seconds
from server.db.engine import is_postgres
from server.errors import Conflict, Invalid

ORGANISER_TOKEN_LIFETIME = timedelta(days=14)


async def create_organiser(email: str, password: str) -> int:
    """A new organiser who can sign in to the API and to /admin; refuses a taken email or a weak password."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise Invalid(f"{email!r} is not an email address")
    if await _username(email) is not None:
        raise Conflict(f"an organiser {email!r} already exists")
    try:
        user = await BaseUser.create_user(
            username=email, password=password, email=email, admin=True, superuser=True, active=True
        )
    except ValueError as exc:
        raise Invalid(str(exc)) from exc
    return user.id


async def _username(email: str) -> str | None:
    """The organiser's user name for this email in any case (phone keyboards capitalise the first letter)."""
    # SQLite's LIKE ignores ASCII case as PostgreSQL's ILIKE does; both also match their wildcards, so they
    # only narrow the candidates, compared exactly here
    email = email.strip()
    column = BaseUser.username
    match = column.ilike(email) if is_postgres(BaseUser._meta.db) else column.like(email)
    candidates = await BaseUser.select(column).where(match)
    return next((c["username"] for c in candidates if c["username"].casefold() == email.casefold()), None)


async def login(email: str, password: str, now: datetime) -> tuple[str, datetime] | None:
    """A bearer token for an active organiser with this password, or None."""
    # an unknown email still goes through BaseUser.login, whose time does not tell who is an organiser
    user_id = await _password_matches(await _username(email) or email, password)
    if user_id is None:
        return None
    if not await BaseUser.exists().where((BaseUser.id == user_id) & (BaseUser.admin == True)):  # noqa: E712
        return None
    token, digest = new_token(ORGANISER_PREFIX)
    expires_at = now + ORGANISER_TOKEN_LIFETIME
    await OrganiserToken.insert(OrganiserToken(token_hash=digest, user=user_id, created_at=now, expires_at=expires_at))
    return token, expires_at


async def _password_matches(username: str, password: str) -> int | None:
    """`BaseUser.login` with its hashing in a worker thread: PBKDF2 takes a large part of a second, which held every
    other request up on the event loop (hashlib lets go of the GIL while it works)."""
    if len(username) > BaseUser.username.length or len(password) > BaseUser._max_password_length:
        return None
    row = await BaseUser.select(BaseUser.id, BaseUser.password).where(BaseUser.username == username).first()
    if row is None:
        await asyncio.to_thread(BaseUser.hash_password, password)  # as long as for a known user: nobody is told
        return None
    _algorithm, iterations, salt, _hashed = BaseUser.split_stored_password(row["password"])
    if await asyncio.to_thread(BaseUser.hash_password, password, salt, int(iterations)) != row["password"]:
        return None
    if int(iterations) != BaseUser._pbkdf2_iteration_count:  # hashed by an older Piccolo: at today's strength
        await BaseUser.update_password(username, password)
    # the machine's time, naive, as Piccolo and /admin write it
    last_login = datetime.fromtimestamp(wall_seconds())
    await BaseUser.update({BaseUser.last_login: last_login}).where(BaseUser.username == username)
    return row["id"]
