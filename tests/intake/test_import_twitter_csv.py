"""``paxcare import-cases --format twitter-csv``: bad rows reported, good ones in.

The exit status is the CommandError's ``returncode`` (Django's ``run_from_argv``
passes it to ``sys.exit``); a command that returns exits with 0.
"""

import json
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from paxcare.cases.models import Case
from paxcare.intake.importers import airline_code, parse_post_time, social_external_id

pytestmark = pytest.mark.django_db

HEADER = "tweet_id,airline,sentiment,negativereason,created,text\n"
GOOD_ROWS = (
    "1001,United,negative,Late Flight,2/16/2015 23:52,"
    '"@united the flight to IAH is 3 hours late, again"\n'
    "1002,Virgin America,positive,,2/17/2015 8:05,@VirginAmerica lovely crew today\n"
    "1003,US Airways,negative,Lost Luggage,2/18/2015 10:00,"
    '"@USAirways my bag never arrived.\nStill waiting at PHL"\n'
)
BAD_ROWS = (
    "1004,Delta,negative,,2/18/2015 11:00,\n"  # line 6: no text
    "1005,Delta,negative,,yesterday,@delta where is my bag\n"  # line 7: bad date
    "1006,Delta,negative,,2/18/2015 12:00\n"  # line 8: a column short
    "1007,Southwest,negative,,2/19/2015 9:00,@SouthwestAir seat broken on WN123\n"
)


def write(tmp_path: Path, content: str | bytes, name: str = "tweets.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def run_import(path: Path, *extra: str, format: str = "twitter-csv") -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(
        "import_cases",
        "--format",
        format,
        str(path),
        *extra,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def run_failing_import(
    path: Path, *extra: str, format: str = "twitter-csv"
) -> tuple[str, str, CommandError]:
    """Run an import that must end with an exit status other than 0."""
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_cases",
            "--format",
            format,
            str(path),
            *extra,
            stdout=out,
            stderr=err,
        )
    return out.getvalue(), err.getvalue(), raised.value


def test_good_rows_become_social_cases_with_their_airline_and_time(tmp_path):
    path = write(tmp_path, HEADER + GOOD_ROWS)

    out, err = run_import(path)

    cases = {c.external_id: c for c in Case.objects.all()}
    assert sorted(cases) == ["1001", "1002", "1003"]
    assert {c.channel for c in cases.values()} == {"social"}
    assert [cases[i].airline for i in ("1001", "1002", "1003")] == ["UA", "VX", "US"]
    assert cases["1001"].received_at.isoformat() == "2015-02-16T23:52:00+00:00"
    assert (
        cases["1003"].description
        == "@USAirways my bag never arrived.\nStill waiting at PHL"
    )
    assert err == ""
    assert out.startswith("read 3, created 3, already known 0, rejected 0; ")


def test_bad_rows_are_reported_by_line_and_the_rest_imported(tmp_path):
    path = write(tmp_path, HEADER + GOOD_ROWS + BAD_ROWS)

    out, err, error = run_failing_import(path)

    assert (error.returncode, str(error)) == (
        1,
        "3 of 7 rows were rejected; the others were imported.",
    )
    assert err.splitlines() == [
        "line 6: text is empty",
        "line 7: created is not a date: 'yesterday'",
        "line 8: 5 columns where the header has 6",
    ]
    assert sorted(Case.objects.values_list("external_id", flat=True)) == [
        "1001",
        "1002",
        "1003",
        "1007",
    ]
    assert out.startswith("read 7, created 4, already known 0, rejected 3; ")


def test_a_reimport_creates_no_duplicates(tmp_path):
    path = write(tmp_path, HEADER + GOOD_ROWS)
    run_import(path)

    out, _err = run_import(path)

    assert Case.objects.count() == 3
    assert out.startswith("read 3, created 0, already known 3, rejected 0; ")


def test_the_same_tweet_twice_in_one_batch_is_one_case(tmp_path):
    row = "2001,Delta,negative,,2/18/2015 11:00,@delta late again\n"
    path = write(tmp_path, HEADER + row + row)

    out, _err = run_import(path)

    assert Case.objects.count() == 1
    assert out.startswith("read 2, created 1, already known 1, rejected 0; ")


def test_small_batches_give_the_same_result(tmp_path):
    path = write(tmp_path, HEADER + GOOD_ROWS + BAD_ROWS)

    out, _err, error = run_failing_import(path, "--batch-size", "2")

    assert error.returncode == 1
    assert Case.objects.count() == 4
    assert out.startswith("read 7, created 4, already known 0, rejected 3; ")


