"""The README stays true: every setting and every command it should mention, it mentions."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from server.cli import main
from server.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands():
    first_block = README.split("```")[1]
    assert "make run" in first_block and "make test" in first_block


def test_every_setting_is_documented():
    for field in msgspec.structs.fields(Settings):
        assert f"`LEHOI_{field.name.upper()}`" in README, f"README does not document LEHOI_{field.name.upper()}"


def test_every_command_is_documented():
    for name in main.commands:
        assert f"lehoi {name}" in README, f"README does not document `lehoi {name}`"


def test_settings_read_the_environment():
    settings = load_settings({"LEHOI_PORT": "9001", "LEHOI_DATA_DIR": "/tmp/x"})
    assert settings.port == 9001 and settings.data_dir == "/tmp/x" and not settings.uses_postgres


@pytest.mark.parametrize(("variable", "value", "field"), [
    ("LEHOI_PORT", "many", "port"),
    ("LEHOI_PUBLIC_URL", "lehoi.example", "public_url"),  # no scheme
    ("LEHOI_PUBLIC_URL", "ftp://lehoi.example", "public_url"),
])
def test_settings_refuse_nonsense_and_name_the_setting(variable, value, field):
    with pytest.raises(ValueError, match=field):
        load_settings({variable: value})
