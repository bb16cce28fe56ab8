"""Every `lehoi` command documents itself (Datasette-style --help)."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from server.cli import main


def commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += commands(command, (*prefix, name))
    return found


def test_the_group_has_help():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "festival companion" in result.output


@pytest.mark.parametrize("path", commands(main), ids=" ".join)
def test_every_command_has_help_text(path):
    command = main
    for name in path:
        command = command.commands[name]
    assert command.help and len(command.help.split()) >= 4, f"`lehoi {' '.join(path)}` needs a docstring"
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0
    assert command.help.split()[0] in result.output


def test_several_workers_on_sqlite_are_refused_with_the_way_out(tmp_path):
    """Only PostgreSQL tells other processes that a kept fact changed (NOTIFY): on an SQLite file a second worker
    would answer /api/me, tokens and the feed from stale copies, so `serve --workers 2` refuses before serving."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "LEHOI_DATA_DIR": str(tmp_path), "LEHOI_DATABASE_URL": ""}
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "serve", "--workers", "2", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "--workers 2 needs PostgreSQL" in done.stderr and "LEHOI_DATABASE_URL=postgresql://" in done.stderr
    assert not (tmp_path / "lehoi.sqlite").exists()  # refused before anything was set up


def test_the_root_holds_only_the_whole_festivals_commands_and_every_other_command_is_a_domains():
    """Domain is the only way in: the root declares the commands about the whole festival's database (`serve`,
    `migrate`, `backup`, `restore`); every other command is carried by the Domain of the package that declares it."""
    from server.app import domains
    from server.settings import load_settings

    carried = [command.name for domain in domains(load_settings()) for command in domain.commands]
    assert len(carried) == len(set(carried))
    assert set(main.commands) == {"serve", "migrate", "backup", "restore", *carried}
    assert all(main.commands[name].callback.__module__ != "server.cli" for name in carried)
