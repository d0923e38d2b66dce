"""The intake batcher: concurrent API requests opened as one batch, each answered
with its own case or its own error."""

import json
import threading
import time

import pytest
from django.db import connection, connections
from django.test import Client

from paxcare.accounts.models import ApiToken
from paxcare.cases.models import Case
from paxcare.errors import InvalidInput
from paxcare.intake import batcher
from paxcare.intake.drafts import CaseDraft
from paxcare.intake.services import open_cases
from tests.factories import make_agent


def draft(n: int, **fields) -> CaseDraft:
    values = {
        "description": f"My bag {n} did not arrive on CA982.",
        "channel": "api",
        "category": "baggage.delayed",
        "kind": "claim",
        "email": f"pax{n}@example.com",
    }
    values.update(fields)
    return CaseDraft(**values)


def queued(drafts, actor) -> tuple[batcher.IntakeBatcher, list[batcher._Request]]:
    """Return a batcher whose queue holds the drafts, as concurrent requests do."""
    intake = batcher.IntakeBatcher()
    requests = [batcher._Request(d, actor) for d in drafts]
    group = intake._groups.setdefault("key", batcher._Group())
    group.queue.extend(requests)
    group.running = True
    requests[0].lead = True
    return intake, requests


@pytest.fixture
def counted_batches(monkeypatch):
    """Record the size of every batch the batcher opens."""
    sizes = []

    def counting(drafts, **kwargs):
        sizes.append(len(drafts))
        return open_cases(drafts, **kwargs)

    monkeypatch.setattr(batcher, "open_cases", counting)
    return sizes


@pytest.mark.django_db
def test_queued_requests_are_opened_in_one_batch_each_with_its_answer(
    counted_batches,
):
    # given three queued requests, the last two with the same external id
    agent = make_agent("bag.agent")
    drafts = [draft(1), draft(2, external_id="x-2"), draft(3, external_id="x-2")]
    intake, requests = queued(drafts, agent)

    # when the first of them leads
    intake._lead("key", intake._groups["key"])

    # then one batch opened them; each request has its own answer
    assert counted_batches == [3]
    first, second, repeat = (r.outcome() for r in requests)
    assert (first.created, second.created, repeat.created) == (True, True, False)
    assert repeat.case.pk == second.case.pk
    assert first.case.passenger.email == "pax1@example.com"
    assert Case.objects.count() == 2
    assert intake._groups == {}


@pytest.mark.django_db
def test_a_bad_draft_fails_alone(counted_batches, monkeypatch):
    # given a draft with a wrong field and one that breaks whatever batch holds it
    agent = make_agent("bag.agent")
    counting = batcher.open_cases

    def breaking(drafts, **kwargs):
        if any("boom" in d.description for d in drafts):
            raise RuntimeError("boom")
        return counting(drafts, **kwargs)

    monkeypatch.setattr(batcher, "open_cases", breaking)
    drafts = [draft(1), draft(2, category="no.such"), draft(3, description="boom")]
    intake, requests = queued(drafts, agent)

    # when they are opened together
    intake._lead("key", intake._groups["key"])

    # then the good draft is a case, and each bad one has its own error
    assert requests[0].outcome().created is True
    with pytest.raises(InvalidInput) as invalid:
        requests[1].outcome()
    assert [f.field for f in invalid.value.fields] == ["category"]
    with pytest.raises(RuntimeError, match="boom"):
        requests[2].outcome()
    assert list(Case.objects.values_list("passenger__email", flat=True)) == [
        "pax1@example.com"
    ]
    # the batch of three failed, then each was opened alone
    assert counted_batches == [1, 1]


@pytest.mark.django_db
def test_the_next_queued_request_leads_the_next_batch():
    # given a batcher that can take one draft per batch and two queued requests
    agent = make_agent("bag.agent")
    intake, requests = queued([draft(1), draft(2)], agent)
    intake.max_batch = 1

    # when the first leads
    intake._lead("key", intake._groups["key"])

    # then it answered itself and handed the lead on, the second not yet opened
    assert requests[0].outcome().created is True
    assert requests[1].lead is True and requests[1].result is None
    assert requests[1].done.is_set()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_api_requests_share_batches_and_get_their_own_case(
    counted_batches, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent requests are proven on PostgreSQL")
    # given eight clients of one account, and a first batch slow enough that the
    # others queue behind it
    agent = make_agent("bag.agent")
    _token, secret = ApiToken.issue(agent)
    counting = batcher.open_cases

    def slow_first(drafts, **kwargs):
        if not counted_batches:
            time.sleep(0.3)
        return counting(drafts, **kwargs)

    monkeypatch.setattr(batcher, "open_cases", slow_first)
    start = threading.Barrier(8)
    answers: dict[int, tuple[int, dict]] = {}

    def client(n: int) -> None:
        api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        body = {"description": f"Bag {n} lost.", "email": f"pax{n}@example.com"}
        if n == 7:
            body["email"] = "not an address"
        try:
            start.wait()
            response = api.post(
                "/api/v1/cases", json.dumps(body), content_type="application/json"
            )
            answers[n] = (response.status_code, response.json())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then fewer batches than requests, and each answer is that request's own
    assert len(counted_batches) < 8
    assert sum(counted_batches) == 8
    assert answers[7][0] == 422
    assert answers[7][1]["error"]["fields"][0]["field"] == "email"
    for n in range(7):
        status, body = answers[n]
        assert status == 201
        case = Case.objects.get(number=body["number"])
        assert case.passenger.email == f"pax{n}@example.com"
        assert body["assignee"] == "bag.agent" or body["department"] != "baggage"
    assert Case.objects.count() == 7
