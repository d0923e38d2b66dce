"""A corrected reason of a disruption is what finds its cases (QA session 2)."""

import pytest

from paxcare.cases.models import Case
from paxcare.cases.search import search_filter
from tests.disruptions.conftest import CA981_DELAY as CA981
from tests.disruptions.conftest import passenger
from tests.disruptions.test_corrections import FLIGHT_KEY, post

pytestmark = pytest.mark.django_db

SAME_DELAY_FOR_WEATHER = {**CA981, "delay_code": "71"}


def open_case(client, capture) -> Case:
    post(client, CA981, capture)
    with capture(execute=True):
        client.post(
            "/flights/manifests",
            {"flight": FLIGHT_KEY, "passengers": [passenger(1)]},
        )
    return Case.objects.get()


def test_a_delay_whose_reason_alone_is_corrected_is_found_by_the_new_reason(
    supervisor,
    django_capture_on_commit_callbacks,
):
    # Given a case opened for a delay caused by a technical problem (IATA 41)
    case = open_case(supervisor, django_capture_on_commit_callbacks)
    subject = case.subject

    # When the same delay is corrected to have been caused by weather (IATA 71)
    post(supervisor, SAME_DELAY_FOR_WEATHER, django_capture_on_commit_callbacks)

    # Then the subject stays, and the case is found by the new reason
    case.refresh_from_db()
    assert case.subject == subject
    assert Case.objects.filter(search_filter("weather")).count() == 1
    assert Case.objects.filter(search_filter("technical")).count() == 0


def test_a_chinese_passenger_s_case_is_found_by_the_corrected_reason_in_chinese(
    supervisor,
    django_capture_on_commit_callbacks,
):
    # Given a Chinese passenger's case opened for a delay caused by a technical
    # problem (IATA 41: 飞机技术故障)
    post(supervisor, CA981, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        supervisor.post(
            "/flights/manifests",
            {"flight": FLIGHT_KEY, "passengers": [passenger(1, language="zh-hans")]},
        )
    assert Case.objects.filter(search_filter("技术故障")).count() == 1

    # When the same delay is corrected to have been caused by weather (恶劣天气)
    post(supervisor, SAME_DELAY_FOR_WEATHER, django_capture_on_commit_callbacks)

    # Then the case is found by 天气 and no longer by 技术故障
    assert Case.objects.filter(search_filter("天气")).count() == 1
    assert Case.objects.filter(search_filter("技术故障")).count() == 0


def test_a_case_whose_reason_is_not_known_is_not_found_by_the_placeholder(
    supervisor,
    django_capture_on_commit_callbacks,
):
    # Given a case opened for a delay without a delay code (reason unknown)
    unknown = {k: v for k, v in CA981.items() if k != "delay_code"}
    post(supervisor, unknown, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        supervisor.post(
            "/flights/manifests",
            {"flight": FLIGHT_KEY, "passengers": [passenger(1)]},
        )
    assert Case.objects.count() == 1

    # When an agent searches for a passenger who wrote "booking not confirmed"
    found = Case.objects.filter(search_filter("not confirmed"))

    # Then the disruption case is not listed for PaxCare's placeholder words
    assert found.count() == 0
