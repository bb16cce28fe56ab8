"""Where push work runs: in each server process by default, or only in `lehoi worker` processes."""

from __future__ import annotations

from litestar.datastructures import State

from server.push import domain as push_domain
from server.settings import load_settings


async def test_the_in_process_worker_can_be_switched_off(tmp_path):
    settings = load_settings({"LEHOI_DATA_DIR": str(tmp_path), "LEHOI_PUSH_WORKER": "0"})
    assert settings.push_worker is False
    domain = push_domain.domain(settings)
    for hook in domain.on_startup:
        await hook(State({}))
    assert domain.state["push"].worker is None
    for hook in domain.on_shutdown:
        await hook(State({}))


async def test_a_server_runs_one_by_default(client):
    assert load_settings({}).push_worker is True
    assert client.app.state.push.worker is not None


async def test_the_worker_command_is_there():
    from click.testing import CliRunner

    from server.cli import main

    result = CliRunner().invoke(main, ["worker", "--help"])
    assert result.exit_code == 0 and "Deliver push alerts and reminders" in result.output
