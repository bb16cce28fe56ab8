"""Every relative import in the PWA names a file that exists: static imports, imports for their side effects
only, re-exports and dynamic import()s. A broken lazy import shows only when someone opens that screen, and
the app has no build step that would catch it first."""

from __future__ import annotations

import re
from pathlib import Path

JS = Path(__file__).resolve().parents[2] / "pwa" / "js"
SPECIFIER = re.compile(r"""(?:\bfrom\s*|^\s*import\s*|\bimport\(\s*)['"](\.{1,2}/[^'"]+)['"]""", re.M)


def relative_imports() -> list[tuple[Path, str]]:
    return [(module, spec) for module in sorted(JS.rglob("*.js")) for spec in SPECIFIER.findall(module.read_text())]


def test_every_relative_import_names_a_file() -> None:
    missing = [
        f"{module.relative_to(JS)}: {spec}"
        for module, spec in relative_imports()
        if not (module.parent / spec).resolve().is_file()
    ]
    assert not missing


def test_the_imports_checked_are_the_imports_written() -> None:
    found = [(module.relative_to(JS).as_posix(), spec) for module, spec in relative_imports()]
    assert len(found) > 150
    # one of each kind: a named import, an import for its side effects, a dynamic import, and an import beside
    # a re-export of the same module
    assert ("page/core/main.js", "./app.js") in found
    assert ("page/checkin/ui.js", "../../lib/i18n-checkin.js") in found
    assert ("page/map/mapview.js", "../../../vendor/leaflet/leaflet.js") in found
    assert found.count(("page/schedule/travel.js", "../map/travelui.js")) == 2


#: the longest a module of the folders held to it may be; the rest of pwa/js/ does not hold to it yet (main.js,
#: map/, organiser/alerts.js, lib/planner.js, the word tables…), so only the check-in screens are checked
MAX_LINES = 200
SHORT_MODULES = ("page/checkin",)


def test_the_checkin_modules_stay_short() -> None:
    checked = [module for folder in SHORT_MODULES for module in sorted((JS / folder).glob("*.js"))]
    assert len(checked) >= 10
    long = [
        f"{m.relative_to(JS)}: {n} lines"
        for m in checked
        if (n := len(m.read_text(encoding="utf-8").splitlines())) >= MAX_LINES
    ]
    assert not long, f"split these by responsibility (under {MAX_LINES} lines each): {long}"


STATIC = re.compile(r"""(?:\bfrom\s*|^\s*import\s*)['"](\.{1,2}/[^'"]+)['"]""", re.M)
PRELOAD = re.compile(r"""<link rel="modulepreload" href="/([^"]+)">""")


def test_index_preloads_the_whole_static_module_graph_of_main() -> None:
    """index.html names every module main.js imports, directly or not, so the browser fetches them all at once
    instead of finding them one import at a time; a module added to the graph and not here waits its turn."""
    graph, todo = set(), [JS / "page" / "core" / "main.js"]
    while todo:
        module = todo.pop()
        if module in graph:
            continue
        graph.add(module)
        todo += [(module.parent / spec).resolve() for spec in STATIC.findall(module.read_text())]
    preloaded = {JS.parent / path for path in PRELOAD.findall((JS.parent / "index.html").read_text())}
    assert len(graph) > 20
    assert preloaded == graph


def test_the_header_mark_is_the_favicon() -> None:
    """index.html draws the festival's mark from its sprite (an <img> of the SVG cost a whole SVG document on every
    start); its symbol holds exactly icons/favicon.svg's drawing, so the two never part."""
    icon = (JS.parent / "icons" / "favicon.svg").read_text(encoding="utf-8")
    drawing = re.fullmatch(r'<svg xmlns="[^"]+" (viewBox="[^"]+")>(.*)</svg>\s*', icon, re.S)
    symbol = re.search(r'<symbol id="i-brand" (viewBox="[^"]+")>(.*?)</symbol>', (JS.parent / "index.html").read_text())
    assert drawing and symbol
    assert symbol.groups() == drawing.groups()
