"""The console's disruption pages: who sees them, who acts on all cases at once."""

import pytest

from paxcare.cases.models import Case, Message
from paxcare.disruptions.actions import close_rebooked_and_satisfied
from paxcare.disruptions.manifests import load_manifest
from paxcare.disruptions.models import AffectedPassenger
from paxcare.remedies.services import open_required_steps, tick_step
from tests.disruptions.conftest import AF_JFK_CDG, disrupt, passenger

PERSONAS = [
    "anonymous",
    "care_agent",
    "care_supervisor",
    "baggage_agent",
    "baggage_supervisor",
    "auditor",
    "admin",
    "superuser",
    "no_profile",
]


@pytest.fixture
def disruption(people):
    return disrupt(AF_JFK_CDG, [passenger(1), passenger(2)], type="cancellation")


@pytest.fixture
def client_as(client, people):
    def sign_in(persona: str):
        if persona != "anonymous":
            client.force_login(people[persona])
        return client

    return sign_in


@pytest.mark.parametrize(
    ("persona", "expected"),
    list(zip(PERSONAS, [302, 200, 200, 404, 404, 200, 200, 200, 403], strict=True)),
)
def test_disruption_page(client_as, disruption, persona, expected):
    response = client_as(persona).get(f"/console/disruptions/{disruption.pk}/")

    assert response.status_code == expected


@pytest.mark.parametrize(
    ("persona", "listed"),
    [
        ("care_agent", 1),
        ("baggage_agent", 0),
        ("baggage_supervisor", 0),
        ("auditor", 1),
        ("superuser", 1),
    ],
)
def test_the_list_shows_only_disruptions_whose_cases_one_may_see(
    client_as, disruption, persona, listed
):
    response = client_as(persona).get("/console/disruptions/")

    assert response.status_code == 200
    assert len(response.context["rows"]) == listed


@pytest.mark.parametrize(
    ("persona", "expected", "replies"),
    list(
        zip(
            PERSONAS,
            [302, 403, 302, 404, 404, 403, 302, 302, 403],
            [0, 0, 2, 0, 0, 0, 2, 2, 0],
            strict=True,
        )
    ),
)
def test_only_supervisors_message_every_passenger(
    client_as, disruption, persona, expected, replies
):
    response = client_as(persona).post(
        f"/console/disruptions/{disruption.pk}/message/",
        {"body": "Your new flight leaves at 20:00 from gate 7."},
    )

    assert response.status_code == expected
    sent = Message.objects.filter(direction=Message.Direction.OUTBOUND)
    assert sent.count() == replies


def test_a_message_to_everyone_is_on_every_case(client_as, disruption):
    client_as("care_supervisor").post(
        f"/console/disruptions/{disruption.pk}/message/",
        {"body": "Your new flight leaves at 20:00 from gate 7."},
    )

    for case in Case.objects.all():
        assert case.events.filter(type="message.sent").count() == 1
        assert case.status == "open"
        assert case.messages.get().body == (
            "Your new flight leaves at 20:00 from gate 7."
        )


def test_a_goodwill_gesture_is_recorded_once_on_every_case(client_as, disruption):
    client = client_as("care_supervisor")
    form = {
        "amount": "50",
        "currency": "usd",
        "form": "voucher",
        "reference": "6f1c7a52-2a4b-4d3c-9d8e-0c4b2f1e9a10",
    }

    client.post(f"/console/disruptions/{disruption.pk}/goodwill/", form)
    client.post(f"/console/disruptions/{disruption.pk}/goodwill/", form)

    for row in AffectedPassenger.objects.all():
        assert [(g["amount"], g["currency"], g["form"]) for g in row.goodwill] == [
            ("50.00", "USD", "voucher")
        ]
        events = row.case.events.filter(type="disruption.goodwill")
        assert [e.data["amount"] for e in events] == ["50.00"]
    response = client.get(f"/console/disruptions/{disruption.pk}/")
    goodwill = response.context["summary"].goodwill
    assert [(g.kind, g.amount, g.currency, g.passengers) for g in goodwill] == [
        ("voucher", 100, "USD", 2)
    ]


