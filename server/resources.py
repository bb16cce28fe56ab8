"""Where the files lehoi ships beside its code are: the PWA, the demo festival, and the OpenStreetMap extract of
central Hanoi with its prebuilt basemap (and the README that carries their ODbL notice).

A source checkout (and so an editable install, `make run` and the tests) reads them in place, in the repository's
pwa/ and fixtures/. A wheel cannot reach the repository, so its build (setup.py) copies them into a shipped/
folder beside this module, with the same layout; that copy exists only in an installed wheel (never in a
checkout), so it is the one to use when present."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_INSTALLED = _PACKAGE / "shipped"
#: the folder holding pwa/ and fixtures/: the wheel's copy when installed, else the checkout around this package
ROOT = _INSTALLED if _INSTALLED.is_dir() else _PACKAGE.parent

#: the web app, served at /
PWA_DIR = ROOT / "pwa"
#: the HCDF 2024 demo festival, loaded by `lehoi serve` into an empty database and by `lehoi load-fixtures`
DEMO_FESTIVAL = ROOT / "fixtures" / "hcdf2024.json"
#: the demo's OpenStreetMap extract (© OpenStreetMap contributors, ODbL: see README.md in the same folder) and the
#: basemap archives prebuilt from it
OSM_DIR = ROOT / "fixtures" / "osm"
#: the street network `lehoi serve` imports when the data directory has no road graph yet; `lehoi tiles build`'s
#: default extract
DEMO_EXTRACT = OSM_DIR / "hanoi-centre.osm.pbf"
