"""The phone's search (pwa/js/lib/search.js) finds and ranks exactly what the server's does.

The server's own code (server.programme.search and Snapshot.search) answers a few hundred queries over the
demo festival; Node's test runner then checks search.js against those answers (tests/js/search_parity.test.mjs),
and checks its fold() against Python's on every Unicode code point.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import msgspec

from server.programme import schemas
from server.programme.fixtures import parse_file
from server.programme.search import fold
from server.programme.snapshot import Snapshot

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "hcdf2024.json"

HAND_PICKED = [
    "bat trang",
    "Bát Tràng",
    "BÁT TRÀNG",
    "ha noi",
    "Hà Nội",
    "hanoi",
    "gốm",
    "gom",
    "pottery",
    "workshop",
    "hoan kiem",
    "Hoàn Kiếm",
    "tour",
    "Đông",
    "dong",
    "đường",
    "duong",
    "cung thieu nhi",
    "art deco",
    "nhiep anh",
    "NHIẾP ẢNH",
    "x",
    "a",
    "ceramic village",
    "music",
    "free",
    "indochina",
    "  spaces   around  ",
    "!!!",
    "100",
    "xyz nothing",
    "lang",
    "làng",
    "garden",
    "creative space",
    "craft village",
    "craft_village",
    "2024",
    "the",
    "vuon hoa",
    "dien hong",
    "bac bo phu",
    "incense",
    "huong",
    "quang phu cau",
    "lacquer",
    "son mai",
    "silk",
    "van phuc",
    "lua",
    "tranh",
    "dong ho",
    "exhibition",
    "installation",
    "talk",
    "film",
    "fashion",
    "market",
    "performance",
    "photo walk",
    "the pavilion",
    "o",
    "ng",
    "tr",
    "1930s",
    "art",
    "design",
    "thiet ke",
    "sáng tạo",
    "sang tao",
    "Hanoi Creative",
    "heritage tour",
    "museum",
    "bảo tàng",
    "bao tang",
    "children",
]


def demo_snapshot() -> tuple[Snapshot, list[schemas.Venue], list[schemas.Event]]:
    _, venues_in, events_in, _ = parse_file(DEMO)
    venues = [msgspec.convert(msgspec.to_builtins(v), schemas.Venue) for v in venues_in]
    events = [msgspec.convert(msgspec.to_builtins(e), schemas.Event) for e in events_in]
    events.sort(key=lambda e: (e.starts_at, e.id))
    snapshot = Snapshot(
        version=1, festival=None, venues={v.id: v for v in venues}, events=events, trails={}, announcements=[]
    )
    return snapshot, venues, events


def queries(venues: list[schemas.Venue], events: list[schemas.Event]) -> list[str]:
    """Hand-picked words, every name and title in both languages, and prefixes of their words."""
    out = list(HAND_PICKED)
    for text in [t for v in venues for t in (v.name.vi, v.name.en)] + [
        t for e in events for t in (e.title.vi, e.title.en)
    ]:
        out.append(text)
        words = text.split()
        out.append(" ".join(words[:2]))
        out.append(words[-1][:3])
        out.append(fold(text)[: max(1, len(fold(text)) // 2)])
    return list(dict.fromkeys(out))


def fold_samples() -> list[str]:
    """Every code point (but surrogates) alone and between two ASCII letters, plus Vietnamese sentences."""
    chars = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    # Code points Python's Unicode database does not know may have a newer meaning in Node's ICU.
    known = [c for c in chars if unicodedata.category(c) != "Cn"]
    return (
        known
        + ["a" + c + "b" for c in known]
        + [
            "Làng gốm Bát Tràng",
            "ĐƯỜNG PHỐ Hà Nội",
            "Nhiếp ảnh làng hương",
            "Tiếng Việt có dấu: ă â ê ô ơ ư đ",
            "Café  crème—brûlée",
            "İstanbul",
            "ǅemal",
            "ﬁne ﬂow",
            "Ⅻ",
            "①②",
            "x²",
            "Ǆ",
            "ß",
            "ﬃ",
        ]
    )


def test_the_phone_searches_like_the_server(node_test) -> None:
    snapshot, venues, events = demo_snapshot()
    cases = []
    for q in queries(venues, events):
        hits = snapshot.search(q)
        cases.append({"q": q, "expected": [[h.type, h.id, h.score] for h in hits]})
    assert sum(1 for c in cases if c["expected"]) > 200, "the queries should find things"
    assert any(len(c["expected"]) == 50 for c in cases), "some query should reach the 50-result limit"
    samples = fold_samples()
    vectors = {
        "venues": msgspec.to_builtins(venues),
        "events": msgspec.to_builtins(events),
        "cases": cases,
        "fold": {"inputs": samples, "expected": [fold(s) for s in samples]},
    }
    node_test("search_parity.test.mjs", "LEHOI_SEARCH_VECTORS", vectors)
