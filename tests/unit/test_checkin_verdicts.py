"""The scan verdict rules, the occupancy model and the poster layout, without a server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.checkin import occupancy as occ
from server.checkin import posters
from server.checkin.scans import TokenCheck, Verdict, judge
from server.programme.schemas import LongTextPair, Text, Venue

AT = datetime(2024, 11, 12, 3, 0, tzinfo=UTC)
GOOD = TokenCheck(pass_id="Ab3dE9z")


def verdict(token=GOOD, *, revoked_at=None, enrolled=True, full=False, prior=None, offline=False, shown=None):
    return judge(
        token,
        revoked_at=revoked_at,
        at=AT,
        enrolled=enrolled,
        full=full,
        prior_device=prior,
        device_id="me",
        offline=offline,
        shown=shown,
    )


def test_a_good_scan_is_accepted():
    assert verdict() == Verdict("accepted")


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        # each row breaks every later rule too: the first broken rule in the order of docs/contract.md names the verdict
        (
            dict(token=TokenCheck(None, "invalid_signature"), revoked_at=AT, enrolled=False, full=True, prior="x"),
            "invalid_signature",
        ),
        (
            dict(token=TokenCheck(None, "unknown_key"), revoked_at=AT, enrolled=False, full=True, prior="x"),
            "unknown_key",
        ),
        (dict(token=TokenCheck("p", expired=True), revoked_at=AT, enrolled=False, full=True, prior="x"), "revoked"),
        (dict(token=TokenCheck("p", expired=True), enrolled=False, full=True, prior="x"), "expired"),
        (dict(enrolled=False, full=True, prior="x"), "not_enrolled"),
        (dict(full=True, prior="x"), "capacity_full"),
        (dict(prior="x"), "already_checked_in"),
    ],
)
def test_checks_run_in_design_order(kwargs, reason):
    assert verdict(**kwargs).reason == reason


def test_a_revocation_after_the_scan_does_not_count():
    assert verdict(revoked_at=AT + timedelta(seconds=1)) == Verdict("accepted")
    assert verdict(revoked_at=AT).reason == "revoked"


def test_conflicts_flag_only_what_an_offline_phone_could_not_know():
    assert verdict(revoked_at=AT, offline=True).conflicts == ("revoked",)
    assert verdict(revoked_at=AT, offline=True, shown="accepted").conflicts == ("revoked",)
    assert verdict(revoked_at=AT, offline=True, shown="revoked").conflicts == ()
    assert verdict(revoked_at=AT).conflicts == ()  # online: the server refused it there and then
    assert verdict(prior="other", offline=True).conflicts == ("double_scan",)
    assert verdict(prior="me", offline=True).conflicts == ()  # its own earlier scan: the phone knew
    assert verdict(prior="other").conflicts == ()


def venue(kind="heritage", capacity=None) -> Venue:
    return Venue(
        id="v",
        name=Text(vi="Văn Miếu – Quốc Tử Giám", en="Temple of Literature"),
        kind=kind,
        district="Đống Đa",
        address=LongTextPair(vi="58 Quốc Tử Giám", en=""),
        lat=21.0,
        lon=105.8,
        opening_hours={},
        festival_hours={},
        capacity=capacity,
        accessibility=LongTextPair(),
        description=LongTextPair(),
        role="",
        sample=True,
    )


@pytest.mark.parametrize(
    ("count", "level"),
    [(0, "low"), (49, "low"), (50, "medium"), (79, "medium"), (80, "high"), (99, "high"), (100, "full"), (250, "full")],
)
def test_levels_against_capacity(count, level):
    assert occ.level(count, venue(capacity=100)) == level
    assert occ.is_full(count, venue(capacity=100)) == (count >= 100)


def test_a_venue_without_capacity_is_never_full():
    garden = venue("garden")
    assert occ.level(10_000, garden) == "high" and not occ.is_full(10_000, garden)
    assert occ.level(10, garden) == "low"
    assert occ.window(garden) == timedelta(minutes=45)
    assert occ.window(venue("craft_village")) == timedelta(minutes=120)


def test_the_poster_layout_fits_the_page_and_wraps_long_names():
    long = venue()
    long = Venue(
        **{
            **{f: getattr(long, f) for f in long.__struct_fields__},
            "name": Text(vi="Không gian sáng tạo " * 6, en="A creative space with a very long name " * 3),
        }
    )
    for v in (venue(), long):
        elements = posters.layout(v, None, "S1.token.signature", "k1")
        code = next(e for e in elements if isinstance(e, posters.Code))
        texts = [e for e in elements if isinstance(e, posters.Text)]
        assert code.size >= 80 and code.y + code.size < posters.PAGE_H - 40
        assert all(0 < t.y < posters.PAGE_H for t in texts)
        assert all(posters.estimate(t.text, t.size, t.bold) <= posters.PAGE_W - 2 * posters.MARGIN + 1 for t in texts)


def test_two_line_names_are_balanced():
    lines = posters.wrap("Làng mây tre đan Phú Vinh", 12, True, 150, posters.estimate)
    assert len(lines) == 2 and all(len(line.split()) >= 2 for line in lines)


def test_pdf_posters(tmp_path):
    writer = posters.PdfWriter(tmp_path / "p.pdf")
    for _ in range(2):
        writer.page(posters.layout(venue(), None, "S1.token.signature", "k1", writer.measure))
    writer.close()
    data = (tmp_path / "p.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") >= 2
    if writer.warning is None:  # a font with Vietnamese letters was found and embedded
        assert b"FontFile2" in data
