"""`lehoi load-fixtures`: idempotent, and a broken file names the record and field and changes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "hcdf2024.json"


def lehoi(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LEHOI_DATA_DIR": str(tmp_path / "data"), "LEHOI_DATABASE_URL": ""}
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def broken_copy(tmp_path: Path, edit) -> Path:
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("fixtures")
    assert lehoi(tmp, "migrate").returncode == 0
    first = lehoi(tmp, "load-fixtures")
    assert first.returncode == 0, first.stderr
    assert "0 updated" in first.stdout and " inserted" in first.stdout
    return tmp


def version(tmp: Path) -> int:
    import sqlite3

    with sqlite3.connect(tmp / "data" / "lehoi.sqlite") as db:
        return db.execute("SELECT version FROM programme_version").fetchone()[0]


def test_second_load_changes_nothing(loaded):
    before = version(loaded)
    again = lehoi(loaded, "load-fixtures")
    assert again.returncode == 0, again.stderr
    assert "0 inserted, 0 updated" in again.stdout
    assert version(loaded) == before


@pytest.mark.parametrize(
    ("edit", "names"),
    [
        (lambda d: d["events"][3].update(starts_at="yesterday"), ["events[3]", "starts_at"]),
        (lambda d: d["venues"][5].update(lat=123.0), ["venues[5]", "lat"]),
        (lambda d: d["events"][7].update(venue_id="atlantis"), ["events[7]", "atlantis"]),
        (lambda d: d["events"][9]["title"].pop("en"), ["events[9]", "en"]),
        (lambda d: d["trails"][0]["stops"].append("nowhere"), ["trails[0]", "nowhere"]),
        (lambda d: d["events"].append(dict(d["events"][0])), ["events", "duplicate"]),
    ],
)
def test_a_broken_file_changes_nothing_and_says_where(loaded, tmp_path, edit, names):
    before = version(loaded)
    path = broken_copy(tmp_path, edit)
    result = lehoi(loaded, "load-fixtures", str(path))
    assert result.returncode != 0
    for name in names:
        assert name in result.stderr
    assert "nothing was loaded" in result.stderr
    assert version(loaded) == before


def test_not_json_at_all(loaded, tmp_path):
    path = tmp_path / "nonsense.json"
    path.write_text("{ this is not json", encoding="utf-8")
    result = lehoi(loaded, "load-fixtures", str(path))
    assert result.returncode != 0 and "cannot read JSON" in result.stderr
