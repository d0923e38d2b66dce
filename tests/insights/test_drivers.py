"""Driver analysis: the method on a constructed survey, the real data set, the page."""

import csv
import io
import json
import random
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from paxcare.errors import InvalidInput
from paxcare.insights.drivers import ITEMS, analyse, read_answers
from paxcare.insights.models import DriverAnalysis
from paxcare.routing.models import Role
from tests.factories import make_agent

REAL_DATA = (
    Path(__file__).resolve().parents[3]
    / "shared/data/airline_passenger_satisfaction.csv"
)


def constructed_survey(rows: int = 600, seed: int = 3) -> str:
    """Answers where online boarding decides satisfaction and the rest is noise."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*ITEMS, "satisfaction"])
    for _ in range(rows):
        ratings = {item: rng.randint(1, 5) for item in ITEMS}
        ratings["Gate location"] = rng.choice([0, 1, 2, 3, 4, 5])
        chance = 0.1 + 0.2 * (ratings["Online boarding"] - 1)
        verdict = "satisfied" if rng.random() < chance else "neutral or dissatisfied"
        writer.writerow([*ratings.values(), verdict])
    writer.writerow(["x"] * len(ITEMS) + ["satisfied"])
    writer.writerow(["6"] * len(ITEMS) + ["satisfied"])
    writer.writerow(["3"] * len(ITEMS) + ["maybe"])
    return out.getvalue()


def test_the_deciding_item_comes_first_and_noise_straddles_zero():
    answers = read_answers(io.StringIO(constructed_survey()))

    result = analyse(answers, bootstrap=40, seed=1)

    assert result["rows"] == 600
    assert answers.skipped == [
        (602, "rating is not a whole number"),
        (603, "rating outside 0-5"),
        (604, "unknown satisfaction verdict"),
    ]
    first, *others = result["items"]
    assert first["item"] == "Online boarding"
    assert first["ci_low"] > 0.5
    noise = [o for o in others if o["ci_low"] < 0 < o["ci_high"]]
    assert len(noise) >= 10
    gate = next(i for i in result["items"] if i["item"] == "Gate location")
    assert 0.1 < gate["not_applicable_share"] < 0.25


def test_a_file_without_the_items_is_refused():
    with pytest.raises(InvalidInput) as error:
        read_answers(io.StringIO("id,satisfaction\n1,satisfied\n"))

    assert error.value.fields[0].message.startswith("Missing columns: Inflight wifi")


@pytest.mark.django_db
@pytest.mark.skipif(not REAL_DATA.is_file(), reason="../shared/data is not here")
def test_on_the_real_survey_online_boarding_and_wifi_drive_satisfaction():
    out = StringIO()

    call_command(
        "analyse_drivers", str(REAL_DATA), "--bootstrap", "20", "--json", stdout=out
    )

    result = json.loads(out.getvalue())
    assert result["rows"] == 25976
    assert result["satisfied_share"] == 0.439
    top = [item["item"] for item in result["items"][:2]]
    assert set(top) == {"Online boarding", "Inflight wifi service"}
    assert result["controls"] == [
        "Customer Type=disloyal Customer",
        "Type of Travel=Personal Travel",
        "Class=Eco",
        "Class=Eco Plus",
    ]
    assert result["auc"] > 0.9
    assert DriverAnalysis.objects.get().rows == 25976


@pytest.mark.django_db
def test_the_command_refuses_a_missing_file():
    with pytest.raises(CommandError, match="No such file"):
        call_command("analyse_drivers", "nowhere.csv")


@pytest.mark.django_db
def test_an_analyst_uploads_a_file_and_everyone_sees_the_result(client):
    analyst = make_agent("qa", role=Role.AUDITOR, departments=())
    agent = make_agent("agent", departments=("baggage",))
    upload = SimpleUploadedFile("survey.csv", constructed_survey().encode())

    client.force_login(agent)
    refused = client.post("/console/insights/drivers/", {"file": upload})
    client.force_login(analyst)
    upload.seek(0)
    done = client.post("/console/insights/drivers/", {"file": upload})
    client.force_login(agent)
    page = client.get("/console/insights/drivers/")

    assert refused.status_code == 403
    assert done.status_code == 302
    assert page.context["rows"][0]["label"] == "Online boarding"
    assert "Limits" in page.text