def test_rows_that_are_not_utf8_are_reported_and_the_rest_imported(tmp_path):
    latin1 = "3002,Delta,negative,,2/18/2015 11:00,@delta caf\u00e9 closed at JFK\n"
    content = (HEADER + GOOD_ROWS).encode() + latin1.encode("latin-1")
    path = write(tmp_path, content)

    _out, err, error = run_failing_import(path)

    assert error.returncode == 1
    assert err.splitlines() == ["line 6: not valid UTF-8; save the file as UTF-8"]
    assert Case.objects.count() == 3


def test_a_utf8_file_with_a_byte_order_mark_and_chinese_text_imports(tmp_path):
    row = "4001,United,negative,,2/18/2015 11:00,行李在北京没有到\n"
    path = write(tmp_path, "\ufeff" + HEADER + row)

    run_import(path)

    case = Case.objects.get()
    assert case.description == "行李在北京没有到"
    assert case.language == "zh-hans"


def test_a_file_without_the_required_columns_is_refused(tmp_path):
    path = write(tmp_path, "id,message\n1,hello\n")

    _out, _err, error = run_failing_import(path)

    assert error.returncode == 2
    assert str(error) == f"{path}: Missing columns: tweet_id, airline, text, created."
    assert Case.objects.count() == 0


def test_a_missing_file_is_refused(tmp_path):
    _out, _err, error = run_failing_import(tmp_path / "nope.csv")

    assert (error.returncode, str(error)) == (2, f"No such file: {tmp_path}/nope.csv")


# --- Exit status, NUL characters, received times ------------------------------------


def test_a_clean_import_ends_with_exit_status_0(tmp_path):
    path = write(tmp_path, HEADER + GOOD_ROWS)

    # call_command returns normally: the command ends with exit status 0
    out, err = run_import(path)

    assert (out.startswith("read 3, created 3, "), err) == (True, "")


def test_a_row_with_a_nul_is_reported_and_the_others_imported(tmp_path):
    # given a file whose fourth record holds a NUL in its text (PostgreSQL cannot
    # store one, and used to abort the whole import)
    nul_row = "1004,Delta,negative,,2/18/2015 11:00,@delta bag\x00gage lost\n"
    path = write(tmp_path, HEADER + GOOD_ROWS + nul_row)

    # when it is imported
    out, err, error = run_failing_import(path)

    # then that row is named by line and by its column, the good rows are in
    assert err.splitlines() == ["line 6: text: Text must not contain NUL characters."]
    assert sorted(Case.objects.values_list("external_id", flat=True)) == [
        "1001",
        "1002",
        "1003",
    ]
    assert out.startswith("read 4, created 3, already known 0, rejected 1; ")
    assert error.returncode == 1


def test_posts_from_the_future_or_before_2000_are_reported_by_their_column(tmp_path):
    # given a post dated 2030 and one dated 1990
    rows = (
        "5001,Delta,negative,,1/1/2030 00:00,@delta from the future\n"
        "5002,Delta,negative,,1/1/1990 00:00,@delta from long ago\n"
    )
    path = write(tmp_path, HEADER + GOOD_ROWS + rows)

    # when they are imported
    _out, err, error = run_failing_import(path)

    # then each is rejected on its "created" column
    assert err.splitlines() == [
        "line 6: created: This time is in the future: a case can be received at "
        "most 5 minutes ahead of the server's clock.",
        "line 7: created: Times before 2000-01-01 are not accepted; check the year.",
    ]
    assert Case.objects.count() == 3
    assert error.returncode == 1


def test_a_gbk_file_rejects_every_row_and_says_so(tmp_path):
    # given an export saved as GBK, with an ASCII header and Chinese posts
    rows = (
        "6001,Delta,negative,,2/18/2015 11:00,行李在北京没有到\n"
        "6002,Delta,negative,,2/18/2015 12:00,航班延误了五个小时\n"
    )
    path = write(tmp_path, (HEADER + rows).encode("gbk"))

    # when it is imported
    out, err, error = run_failing_import(path)

    # then every row is named as not UTF-8, and the exit status is not 0
    assert err.splitlines() == [
        "line 2: not valid UTF-8; save the file as UTF-8",
        "line 3: not valid UTF-8; save the file as UTF-8",
    ]
    assert out.startswith("read 2, created 0, already known 0, rejected 2; ")
    assert (error.returncode, str(error)) == (
        1,
        "All 2 rows were rejected; nothing was imported.",
    )


