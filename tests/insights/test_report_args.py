"""``paxcare report``: the period follows the one given; unwritable files are one line.

2026-W49 is Monday 30 November to Sunday 6 December 2026; its report is over an
empty database, which is enough to show which period it took.
"""

import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def test_a_week_without_period_makes_the_weekly_report(tmp_path, capsys):
    html = tmp_path / "week.html"

    call_command("report", "--week", "2026-W49", "--html", str(html))

    assert capsys.readouterr().out == f"2026-W49: HTML written to {html}\n"
    assert html.read_text(encoding="utf-8").count("2026-W49") >= 1


def test_a_month_without_period_makes_the_monthly_report(tmp_path, capsys):
    html = tmp_path / "month.html"

    call_command("report", "--month", "2026-11", "--html", str(html))

    assert capsys.readouterr().out == f"2026-11: HTML written to {html}\n"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--period", "month", "--week", "2026-W49"],
            "--period month takes --month, not --week.",
        ),
        (
            ["--period", "week", "--month", "2026-11"],
            "--period week takes --week, not --month.",
        ),
        (
            ["--week", "2026-W49", "--month", "2026-11"],
            "Give --week or --month, not both.",
        ),
    ],
)
def test_a_period_that_contradicts_itself_is_refused_clearly(
    tmp_path, arguments, message
):
    with pytest.raises(CommandError) as refused:
        call_command("report", *arguments, "--html", str(tmp_path / "r.html"))

    assert str(refused.value) == message


def test_a_pdf_in_a_folder_that_does_not_exist_is_a_field_error(tmp_path):
    target = tmp_path / "nonexistent" / "dir" / "x.pdf"

    with pytest.raises(CommandError) as refused:
        call_command(
            "report", "--period", "week", "--week", "2026-W49", "--pdf", str(target)
        )

    assert str(refused.value) == f"--pdf: no such folder: {target.parent}"


def test_a_file_that_cannot_be_written_is_a_field_error(tmp_path):
    # A folder where the file should be: the write itself fails.
    target = tmp_path / "taken.html"
    target.mkdir()

    with pytest.raises(CommandError) as refused:
        call_command("report", "--week", "2026-W49", "--html", str(target))

    assert str(refused.value) == f"--html: cannot write {target}: Is a directory"


def test_on_the_command_line_it_is_one_line_and_a_non_zero_exit(tmp_path):
    # Refused before the database is read, so the settings' database is never used.
    target = tmp_path / "nonexistent" / "dir" / "x.pdf"

    done = subprocess.run(
        [sys.executable, "-m", "paxcare", "report", "--period", "week", "--week"]
        + ["2026-W49", "--pdf", str(target)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert done.returncode == 1
    assert done.stderr == f"CommandError: --pdf: no such folder: {target.parent}\n"
