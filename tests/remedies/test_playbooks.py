"""Resolution playbooks: the default procedures, ticking steps, and the resolve gate."""

import pytest

from paxcare.cases.lifecycle import Status
from paxcare.cases.models import Event
from paxcare.cases.services import change_status
from paxcare.errors import Conflict, PermissionDenied
from paxcare.remedies.models import CaseStep, Playbook, PlaybookStep
from paxcare.remedies.services import (
    ensure_resolvable,
    open_required_steps,
    tick_step,
    untick_step,
)
from paxcare.routing.services import reassign_case
from tests.factories import make_case

DEFAULT_CATEGORIES = [
    "baggage.damaged",
    "baggage.delayed",
    "baggage.lost",
    "flight.cancellation",
    "flight.delay",
    "flight.denied_boarding",
    "ticketing.refund",
]


def _steps(case, required_only=False):
    steps = PlaybookStep.objects.filter(playbook__category=case.category)
    return list(steps.filter(required=True) if required_only else steps)


def _tick_all(case, actor, required_only=True):
    for step in _steps(case, required_only):
        tick_step(case, step.pk, actor=actor)


@pytest.fixture
def lost_bag(people):
    case = make_case(category="baggage.lost", description="My bag never came.")
    return reassign_case(case, people["other"], actor=None)


@pytest.mark.django_db
def test_default_playbooks_cover_bags_flights_and_refunds_in_both_languages():
    playbooks = Playbook.objects.order_by("category__code")

    assert [p.category.code for p in playbooks] == DEFAULT_CATEGORIES
    assert all(
        step.title_en and step.title_zh
        for step in PlaybookStep.objects.filter(playbook__in=playbooks)
    )


@pytest.mark.django_db
def test_the_lost_bag_procedure_runs_from_the_pir_to_the_documents():
    playbook = Playbook.objects.get(category__code="baggage.lost")

    steps = [(s.code, s.required) for s in playbook.steps.all()]

    assert steps == [
        ("pir", True),
        ("tracing", True),
        ("interim_expenses", False),
        ("declared_lost", True),
        ("claim_form", True),
        ("documents", True),
        ("settlement", False),
    ]
    assert playbook.name_zh == "行李丢失"


def test_resolving_with_required_steps_open_is_refused_naming_them(lost_bag, people):
    tick_step(lost_bag, _steps(lost_bag)[0].pk, actor=people["other"])

    with pytest.raises(Conflict) as refused:
        change_status(lost_bag, Status.RESOLVED, actor=people["other"])

    assert refused.value.code == "playbook_incomplete"
    assert str(refused.value.message) == (
        "Complete the required steps of the playbook first: "
        "Tracing started in the worldwide tracing system and followed daily; "
        "Bag declared lost after 21 days of tracing; "
        "Claim form and list of contents received; "
        "Documents checked: bag tag, boarding pass, receipts for the contents."
    )
    lost_bag.refresh_from_db()
    assert lost_bag.status == Status.NEW
    assert not Event.objects.filter(case=lost_bag, type="case.status_changed").exists()


def test_once_every_required_step_is_done_the_case_resolves(lost_bag, people):
    _tick_all(lost_bag, people["other"])

    change_status(lost_bag, Status.RESOLVED, actor=people["other"])

    lost_bag.refresh_from_db()
    assert lost_bag.status == Status.RESOLVED


def test_other_moves_are_not_held_back_by_open_steps(lost_bag, people):
    change_status(lost_bag, Status.PENDING, actor=people["other"])

    lost_bag.refresh_from_db()
    assert lost_bag.status == Status.PENDING


def test_a_category_without_a_playbook_resolves_freely(people):
    case = make_case(category="service.cabin_crew", description="Rude crew.")

    ensure_resolvable(case)

    assert open_required_steps(case) == []


def test_an_administrator_who_makes_a_step_optional_frees_the_case(lost_bag, people):
    PlaybookStep.objects.filter(playbook__category=lost_bag.category).update(
        required=False
    )

    change_status(lost_bag, Status.RESOLVED, actor=people["other"])

    lost_bag.refresh_from_db()
    assert lost_bag.status == Status.RESOLVED


def test_each_tick_is_a_timeline_event_with_its_note(lost_bag, people):
    pir = _steps(lost_bag)[0]

    tick_step(lost_bag, pir.pk, actor=people["other"], note="PEKCA12345")
    tick_step(lost_bag, pir.pk, actor=people["other"], note="again")
    untick_step(lost_bag, pir.pk, actor=people["other"])

    events = Event.objects.filter(case=lost_bag, type__startswith="playbook.")
    assert [(e.type, e.data.get("note")) for e in events] == [
        ("playbook.step_done", "PEKCA12345"),
        ("playbook.step_undone", None),
    ]
    assert events[0].data["title"] == {
        "en": "Property irregularity report (PIR) reference recorded",
        "zh": "已记录行李运输事故记录（PIR）编号",
    }
    assert not CaseStep.objects.filter(case=lost_bag).exists()


@pytest.mark.parametrize("persona", ["auditor", "agent", "no_profile"])
def test_only_people_who_work_the_case_tick_its_steps(lost_bag, people, persona):
    with pytest.raises(PermissionDenied):
        tick_step(lost_bag, _steps(lost_bag)[0].pk, actor=people[persona])


def test_a_step_of_another_playbook_is_refused(lost_bag, people):
    refund_step = PlaybookStep.objects.filter(
        playbook__category__code="ticketing.refund"
    ).first()

    with pytest.raises(Conflict):
        tick_step(lost_bag, refund_step.pk, actor=people["other"])


def test_the_console_refuses_to_resolve_with_the_reason(client, lost_bag, people):
    client.force_login(people["other"])

    response = client.post(
        f"/console/cases/{lost_bag.number}/status/", {"status": "resolved"}
    )

    assert response.status_code == 409
    assert "Complete the required steps of the playbook first" in (
        response.content.decode()
    )


def test_the_console_ticks_a_step_and_shows_it_on_the_timeline(
    client, lost_bag, people
):
    client.force_login(people["other"])
    pir = _steps(lost_bag)[0]

    response = client.post(
        f"/console/cases/{lost_bag.number}/remedies/steps/{pir.pk}/",
        {"done": "on", "note": "PEKCA12345"},
    )
    page = client.get(f"/console/cases/{lost_bag.number}/").content.decode()

    assert response.status_code == 302
    assert (
        "Playbook step done: Property irregularity report (PIR) reference recorded. "
        "Note: PEKCA12345"
    ) in page


def test_the_api_refuses_to_resolve_with_409(lost_bag, people):
    from tests.api.conftest import ApiClient

    api = ApiClient(people["other"])

    response = api.patch(f"/cases/{lost_bag.number}", {"status": "resolved"})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "playbook_incomplete"
