"""``paxcare help`` speaks the hyphenated command names the commands are typed by."""

import pytest

from paxcare import cli


def run(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """Run ``paxcare ARGS`` in this process; return exit status, stdout, stderr."""
    monkeypatch.setattr("sys.argv", ["paxcare", *args])
    try:
        cli.main()
        status = 0
    except SystemExit as end:
        status = end.code or 0
    out, err = capsys.readouterr()
    return status, out, err


def test_help_lists_the_hyphenated_names(monkeypatch, capsys):
    status, out, _err = run(monkeypatch, capsys, "help")

    lines = out.splitlines()
    assert status == 0
    assert {"    import-cases", "    import-flights", "    detect-alerts"} <= set(lines)
    # App headings keep their names ("[runserver_nostatic]"); commands have none.
    assert [line for line in lines if line.startswith("    ") and "_" in line] == []


def test_help_commands_lists_the_hyphenated_names(monkeypatch, capsys):
    _status, out, _err = run(monkeypatch, capsys, "help", "--commands")

    assert {"import-cases", "import-flights", "remove-stale-contenttypes"} <= set(
        out.splitlines()
    )


@pytest.mark.parametrize("name", ["import-cases", "import-flights"])
def test_help_on_a_hyphenated_command_shows_its_usage(monkeypatch, capsys, name):
    status, out, err = run(monkeypatch, capsys, "help", name)

    assert (status, err) == (0, "")
    assert out.startswith(f"usage: paxcare {name} ")


def test_the_underscored_module_name_still_works(monkeypatch, capsys):
    status, out, _err = run(monkeypatch, capsys, "help", "import_cases")

    assert status == 0
    assert out.startswith("usage: paxcare import_cases ")


def test_an_unknown_command_is_named_as_typed_with_a_hyphenated_suggestion(
    monkeypatch, capsys
):
    status, out, err = run(monkeypatch, capsys, "help", "import-case")

    assert (status, out) == (1, "")
    assert err == (
        "Unknown command: 'import-case'. Did you mean import-cases?\n"
        "Type 'paxcare help' for usage.\n"
    )
