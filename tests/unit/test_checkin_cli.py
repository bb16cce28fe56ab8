"""`lehoi keys list|rotate|retire` and `lehoi posters`, run as a person would, against their own SQLite data dir."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def lehoi(tmp_path_factory):
    data = tmp_path_factory.mktemp("cli-data")
    # the festival clock the commands must follow, far from the real time
    env = {
        **os.environ,
        "LEHOI_DATA_DIR": str(data),
        "LEHOI_DATABASE_URL": "",
        "COLUMNS": "200",
        "LEHOI_NOW": "2024-11-12T10:00+07:00",
    }
    env.pop("LEHOI_SIGNING_KEYS", None)

    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "server.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        if ok:
            assert done.returncode == 0, done.stdout + done.stderr
        return done

    run("migrate")
    run("load-fixtures")
    run.data = data
    return run


def published(data: Path) -> dict[str, str | None]:
    with sqlite3.connect(data / "lehoi.sqlite") as db:
        return dict(db.execute("SELECT id, retired_at FROM pass_key"))


def test_keys_rotate_retire_and_list(lehoi):
    listed = lehoi("keys", "list").stdout
    assert "k1" in listed and "yes" in listed
    rotated = lehoi("keys", "rotate")
    assert "k2 now signs" in rotated.stdout and "published" in rotated.stdout
    assert set(published(lehoi.data)) == {"k1", "k2"}
    refused = lehoi("keys", "retire", "k2", ok=False)
    assert refused.returncode != 0 and "rotate before retiring" in refused.stderr
    assert lehoi("keys", "retire", "k1").returncode == 0
    keys = published(lehoi.data)
    assert keys["k1"] is not None and keys["k2"] is None
    # stamped by the festival clock (LEHOI_NOW), not the machine's: at festival time the key is retired
    assert keys["k1"].startswith("2024-11-12"), keys["k1"]
    assert lehoi("keys", "list").stdout.count("2024-11-12") >= 2  # k2's creation and k1's retirement
    unknown = lehoi("keys", "retire", "k9", ok=False)
    assert unknown.returncode != 0 and "no key" in unknown.stderr
    assert "rotate" in lehoi("keys", "--help").stdout


def test_posters_pdf(lehoi):
    out = lehoi.data / "posters.pdf"
    done = lehoi("posters", "--out", str(out))
    with sqlite3.connect(lehoi.data / "lehoi.sqlite") as db:
        [(venues,)] = db.execute("SELECT count(*) FROM venue")
    assert f"{venues} posters" in done.stdout
    assert out.read_bytes().startswith(b"%PDF-")
    one = lehoi.data / "one.pdf"
    assert "1 posters" in lehoi("posters", "--out", str(one), "--venue", "van-mieu").stdout
    missing = lehoi("posters", "--out", str(one), "--venue", "atlantis", ok=False)
    assert missing.returncode != 0 and "atlantis" in missing.stderr
