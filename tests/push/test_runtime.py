"""Where push work runs: in each server process by default, or only in `lehoi worker` processes."""

from __future__ import annotations

import logging

import pytest
from litestar.datastructures import State

from server.push import domain as push_domain
from server.push.deps import PUSH
from server.settings import load_settings


async def test_the_in_process_worker_can_be_switched_off(tmp_path):
    settings = load_settings({"LEHOI_DATA_DIR": str(tmp_path), "LEHOI_PUSH_WORKER": "0"})
    assert settings.push_worker is False
    domain = push_domain.domain(settings)
    for hook in domain.on_startup:
        await hook(State({}))
    assert domain.state[PUSH].worker is None
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


def test_the_vapid_contact_is_the_one_set_else_the_https_public_address(tmp_path):
    from server.settings import PLACEHOLDER_CONTACT

    assert (
        load_settings(
            {"LEHOI_PUSH_CONTACT": "mailto:ops@hcdf.vn", "LEHOI_PUBLIC_URL": "https://lehoi.example"}
        ).vapid_contact
        == "mailto:ops@hcdf.vn"
    )
    assert load_settings({"LEHOI_PUBLIC_URL": "https://lehoi.example"}).vapid_contact == "https://lehoi.example"
    assert load_settings({"LEHOI_PUBLIC_URL": "http://lehoi.example"}).vapid_contact == PLACEHOLDER_CONTACT
    assert load_settings({}).vapid_contact == PLACEHOLDER_CONTACT


@pytest.mark.parametrize("contact", ["organisers@hcdf.vn", "mailto:organisers", "http://hcdf.vn", "mailto:a b@c.d"])
def test_a_contact_apple_would_refuse_is_refused_at_start(contact):
    with pytest.raises(ValueError, match="push_contact"):
        load_settings({"LEHOI_PUSH_CONTACT": contact})


@pytest.mark.parametrize(
    ("environ", "warned"),
    [
        ({}, True),  # the public push services, Apple's among them, and no contact
        ({"LEHOI_PUSH_HOSTS": "fcm.googleapis.com"}, False),  # no Apple: the placeholder does
        ({"LEHOI_PUSH_CONTACT": "mailto:ops@hcdf.vn"}, False),
    ],
)
def test_a_server_without_a_contact_says_apple_will_refuse_its_messages(tmp_path, caplog, environ, warned):
    from server.push.runtime import PushRuntime

    with caplog.at_level(logging.WARNING, logger="lehoi.push"):
        runtime = PushRuntime(load_settings({"LEHOI_DATA_DIR": str(tmp_path), **environ}))
    assert ("403 BadJwtToken" in caplog.text) is warned
    assert runtime.vapid.header("https://fcm.googleapis.com")  # it still sends
