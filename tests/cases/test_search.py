"""Case search: every term must match; Chinese words are found by their characters."""

import pytest

from paxcare.cases.models import Case
from paxcare.cases.search import search_document, search_filter
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def found(text: str) -> list[str]:
    return sorted(
        Case.objects.filter(search_filter(text)).values_list("subject", flat=True)
    )


def test_the_document_holds_words_cjk_characters_and_pairs_and_contact_parts():
    document = search_document(
        "PX-7K3M-9QD4", "Li.Wei@Example.com", "+8613800138000", "行李箱", "Bag late"
    )

    assert document.split() == [
        "行",
        "李",
        "箱",
        "行李",
        "李箱",
        "px-7k3m-9qd4",
        "li.wei@example.com",
        "li",
        "wei",
        "example",
        "com",
        "8613800138000",
        "bag",
        "late",
    ]


def test_a_case_carries_its_search_document_from_intake():
    case = make_case(subject="Wheelchair", description="行李没到", email="a@b.cn")

    case.refresh_from_db()

    assert case.search_document.split() == [
        "行",
        "李",
        "没",
        "到",
        "行李",
        "李没",
        "没到",
        case.number.lower(),
        "a@b.cn",
        "a",
        "b",
        "cn",
        "wheelchair",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("行李", ["chinese bag"]),
        ("行李箱", ["chinese bag"]),
        ("箱", ["chinese bag"]),
        ("李箱 北京", ["chinese bag"]),
        ("WHEEL", ["wheelchair"]),
        ("wheelchair gate", ["wheelchair"]),
        ("wheelchair refund", []),
        ("frequent.flyer@example.com", ["by e-mail"]),
        ("ca981", ["flight"]),
        ("zzzz", []),
        ("", []),
        ("!!!", []),
    ],
)
def test_search_matches_every_term_in_english_and_chinese(query, expected):
    make_case(subject="chinese bag", description="我的行李箱在北京没有到。")
    make_case(subject="wheelchair", description="No wheelchair at the gate.")
    make_case(
        subject="by e-mail", description="Bag.", email="frequent.flyer@example.com"
    )
    make_case(subject="flight", description="Flight CA981 was late.")

    assert found(query) == sorted(expected)


def test_search_terms_with_quotes_and_backslashes_are_taken_as_text():
    make_case(subject="quote", description="It's O'Hare \\ again")

    assert found("o'hare") == ["quote"]
    assert found("\\ ' & | ! :*") == []


def test_the_migration_gives_cases_without_a_document_their_document():
    from importlib import import_module

    from django.apps import apps

    fill = import_module("paxcare.cases.migrations.0005_fill_search_documents")
    case = make_case(subject="Stroller", description="童车坏了", email="x@y.cn")
    Case.objects.filter(pk=case.pk).update(search_document="")

    fill.fill_search_documents(apps, None)

    case.refresh_from_db()
    assert case.search_document == search_document(
        case.number, "x@y.cn", "", "Stroller", "童车坏了"
    )


def test_a_case_paxcare_opened_is_found_by_subject_and_reason_not_standard_words():
    # given a cancelled flight whose passenger PaxCare opened a case for, and a
    # passenger who wrote in with the same words
    from paxcare.disruptions.ingest import record_flight_event
    from paxcare.disruptions.manifests import load_manifest
    from paxcare.disruptions.proactive import care_for_disruption
    from tests.disruptions.conftest import AF_JFK_CDG, event, passenger

    flight = event(
        AF_JFK_CDG, type="cancellation", flight_number="AF30", delay_code="71"
    )
    recorded = record_flight_event(flight)
    load_manifest(recorded.flight, [passenger(1)])
    care_for_disruption(recorded.disruption.pk)
    opened = Case.objects.get(channel="system")
    assert "looked after" in opened.description
    make_case(subject="Help", description="I was not looked after at all")

    # when agents search
    # then the opened case is found by its flight, what happened, the name and the
    # reason, not by the words every passenger of the flight shares; the written
    # one is
    assert found("AF30 cancelled Ann Smith") == [opened.subject]
    reason = opened.description.split("Reason: ")[1].split(".")[0]
    assert found(f"AF30 {reason}") == [opened.subject]
    assert found("looked after") == ["Help"]
    assert "looked" not in opened.search_document.split()
