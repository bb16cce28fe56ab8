"""Unpadded base64url (RFC 4648 §5), decoded strictly.

Tokens are signed over their text, so any second spelling of the same bytes would let a changed token verify.
Python's own decoder accepts several: it skips characters outside the alphabet, takes ``+`` and ``/`` beside
``-`` and ``_``, and ignores the unused low bits of the last character. ``decode`` accepts exactly one text
for each byte string, the one ``encode`` writes.
"""

import base64
import re

_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")


def encode(data: bytes) -> str:
    """Unpadded base64url text of ``data``."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode(text: str) -> bytes:
    """The bytes whose ``encode`` is exactly ``text``; ``ValueError`` for any other text."""
    if not _ALPHABET.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not unpadded base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if encode(data) != text:
        raise ValueError("non-canonical base64url: unused bits are set")
    return data