@pytest.mark.parametrize(
    ("encoding", "problem"),
    [
        ("utf-16", "The file is UTF-16, not UTF-8."),
        ("utf-16-le", "The file looks like UTF-16 without a byte order mark"),
        ("utf-16-be", "The file looks like UTF-16 without a byte order mark"),
        ("utf-32", "The file is UTF-32, not UTF-8."),
    ],
)
def test_a_utf16_or_utf32_file_is_named_as_such(tmp_path, encoding, problem):
    path = write(tmp_path, (HEADER + GOOD_ROWS).encode(encoding))

    out, _err, error = run_failing_import(path)

    assert error.returncode == 2
    assert str(error).startswith(f"{path}: {problem}")
    assert "Missing columns" not in str(error)
    assert (out, Case.objects.count()) == ("", 0)


def test_a_binary_file_is_named_as_not_text(tmp_path):
    # given the start of a zip archive (an .xlsx workbook is one)
    path = write(tmp_path, b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb5U")

    _out, _err, error = run_failing_import(path)

    assert error.returncode == 2
    assert str(error) == (
        f"{path}: The file is not text: it holds NUL bytes and bytes that are not "
        "UTF-8, as a spreadsheet or an archive does. Export it as UTF-8 text and "
        "import it again."
    )


def test_a_header_that_is_not_utf8_is_named_as_such(tmp_path):
    header = "tweet_id,airline,text,created,备注\n".encode("gbk")
    path = write(tmp_path, header + b"1,Delta,@delta late,2/18/2015 11:00,x\n")

    _out, _err, error = run_failing_import(path)

    assert (error.returncode, str(error)) == (
        2,
        f"{path}: The first line of the file is not valid UTF-8. Save the file as "
        "UTF-8 and import it again.",
    )


def zendesk_ticket(ticket_id: int) -> str:
    return json.dumps(
        {
            "id": ticket_id,
            "description": "My bag did not arrive.",
            "status": "open",
            "via": {"channel": "email"},
            "requester": {"name": "Li Wei", "email": "li.wei@example.com"},
            "created_at": "2025-03-03T01:00:00Z",
        }
    )


def test_the_exit_status_rule_holds_for_zendesk_exports_too(tmp_path):
    # given a Zendesk export with one good ticket and one line that is not JSON
    path = write(tmp_path, zendesk_ticket(11) + "\n{not json\n", name="t.jsonl")

    # when it is imported through the same command
    out, err, error = run_failing_import(path, format="zendesk-json")

    # then the good ticket is in, the bad line named, and the exit status is 1
    assert Case.objects.get().external_id == "zendesk:11"
    assert err.startswith("line 2: not valid JSON")
    assert out.startswith("read 2, created 1, already known 0, rejected 1; ")
    assert error.returncode == 1


def test_a_clean_zendesk_export_ends_with_exit_status_0(tmp_path):
    path = write(tmp_path, zendesk_ticket(12) + "\n", name="t.jsonl")

    out, err = run_import(path, format="zendesk-json")

    assert (out.startswith("read 1, created 1, "), err) == (True, "")


def test_a_utf16_zendesk_export_is_named_as_such(tmp_path):
    path = write(tmp_path, (zendesk_ticket(13) + "\n").encode("utf-16"), "t.jsonl")

    _out, _err, error = run_failing_import(path, format="zendesk-json")

    assert error.returncode == 2
    assert "The file is UTF-16, not UTF-8." in str(error)


def test_the_progress_bar_goes_to_stderr_when_asked(tmp_path, capsys):
    path = write(tmp_path, HEADER + GOOD_ROWS)

    run_import(path, "--progress")

    assert "tweets.csv" in capsys.readouterr().err


def test_airline_names_map_to_iata_codes():
    names = ["Virgin America", "united", "Southwest", "Delta", "US Airways", "American"]

    assert [airline_code(name) for name in names] == [
        "VX",
        "UA",
        "WN",
        "DL",
        "US",
        "AA",
    ]
    assert airline_code("CA") == "CA"
    assert airline_code("Air Nowhere") == ""


def test_post_times_in_the_formats_exports_use():
    utc = ZoneInfo("UTC")

    assert (
        parse_post_time("2/16/2015 23:36", utc).isoformat()
        == "2015-02-16T23:36:00+00:00"
    )
    assert (
        parse_post_time("2015-02-24 11:35:52 -0800", utc).isoformat()
        == "2015-02-24T11:35:52-08:00"
    )
    assert parse_post_time("2015-02-24T11:35:52Z", utc).isoformat() == (
        "2015-02-24T11:35:52+00:00"
    )
    assert parse_post_time("24 Feb", utc) is None


def test_tweets_keep_their_bare_id_and_other_posts_their_platform():
    assert social_external_id("twitter", " 123 ") == "123"
    assert social_external_id("Weibo", "123") == "weibo:123"
