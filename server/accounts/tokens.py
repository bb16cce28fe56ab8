"""Bearer tokens: random, prefixed by the kind of holder, stored only as a SHA-256 (`server.auth.token_hash`)."""

from __future__ import annotations

import secrets

from server.auth import token_hash

ORGANISER_PREFIX = "org_"
DEVICE_PREFIX = "dev_"


def new_token(prefix: str) -> tuple[str, str]:
    """A fresh (token, hash) pair."""
    token = prefix + secrets.token_urlsafe(32)
    return token, token_hash(token)
