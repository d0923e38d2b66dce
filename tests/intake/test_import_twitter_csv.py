"""``paxcare import-cases --format twitter-csv``: bad rows reported, good ones in."""

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


def run_import(path: Path, *extra: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(
        "import_cases",
        "--format",
        "twitter-csv",
        str(path),
        *extra,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


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

    out, err = run_import(path)

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

    out, _err = run_import(path, "--batch-size", "2")

    assert Case.objects.count() == 4
    assert out.startswith("read 7, created 4, already known 0, rejected 3; ")


def test_rows_that_are_not_utf8_are_reported_and_the_rest_imported(tmp_path):
    latin1 = "3002,Delta,negative,,2/18/2015 11:00,@delta caf\u00e9 closed at JFK\n"
    content = (HEADER + GOOD_ROWS).encode() + latin1.encode("latin-1")
    path = write(tmp_path, content)

    _out, err = run_import(path)

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

    with pytest.raises(
        CommandError, match="Missing columns: tweet_id, airline, text, created"
    ):
        run_import(path)
    assert Case.objects.count() == 0


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run_import(tmp_path / "nope.csv")


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
