"""Search that ignores case and Vietnamese diacritics, ranked the same way on server and phone.

The PWA's js/lib/search.js implements these exact rules; tests/unit/test_search_parity.py keeps them equal.
Ranking (higher first): the whole name equals the query 100; the name starts with it 80; every query word
starts a word of the name 60; the name contains it 50; every query word found in the other fields 20.
Ties: venues before events, then by English name, then id.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lowercase ascii words: "Làng gốm Bát Tràng" → "lang gom bat trang"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.lower()).strip()


def score(query: str, names: list[str], others: list[str]) -> float:
    """How well a record matches an already folded query; 0 means no match."""
    if not query:
        return 0.0
    words = query.split()
    best = 0.0
    for name in names:
        if name == query:
            return 100.0
        if name.startswith(query):
            best = max(best, 80.0)
            continue
        name_words = name.split()
        if all(any(nw.startswith(w) for nw in name_words) for w in words):
            best = max(best, 60.0)
        elif query in name:
            best = max(best, 50.0)
    if best:
        return best
    # elsewhere (descriptions, the venue of an event) the words must be words there, the last one as typed so
    # far a beginning: any two letters are inside some long text, which buried the match under noise
    haystack = set(" ".join(names + others).split())
    *whole, last = words
    if all(w in haystack for w in whole) and any(h.startswith(last) for h in haystack):
        return 20.0
    return 0.0
