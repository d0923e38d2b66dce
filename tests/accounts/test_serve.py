"""``paxcare serve`` keeps gunicorn's control socket inside its own workspace."""

from pathlib import Path

import gunicorn
import pytest

from paxcare.accounts.management.commands.serve import web_command


def option(command: list[str], name: str) -> str | None:
    return command[command.index(name) + 1] if name in command else None


@pytest.fixture(autouse=True)
def recent_gunicorn(monkeypatch):
    monkeypatch.setattr(gunicorn, "version_info", (25, 1, 0))


def test_the_control_socket_is_in_the_var_folder(tmp_path):
    command = web_command(8000, 2, 4, tmp_path)

    assert option(command, "--control-socket") == str(
        tmp_path.resolve() / "gunicorn-8000.ctl"
    )
    assert "--no-control-socket" not in command


def test_two_workspaces_get_two_sockets(tmp_path):
    first = web_command(8000, 2, 4, tmp_path / "one")
    second = web_command(8000, 2, 4, tmp_path / "two")

    assert option(first, "--control-socket") != option(second, "--control-socket")


def test_two_servers_of_one_workspace_get_two_sockets(tmp_path):
    first = web_command(8000, 2, 4, tmp_path)
    second = web_command(8001, 2, 4, tmp_path)

    assert option(first, "--control-socket") != option(second, "--control-socket")


def test_a_var_folder_too_deep_for_a_socket_path_gets_none(tmp_path):
    deep = tmp_path / ("d" * 120)

    command = web_command(8000, 2, 4, deep)

    assert "--no-control-socket" in command
    assert "--control-socket" not in command


def test_an_older_gunicorn_gets_no_option_it_does_not_know(monkeypatch):
    monkeypatch.setattr(gunicorn, "version_info", (23, 0, 0))

    command = web_command(8000, 2, 4, Path("var"))

    assert [arg for arg in command if "control-socket" in arg] == []
