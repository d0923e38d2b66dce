"""``/api/v1/flights``: events and manifests in, disruptions with their totals out."""

import pytest

from paxcare.cases.models import Case
from paxcare.disruptions.models import Disruption, ManifestEntry
from paxcare.routing.models import Role
from tests.api.conftest import ApiClient
from tests.disruptions.conftest import AF_JFK_CDG, passenger
from tests.factories import make_agent

pytestmark = pytest.mark.django_db

CANCELLED = {**AF_JFK_CDG, "type": "cancellation", "delay_code": "41"}
FLIGHT_KEY = {"flight_number": "AF23", "flight_date": "2026-01-05", "origin": "JFK"}


@pytest.fixture
def operations(db) -> ApiClient:
    return ApiClient(make_agent("ops", role=Role.ADMIN, departments=()))


@pytest.fixture
def care_agent(db) -> ApiClient:
    return ApiClient(make_agent("care", departments=("disruption-care",)))


def test_an_event_creates_a_disruption_and_the_same_event_changes_nothing(operations):
    first = operations.post("/flights/events", CANCELLED)
    again = operations.post("/flights/events", CANCELLED)

    assert (first.status_code, again.status_code) == (201, 200)
    assert (first.json()["outcome"], again.json()["outcome"]) == (
        "created",
        "unchanged",
    )
    body = first.json()
    assert body["flight"]["status"] == "cancelled"
    assert body["flight"]["cause"] == "technical"
    assert body["disruption"]["version"] == 1
    assert body["disruption"]["public_url"] == "/disruptions/AF23-20260105-JFK/"


def test_a_manifest_for_a_disrupted_flight_opens_the_cases(
    operations, django_capture_on_commit_callbacks
):
    operations.post("/flights/events", CANCELLED)

    with django_capture_on_commit_callbacks(execute=True):
        response = operations.post(
            "/flights/manifests",
            {"flight": FLIGHT_KEY, "passengers": [passenger(1), passenger(2)]},
        )

    assert response.status_code == 200
    assert response.json() == {"added": 2, "updated": 0, "unchanged": 0}
    assert Case.objects.filter(channel="system").count() == 2


def test_a_correction_through_the_api_updates_the_cases(
    operations, django_capture_on_commit_callbacks
):
    late = {**AF_JFK_CDG, "type": "delay", "estimated_arrival": "2026-01-06T12:00Z"}
    operations.post("/flights/events", late)
    with django_capture_on_commit_callbacks(execute=True):
        operations.post(
            "/flights/manifests", {"flight": FLIGHT_KEY, "passengers": [passenger(1)]}
        )

    with django_capture_on_commit_callbacks(execute=True):
        response = operations.post("/flights/events", CANCELLED)

    assert response.json()["outcome"] == "updated"
    case = Case.objects.get()
    assert case.events.filter(type="disruption.updated").count() == 1


def test_a_bad_event_answers_every_faulty_field(operations):
    response = operations.post(
        "/flights/events",
        {**CANCELLED, "origin": "XXX", "delay_code": "7", "type": "late"},
    )

    assert response.status_code == 422
    fields = sorted(f["field"] for f in response.json()["error"]["fields"])
    assert fields == ["type"]

    response = operations.post(
        "/flights/events", {**CANCELLED, "origin": "XXX", "delay_code": "7"}
    )

    assert response.status_code == 422
    fields = sorted(f["field"] for f in response.json()["error"]["fields"])
    assert fields == ["delay_code", "origin"]


def test_a_manifest_with_a_bad_row_is_refused_whole(operations):
    operations.post("/flights/events", CANCELLED)

    response = operations.post(
        "/flights/manifests",
        {
            "flight": FLIGHT_KEY,
            "passengers": [passenger(1), passenger(2, email="nope", fare_currency="$")],
        },
    )

    assert response.status_code == 422
    fields = sorted(f["field"] for f in response.json()["error"]["fields"])
    assert fields == ["passengers.1.email", "passengers.1.fare_currency"]
    assert ManifestEntry.objects.count() == 0


def test_a_manifest_for_an_unknown_flight_is_404(operations):
    response = operations.post(
        "/flights/manifests", {"flight": FLIGHT_KEY, "passengers": [passenger(1)]}
    )

    assert response.status_code == 404


def test_agents_may_not_feed_flights(care_agent):
    response = care_agent.post("/flights/events", CANCELLED)

    assert response.status_code == 403
    assert Disruption.objects.count() == 0


def test_a_disruption_reads_with_its_counts_and_totals(
    operations, care_agent, django_capture_on_commit_callbacks
):
    operations.post("/flights/events", CANCELLED)
    with django_capture_on_commit_callbacks(execute=True):
        operations.post(
            "/flights/manifests",
            {"flight": FLIGHT_KEY, "passengers": [passenger(1), passenger(2)]},
        )
    disruption = Disruption.objects.get()

    response = care_agent.get(f"/flights/disruptions/{disruption.pk}")

    body = response.json()
    assert response.status_code == 200
    assert body["counts"]["affected"] == 2
    assert body["counts"]["opened"] == 2
    assert body["totals"] == [
        {
            "regime": "eu261",
            "kind": "compensation",
            "currency": "EUR",
            "amount": "1200.00",
            "passengers": 2,
        },
        {
            "regime": "eu261",
            "kind": "refund",
            "currency": "USD",
            "amount": "1000.00",
            "passengers": 2,
        },
        {
            "regime": "us_dot",
            "kind": "refund",
            "currency": "USD",
            "amount": "1000.00",
            "passengers": 2,
        },
    ]
    listed = care_agent.get("/flights/disruptions").json()
    assert [d["id"] for d in listed] == [disruption.pk]


def test_an_agent_of_another_department_does_not_see_the_disruption(
    operations, django_capture_on_commit_callbacks
):
    operations.post("/flights/events", CANCELLED)
    with django_capture_on_commit_callbacks(execute=True):
        operations.post(
            "/flights/manifests", {"flight": FLIGHT_KEY, "passengers": [passenger(1)]}
        )
    baggage = ApiClient(make_agent("bags", departments=("baggage",)))

    disruption = Disruption.objects.get()

    assert baggage.get(f"/flights/disruptions/{disruption.pk}").status_code == 404
    assert baggage.get("/flights/disruptions").json() == []


def test_a_nul_in_a_manifest_is_a_field_error_and_stores_nothing(operations):
    operations.post("/flights/events", CANCELLED)
    broken = {**passenger(1), "passenger_name": "Ada\x00Lovelace"}

    response = operations.post(
        "/flights/manifests", {"flight": FLIGHT_KEY, "passengers": [broken]}
    )

    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert [(f["field"], f["code"]) for f in fields] == [
        ("passengers.0.passenger_name", "nul_character")
    ]
    assert ManifestEntry.objects.count() == 0