def test_a_bad_goodwill_form_is_shown_again_with_its_errors(client_as, disruption):
    response = client_as("care_supervisor").post(
        f"/console/disruptions/{disruption.pk}/goodwill/",
        {"amount": "-5", "currency": "dollars", "form": "gold", "reference": "x"},
    )

    assert response.status_code == 400
    errors = response.context["goodwill_form"].errors
    assert sorted(errors) == ["amount", "currency", "form", "reference"]
    assert AffectedPassenger.objects.filter(goodwill=[]).count() == 2


REBOOKED = {
    "rebooked_flight": "AF11",
    "rebooked_departure": "2026-01-05T20:00:00-05:00",
    "rebooked_arrival": "2026-01-06T10:00:00+01:00",
}


def tick_required_steps(case, actor) -> None:
    for step in open_required_steps(case):
        tick_step(case, step.pk, actor=actor)


def test_closing_reaches_only_the_rebooked_who_accepted(client_as, people, disruption):
    flight = disruption.flight
    load_manifest(flight, [passenger(1, **REBOOKED, rebooking_accepted=True)])
    load_manifest(flight, [passenger(2, **REBOOKED, rebooking_accepted=False)])
    for row in AffectedPassenger.objects.select_related("case"):
        tick_required_steps(row.case, people["care_supervisor"])

    response = client_as("care_supervisor").post(
        f"/console/disruptions/{disruption.pk}/close/", {"confirm": "on"}
    )

    assert response.status_code == 302
    statuses = dict(
        AffectedPassenger.objects.values_list("entry__passenger_name", "case__status")
    )
    assert statuses == {"Ann Smith": "closed", "Ann Smith2": "new"}
    closed = Case.objects.get(status="closed")
    assert list(
        closed.events.filter(type="case.status_changed").values_list(
            "data__new", flat=True
        )
    ) == ["resolved", "closed"]


def test_closing_leaves_cases_whose_playbook_is_not_done(people, disruption):
    load_manifest(
        disruption.flight, [passenger(1, **REBOOKED, rebooking_accepted=True)]
    )
    case = AffectedPassenger.objects.get(entry__passenger_name="Ann Smith").case
    assert open_required_steps(case)

    report = close_rebooked_and_satisfied(disruption, actor=people["care_supervisor"])

    assert (report.done, report.skipped, report.blocked) == (0, 0, 1)
    case.refresh_from_db()
    assert case.status == "new"


def test_the_page_counts_passengers_and_adds_up_what_is_owed(client_as, disruption):
    response = client_as("care_agent").get(f"/console/disruptions/{disruption.pk}/")

    summary = response.context["summary"]
    assert (summary.on_manifest, summary.affected, summary.opened) == (2, 2, 0 + 2)
    totals = [
        (t.regime, t.kind, t.currency, t.amount, t.passengers) for t in summary.totals
    ]
    assert totals == [
        ("eu261", "compensation", "EUR", 1200, 2),
        ("eu261", "refund", "USD", 1000, 2),
        ("us_dot", "refund", "USD", 1000, 2),
    ]
    assert response.context["may_act"] is False
    assert b"Ann Smith2" in response.content


def test_the_case_timeline_says_what_the_disruption_did(client_as, disruption):
    case = AffectedPassenger.objects.order_by("pk").first().case

    response = client_as("care_agent").get(f"/console/cases/{case.number}/")

    texts = [entry.text for entry in response.context["timeline"]]
    opened = [t for t in texts if t.startswith("Opened for the cancellation")]
    assert len(opened) == 1
    assert opened[0].startswith("Opened for the cancellation of flight AF23 2026-01-05")
    assert opened[0].endswith(
        "owed: refund under EU Regulation 261/2004 (500.00 USD); compensation "
        "under EU Regulation 261/2004 (600.00 EUR); refund under United States: "
        "DOT rules (500.00 USD)."
    )


def test_the_page_speaks_chinese_to_a_chinese_browser(client_as, disruption):
    response = client_as("care_supervisor").get(
        f"/console/disruptions/{disruption.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    body = response.content.decode()
    assert "AF23 JFK–CDG 航班（2026年1月5日）已取消" in body
    for label in ("应付总额", "通知全部旅客", "关闭已满意的服务单", "退款（如选择）"):
        assert label in body
