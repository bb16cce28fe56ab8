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
