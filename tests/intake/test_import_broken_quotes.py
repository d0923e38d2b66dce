"""A quote left open in a tweets export costs its own row, never the rows after it.

A quoted field may hold line breaks, so one record may run over several lines; a
record of several lines that does not hold together (not valid CSV, the wrong
number of columns, the end of the file or of ``MAX_RECORD_LINES`` reached, or a
line inside that is a good row on its own) is reported by its first line, and the
lines after that are read again.
"""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from paxcare.cases.models import Case
from paxcare.intake import importers

pytestmark = pytest.mark.django_db

HEADER = "tweet_id,airline,text,created\n"
UNCLOSED = (
    "a quote opened on this line does not close where the row ends ({problem}); "
    "the lines after it were read again"
)


def tweet(number: int, text: str = "@delta my bag is late") -> str:
    return f'{number},Delta,"{text} #{number}",2/16/2015 23:{number % 60:02d}\n'


def run_import(tmp_path: Path, content: str) -> tuple[str, list[str], int]:
    """Import ``content``; return stdout, the reported lines and the exit status."""
    path = tmp_path / "tweets.csv"
    path.write_text(content, encoding="utf-8")
    out, err = StringIO(), StringIO()
    status = 0
    try:
        call_command(
            "import_cases", "--format", "twitter-csv", str(path), stdout=out, stderr=err
        )
    except CommandError as error:
        status = error.returncode
    return out.getvalue(), err.getvalue().splitlines(), status


def imported() -> list[str]:
    return sorted(Case.objects.values_list("external_id", flat=True), key=int)


def test_an_unclosed_quote_is_reported_and_the_next_good_row_imported(tmp_path):
    # given eight data lines; line 3 leaves a quote open, line 4 is a good tweet
    rows = [tweet(n) for n in range(1, 9)]
    rows[1] = '2,Delta,"unterminated quote,2/16/2015 23:37\n'
    content = HEADER + "".join(rows)

    # when the file is imported
    out, reported, status = run_import(tmp_path, content)

    # then line 3 is reported with its number, and every other row is imported
    assert reported == [
        "line 3: " + UNCLOSED.format(problem="',' expected after '\"'"),
    ]
    assert imported() == ["1", "3", "4", "5", "6", "7", "8"]
    assert out.startswith("read 8, created 7, already known 0, rejected 1; ")
    assert status == 1


def test_a_quote_open_to_the_end_of_the_file_costs_only_its_row(tmp_path):
    # given an open quote followed by rows without quotes, so none closes it
    content = (
        HEADER
        + "1,Delta,@delta fine,2/16/2015 23:01\n"
        + '2,Delta,"never closed,2/16/2015 23:02\n'
        + "3,Delta,@delta late again,2/16/2015 23:03\n"
        + "4,Delta,@delta lost my bag,2/16/2015 23:04\n"
    )

    _out, reported, _status = run_import(tmp_path, content)

    assert reported == ["line 3: " + UNCLOSED.format(problem="unexpected end of data")]
    assert imported() == ["1", "3", "4"]


def test_a_record_that_closes_over_a_good_row_gives_the_row_back(tmp_path):
    # given an open quote that a later quote closes with the header's width, so
    # that lines 2 and 3 read as one valid record; but line 3 is a row of its own
    content = (
        HEADER
        + '1,Delta,"opened here,2/16/2015 23:01\n'
        + '2,Delta,text that ends in a quote",2/16/2015 23:02\n'
    )

    _out, reported, _status = run_import(tmp_path, content)

    assert reported == [
        "line 2: " + UNCLOSED.format(problem="line 3 is a row of its own")
    ]
    assert imported() == ["2"]
    assert Case.objects.get().description == 'text that ends in a quote"'


def test_a_record_of_several_lines_with_the_wrong_width_is_read_again(tmp_path):
    content = (
        HEADER
        + '1,Delta,"two lines\nand a column too many",2/16/2015 23:01,extra\n'
        + tweet(2)
    )

    _out, reported, _status = run_import(tmp_path, content)

    assert reported == [
        "line 2: " + UNCLOSED.format(problem="5 columns where the header has 4"),
        "line 3: 3 columns where the header has 4",
    ]
    assert imported() == ["2"]


def test_a_line_break_inside_quotes_is_legal_and_kept(tmp_path):
    # given a tweet of three lines between two good ones
    content = (
        HEADER
        + tweet(1)
        + '2,Delta,"@delta my bag,\nmy stroller,\nand my patience, all gone",'
        + "2/16/2015 23:02\n"
        + tweet(3)
    )

    out, reported, status = run_import(tmp_path, content)

    assert (reported, status) == ([], 0)
    assert imported() == ["1", "2", "3"]
    assert Case.objects.get(external_id="2").description == (
        "@delta my bag,\nmy stroller,\nand my patience, all gone"
    )
    assert out.startswith("read 3, created 3, already known 0, rejected 0; ")


def test_a_record_longer_than_the_limit_is_reported(tmp_path, monkeypatch):
    # given a limit of 3 lines and a quoted field over 4
    monkeypatch.setattr(importers, "MAX_RECORD_LINES", 3)
    content = (
        HEADER
        + '1,Delta,"opens,2/16/2015 23:01\n'
        + "more text\n"
        + "even more\n"
        + 'closes",2/16/2015 23:02\n'
        + tweet(2)
    )

    _out, reported, _status = run_import(tmp_path, content)

    # then its first line is reported, and the others one by one
    assert reported == [
        "line 2: " + UNCLOSED.format(problem="no row runs over more than 3 lines"),
        "line 3: 1 columns where the header has 4",
        "line 4: 1 columns where the header has 4",
        "line 5: 2 columns where the header has 4",
    ]
    assert imported() == ["2"]
