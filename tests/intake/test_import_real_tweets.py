"""The real tweets file, when ``../shared/data`` is there; a slice keeps it short."""

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from paxcare.cases.models import Case

TWEETS = (
    Path(__file__).resolve().parents[2].parent / "shared/data/airline_tweets_train.csv"
)
SLICE_RECORDS = 600

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not TWEETS.is_file(),
        reason="../shared/data/airline_tweets_train.csv is absent (not shipped)",
    ),
]


def first_records(tmp_path: Path, count: int) -> Path:
    """Copy the header and the first ``count`` records, whole, to a temporary file."""
    target = tmp_path / "tweets-slice.csv"
    with (
        TWEETS.open(encoding="utf-8", newline="") as source,
        target.open("w", encoding="utf-8", newline="") as sink,
    ):
        reader, writer = csv.reader(source), csv.writer(sink)
        for index, row in enumerate(reader):
            if index > count:
                break
            writer.writerow(row)
    return target


def test_real_tweets_import_whole_and_once(tmp_path):
    path = first_records(tmp_path, SLICE_RECORDS)
    first, again, err = StringIO(), StringIO(), StringIO()

    call_command(
        "import_cases", "--format", "twitter-csv", str(path), stdout=first, stderr=err
    )
    call_command("import_cases", "--format", "twitter-csv", str(path), stdout=again)

    assert err.getvalue() == ""
    assert first.getvalue().startswith(
        f"read {SLICE_RECORDS}, created {SLICE_RECORDS}, "
    )
    assert again.getvalue().startswith(
        f"read {SLICE_RECORDS}, created 0, already known {SLICE_RECORDS}, "
    )
    assert Case.objects.filter(channel="social").count() == SLICE_RECORDS
    assert set(Case.objects.values_list("airline", flat=True)) <= {
        "VX",
        "UA",
        "WN",
        "DL",
        "US",
        "AA",
    }
