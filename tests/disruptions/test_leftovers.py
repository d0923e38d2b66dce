"""Leftovers of the QA pass: counts in the import summaries read in the singular and
in Chinese, money in currencies without a minor unit, Chinese punctuation in the
rebooking options."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import translation

from paxcare.disruptions.actions import give_goodwill
from paxcare.disruptions.manifests import load_manifest
from paxcare.disruptions.models import AffectedPassenger, ManifestEntry
from paxcare.disruptions.notifications import care_text
from paxcare.errors import InvalidInput
from paxcare.remedies.models import RemedyOffer
from paxcare.remedies.panels import money_text
from tests.disruptions.conftest import AF_JFK_CDG, disrupt, passenger, run

pytestmark = pytest.mark.django_db

CANCELLED = {**AF_JFK_CDG, "type": "cancellation", "delay_code": "41"}
FLIGHTS_CSV = (
    "carrier,flight_number,origin,destination,scheduled_departure,"
    "scheduled_arrival,type\n"
    "UA,UA1545,EWR,IAH,2013-01-01T05:15:00,2013-01-01T08:19:00,cancellation\n"
)
MANIFEST_CSV = (
    "flight_number,flight_date,origin,passenger_name,booking_reference,email,"
    "fare_amount,fare_currency\n"
    "AF23,2026-01-05,JFK,Ann Smith,K7M3P1,ann1@example.com,500.00,EUR\n"
)
REBOOKING = [
    {
        "type": "rebooking",
        "options": [
            {"flight_number": "UA625", "departure": "2013-01-02T00:00:00+00:00"},
            {"flight_number": "UA627", "departure": "2013-01-02T02:30:00+00:00"},
        ],
    }
]


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


# --- Counts: one of a kind in English, measure words in Chinese -------------------


def test_the_flight_import_summary_counts_one_flight_in_the_singular(tmp_path):
    # Given a file of one cancelled flight, and Chinese active in the caller
    path = write(tmp_path, "flights.csv", FLIGHTS_CSV)

    # When it is imported (in the workspace's language, English)
    with translation.override("zh-hans"):
        out, _err = run("import_flights", "--format", "csv", "--no-care", str(path))

    # Then every count agrees with its number
    lines = out.splitlines()
    assert lines[0].rsplit(";", 1)[0] == (
        "read 1 flight: 1 cancellation, 0 arrival delays of 3 h or more, "
        "0 diversions, 0 schedule changes; rejected 0"
    )
    assert lines[1] == "flights: created 1"


def test_the_flight_import_summary_reads_in_chinese(tmp_path):
    # Given the same file
    path = write(tmp_path, "flights.csv", FLIGHTS_CSV)

    # When it is imported in a workspace whose language is Chinese
    with override_settings(LANGUAGE_CODE="zh-hans"):
        out, _err = run("import_flights", "--format", "csv", "--no-care", str(path))

    # Then the counts take their measure words and Chinese punctuation
    lines = out.splitlines()
    assert lines[0].rsplit("；", 1)[0] == (
        "读取 1 个航班：取消 1 个、到达延误 3 小时及以上 0 个、备降 0 个、"
        "时刻变更 0 个；拒绝 0 行"
    )
    assert lines[1] == "航班：新建 1"


def test_the_manifest_import_summary_counts_one_flight_in_the_singular(tmp_path):
    # Given a cancelled flight and a manifest of one passenger for it
    disrupt(CANCELLED, [])
    path = write(tmp_path, "manifest.csv", MANIFEST_CSV)

    # When the manifest is imported, in English and (again) in Chinese
    english, _err = run("import_manifest", str(path))
    with override_settings(LANGUAGE_CODE="zh-hans"):
        chinese, _err = run("import_manifest", str(path))

    # Then the lines agree with their numbers in both languages
    assert english.splitlines() == [
        "read 1 row on 1 flight: 1 added, 0 updated, 0 unchanged, 0 rejected, "
        "0 on unknown flights",
        "care: 1 case opened, 0 joined, 0 updated, 1 notification queued",
    ]
    assert chinese.splitlines() == [
        "读取 1 个航班的 1 行：新增 0 个、更新 0 个、未变 1 个、拒绝 0 个、"
        "属于未知航班 0 个",
        "旅客服务：新建案件 0 个、并入已有案件 0 个、更新 0 个、待发通知 0 条",
    ]


# --- Money without a minor unit ---------------------------------------------------


def test_goodwill_of_part_of_a_yen_is_a_form_error(client, people):
    # Given a supervisor on the page of a cancelled flight
    client.force_login(people["care_supervisor"])
    disruption = disrupt(CANCELLED, [passenger(1)])

    # When they offer JPY 5.50 a passenger
    response = client.post(
        f"/console/disruptions/{disruption.pk}/goodwill/",
        {
            "amount": "5.50",
            "currency": "jpy",
            "form": "voucher",
            "reference": "6f1c7a52-2a4b-4d3c-9d8e-0c4b2f1e9a10",
        },
    )

    # Then the form refuses the amount and nothing is given
    assert response.status_code == 400
    assert response.context["goodwill_form"].errors == {
        "amount": ["JPY has no minor unit: give a whole amount, e.g. 500."]
    }
    assert AffectedPassenger.objects.get().goodwill == []


def test_the_goodwill_action_refuses_part_of_a_yen_and_takes_whole_yen(people):
    # Given a cancelled flight with one passenger
    disruption = disrupt(CANCELLED, [passenger(1)])
    give = {
        "currency": "JPY",
        "form": "voucher",
        "actor": people["care_supervisor"],
    }

    # When JPY 5.50 is given, then JPY 500
    with pytest.raises(InvalidInput) as raised:
        give_goodwill(disruption, amount=Decimal("5.50"), reference="r-1", **give)
    give_goodwill(disruption, amount=Decimal("500"), reference="r-2", **give)

    # Then the first is refused on its amount and the second offered as JPY 500
    assert [(f.field, f.code, f.message) for f in raised.value.fields] == [
        (
            "amount",
            "too_precise",
            "JPY has no minor unit: give a whole amount, e.g. 500.",
        )
    ]
    offer = RemedyOffer.objects.get()
    assert (offer.amount, offer.currency) == (Decimal("500.00"), "JPY")
    assert money_text(offer.amount, offer.currency) == "JPY 500"


def test_a_manifest_fare_of_part_of_a_yen_is_refused(people):
    # Given a cancelled flight
    disruption = disrupt(CANCELLED, [])

    # When its manifest gives one fare of JPY 5.50 and one of JPY 52000
    report = load_manifest(
        disruption.flight,
        [
            passenger(1, fare_amount="5.50", fare_currency="JPY"),
            passenger(2, fare_amount="52000", fare_currency="jpy"),
        ],
    )

    # Then the first row (index 0) is refused on its fare; the second is loaded
    assert [
        (problem.row, [(e.field, e.code, e.message) for e in problem.errors])
        for problem in report.rejected
    ] == [
        (
            0,
            [
                (
                    "fare_amount",
                    "too_precise",
                    "JPY has no minor unit: give a whole amount, e.g. 500.",
                )
            ],
        )
    ]
    assert list(ManifestEntry.objects.values_list("fare_amount", "fare_currency")) == [
        (Decimal("52000.00"), "JPY")
    ]


def test_offer_amounts_are_shown_with_their_currency_s_decimals():
    assert [
        money_text("500.00", "JPY"),
        money_text("1519.00", "XDR"),
        money_text("1250000", "KRW"),
        money_text("150.5", "EUR"),
    ] == ["JPY 500", "XDR 1,519.00", "KRW 1,250,000", "EUR 150.50"]


# --- Chinese punctuation in the rebooking options ---------------------------------


def test_the_rebooking_options_take_the_punctuation_of_each_language():
    # Given two rebooking options from Newark
    # When the care is worded in each language
    with translation.override("zh-hans"):
        chinese = care_text(REBOOKING, "/flights/1/", origin="EWR").splitlines()[0]
    with translation.override("en"):
        english = care_text(REBOOKING, "/flights/1/", origin="EWR").splitlines()[0]

    # Then Chinese separates them with its own marks and English keeps its own
    assert chinese == (
        "我们可以免费为您改签，例如：UA625，2013-01-01 19:00（EWR 当地时间）；"
        "UA627，2013-01-01 21:30（EWR 当地时间）。"
    )
    assert english == (
        "We can rebook you at no cost, for example on: "
        "UA625, 2013-01-01 19:00 local time (EWR); "
        "UA627, 2013-01-01 21:30 local time (EWR)."
    )


def test_the_disruption_page_shows_goodwill_in_yen_without_decimals(client, people):
    # Given JPY 500 of goodwill given to the passenger of a cancelled flight
    disruption = disrupt(CANCELLED, [passenger(1)])
    give_goodwill(
        disruption,
        amount=Decimal("500"),
        currency="JPY",
        form="voucher",
        reference="r-1",
        actor=people["care_supervisor"],
    )

    # When the supervisor opens the disruption page
    client.force_login(people["care_supervisor"])
    response = client.get(f"/console/disruptions/{disruption.pk}/")

    # Then the total reads in whole yen
    assert "<li>travel voucher: 500 JPY (1)</li>" in response.content.decode()
