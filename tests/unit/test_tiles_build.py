"""`lehoi tiles build`: the demo extract becomes a PMTiles archive; a broken extract or a missing tilemaker writes
nothing and keeps the archive there was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from pmtiles.reader import MemorySource, Reader

from server.basemap.build import BuildError, build
from server.cli import main
from server.resources import DEMO_EXTRACT

TILEMAKER = Path("/usr/bin/tilemaker")


@pytest.fixture(scope="module", autouse=True)
def require_tilemaker() -> None:
    if not TILEMAKER.exists():
        message = "lehoi tiles build was not tested: /usr/bin/tilemaker is missing (Debian: apt install tilemaker)"
        if os.environ.get("LEHOI_REQUIRE_ALL_TESTS") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(autouse=True)
def keep_the_sessions_data_dir(monkeypatch) -> None:
    # `lehoi --data-dir` sets LEHOI_DATA_DIR in this process: monkeypatch puts the session's value back, so the
    # worker subprocesses of later tests still find the suite's database
    monkeypatch.setenv("LEHOI_DATA_DIR", os.environ.get("LEHOI_DATA_DIR", ""))


def _tiles(runner: CliRunner, data_dir: Path, *args: str):
    return runner.invoke(main, ["--data-dir", str(data_dir), "tiles", "build", *args])


def test_the_demo_extract_becomes_a_basemap_like_the_shipped_one(tmp_path):
    runner = CliRunner()
    result = _tiles(runner, tmp_path)
    assert result.exit_code == 0, result.output
    built = tmp_path / "tiles" / "hanoi-centre.pmtiles"
    assert f"{built}: " in result.output
    # the same extract in the same place gives the same bytes, so phones download again only when the map changes
    again = _tiles(runner, tmp_path / "again")
    assert again.exit_code == 0, again.output
    assert (tmp_path / "again" / "tiles" / "hanoi-centre.pmtiles").read_bytes() == built.read_bytes()
    # tilemaker's bytes differ a little from one checkout path to another: the shipped archive (made by this
    # command) has the same header and nearly the same size, not the same bytes
    header = Reader(MemorySource(built.read_bytes())).header()
    shipped = Reader(MemorySource((DEMO_EXTRACT.parent / "hanoi-centre.pmtiles").read_bytes())).header()
    assert header["max_zoom"] == 14 and header["min_lon_e7"] < 1058542000 < header["max_lon_e7"]
    keys = ("min_zoom", "max_zoom", "min_lon_e7", "min_lat_e7", "max_lon_e7", "max_lat_e7", "addressed_tiles_count")
    assert {k: header[k] for k in keys} == {k: shipped[k] for k in keys}
    assert abs(built.stat().st_size - (DEMO_EXTRACT.parent / "hanoi-centre.pmtiles").stat().st_size) < 4096
    assert not list(built.parent.glob("*.partial"))


def test_a_broken_extract_keeps_the_archive_there_was(tmp_path):
    out = tmp_path / "map.pmtiles"
    out.write_bytes(b"the previous archive")
    truncated = tmp_path / "truncated.osm.pbf"
    truncated.write_bytes(DEMO_EXTRACT.read_bytes()[:100_000])
    garbage = tmp_path / "garbage.osm.pbf"
    garbage.write_bytes(b"<osm>not a pbf</osm>")
    runner = CliRunner()
    for extract, says in (
        (truncated, "tilemaker could not read"),
        (garbage, "is not an OpenStreetMap PBF file"),
        (tmp_path / "missing.osm.pbf", "no such file"),
    ):
        result = _tiles(runner, tmp_path, str(extract), "--out", str(out))
        assert result.exit_code == 1 and "no basemap was written" in result.output and says in result.output
        assert out.read_bytes() == b"the previous archive"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["garbage.osm.pbf", "map.pmtiles", "truncated.osm.pbf"]


def test_without_tilemaker_nothing_is_written(tmp_path):
    out = tmp_path / "map.pmtiles"
    with pytest.raises(BuildError, match="not installed"):
        build(DEMO_EXTRACT, out, tilemaker=str(tmp_path / "no-tilemaker"))
    assert not out.exists()
