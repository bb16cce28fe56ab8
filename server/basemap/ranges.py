"""One byte range out of a `Range` header, as RFC 9110 §14 says a server may answer it.

A header that does not parse is ignored (the whole representation is sent), as §14.2 says; so is a request for
more than one range: §14.2 lets a server ignore the field, and a PMTiles reader asks for one range at a time, so
lehoi never builds a multipart/byteranges answer.
"""

from __future__ import annotations

import re

#: `bytes=first-last`, `bytes=first-` or `bytes=-suffix`, with the optional whitespace §14.1.1 allows
_ONE_RANGE = re.compile(r"\s*bytes\s*=\s*(?:(\d+)\s*-\s*(\d*)|-\s*(\d+))\s*", re.IGNORECASE | re.ASCII)


class Unsatisfiable(Exception):
    """The range lies wholly past the end of the representation (answered 416)."""


def byte_range(header: str | None, length: int) -> tuple[int, int] | None:
    """The (first, last) byte positions, inclusive, that `header` asks for in `length` bytes; None to send the
    whole representation (no header, a malformed one, several ranges). Raises `Unsatisfiable`."""
    if header is None:
        return None
    match = _ONE_RANGE.fullmatch(header)
    if match is None:
        return None
    first, last, suffix = match.groups()
    if suffix is not None:
        if int(suffix) == 0 or length == 0:
            raise Unsatisfiable
        return max(0, length - int(suffix)), length - 1
    start = int(first)
    if last and int(last) < start:
        return None  # first > last is an invalid range-spec: the field is ignored (§14.1.1)
    if start >= length:
        raise Unsatisfiable
    return start, min(int(last), length - 1) if last else length - 1
