"""The app's words: every key the code passes to t() is in the Vietnamese and the English table, and in a table
the module has loaded by then (i18n-checkin.js and i18n-wayfinding.js add theirs only when a screen that imports
them loads, so a key of theirs used elsewhere shows raw to whoever opens that screen first); a venue page opened
first shows no raw key."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

JS = Path(__file__).resolve().parents[2] / "pwa" / "js"
MODULES = {path.relative_to(JS).as_posix(): path.read_text() for path in JS.rglob("*.js")}
INDEX = (JS.parent / "index.html").read_text()
STATIC_IMPORT = re.compile(r"""^\s*(?:import|export)\s(?:[^'"]*?from\s+)?['"](\.{1,2}/[^'"]+)['"]""", re.M)

#: keys a module uses from a table it does not import, with why the table is always loaded by then
LOADED_BY_THEN = {
    ("page/schedule/schedule.js", "tight_summary"): "shown only for travel legs, which schedule/travel.js (and "
    "with it i18n-wayfinding.js) has computed",
}


def tables(module: str) -> dict[str, set[str]]:
    """The keys of a word module's `vi: {…}` and `en: {…}` tables."""
    found = {}
    for lang in ("vi", "en"):
        body = re.search(rf"^  {lang}: \{{\n(.*?)^  \}},?$", MODULES[module], re.M | re.S)
        found[lang] = set(re.findall(r"^    (\w+):", body.group(1), re.M)) if body else set()
    return found


TABLES = {m: tables(m) for m in MODULES if re.fullmatch(r"lib/i18n(-\w+)?\.js", m)}


def reachable(module: str) -> set[str]:
    """The module and every module it imports statically, through and through."""
    seen, todo = set(), [module]
    while todo:
        current = todo.pop()
        if current in seen or current not in MODULES:
            continue
        seen.add(current)
        todo += [
            posixpath.normpath(posixpath.join(posixpath.dirname(current), rel))
            for rel in STATIC_IMPORT.findall(MODULES[current])
        ]
    return seen


def first_arguments(source: str):
    """The text of the first argument of every t(…) call."""
    for call in re.finditer(r"(?<![\w.$])t\(", source):
        depth, end = 0, call.end()
        while end < len(source):
            c = source[end]
            if c in "([{":
                depth += 1
            elif c in ")]}":
                if depth == 0:
                    break
                depth -= 1
            elif c == "," and depth == 0:
                break
            end += 1
        yield source[call.end() : end]


def test_the_two_languages_have_the_same_words() -> None:
    assert set(TABLES) >= {"lib/i18n.js", "lib/i18n-checkin.js", "lib/i18n-wayfinding.js"}
    for module, table in TABLES.items():
        assert table["vi"], module
        assert table["vi"] == table["en"], (module, table["vi"] ^ table["en"])


def test_every_key_the_code_uses_is_in_a_table_it_has_loaded() -> None:
    missing = []
    for module, source in sorted(MODULES.items()):
        known = set().union(*(TABLES[m]["vi"] & TABLES[m]["en"] for m in reachable(module) if m in TABLES))
        for argument in first_arguments(source):
            # t('key'), t(on ? 'one' : 'other'), and t(`prefix_${…}`), whose prefix must start some key
            for key in re.findall(r"'(\w+)'", argument):
                if key not in known and (module, key) not in LOADED_BY_THEN:
                    missing.append((module, key))
            for prefix in re.findall(r"^\s*`(\w+)\$\{", argument):
                if not any(k.startswith(prefix) for k in known):
                    missing.append((module, f"{prefix}…"))
    frame = TABLES["lib/i18n.js"]["vi"] & TABLES["lib/i18n.js"]["en"]
    # the static frame (data-t, data-t-label) and the lazily loaded screens' titles are translated before any
    # other word module loads
    for key in re.findall(r'data-t(?:-label)?="(\w+)"', INDEX):
        if key not in frame:
            missing.append(("index.html", key))
    for key in re.findall(r"lazyScreen\([^;]*?'(\w+)'\)", MODULES["page/core/main.js"]):
        if key not in frame:
            missing.append(("page/core/main.js", key))
    assert not missing


def test_the_words_checked_are_the_words_used() -> None:
    # the check above finds the calls it checks
    calls = sum(1 for source in MODULES.values() for _ in first_arguments(source))
    assert calls > 300
    venue_keys = {k for a in first_arguments(MODULES["page/programme/venue.js"]) for k in re.findall(r"'(\w+)'", a)}
    assert "on_festival_map" in venue_keys
    for (module, key), why in LOADED_BY_THEN.items():
        assert f"'{key}'" in MODULES[module], (module, key, why)


@pytest.mark.browser
def test_a_venue_page_opened_first_shows_no_raw_key(phone) -> None:
    keys = {k for table in TABLES.values() for k in table["en"] if "_" in k}  # "back", "closed" are words too
    page = phone.new_page()
    page.goto("/#/venues/bat-trang")
    expect(page.get_by_role("heading", name="Bát Tràng ceramic village")).to_be_visible()
    expect(page.get_by_role("link", name="On the festival map")).to_have_attribute("href", "#/map?venue=bat-trang")
    words = set(re.findall(r"\b\w+\b", page.locator("body").inner_text()))
    assert not words & keys


@pytest.mark.browser
def test_the_about_text_speaks_to_festival_goers(phone) -> None:
    page = phone.new_page()
    page.goto("/#/settings")
    about = page.get_by_role("region", name="About the festival")
    expect(about).to_contain_text("Demo data")
    # the data's field name is for developers; people see the "Sample data" label on the invented items
    expect(about).not_to_contain_text(re.compile(r"sample[\"”]?\s*:\s*false"))
    expect(about).to_contain_text("Sample data")
