"""The engine gives the answers it recorded for a corpus of generated requests.

The corpus (``engine_corpus.py``, 4,000 requests over every regime, event type,
optional field and common fault) was answered by the engine before its hot path
was optimised; any change of any field of any answer, wording included, fails here.
"""

import json
import lzma

import pytest

from tests.remedies.engine_corpus import CORPUS, engine_answer, with_datetimes


@pytest.fixture(scope="module")
def recorded() -> list[dict]:
    with lzma.open(CORPUS, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def test_the_corpus_covers_every_event_type_faults_and_connections(recorded):
    # given the recorded requests
    requests = [item["request"] for item in recorded]
    # when they are counted by what they exercise
    events = {r["event"]["type"] for r in requests if isinstance(r["event"], dict)}
    errors = sum("error" in item["answer"] for item in recorded)
    connections = sum(
        isinstance(r["segments"], list) and len(r["segments"]) > 1 for r in requests
    )
    # then every kind of request is there in numbers
    assert len(recorded) == 4000
    assert events == {
        "delay",
        "cancellation",
        "denied_boarding",
        "downgrade",
        "baggage_delay",
        "baggage_loss",
        "baggage_damage",
        "volcano",
    }
    assert errors > 200
    assert connections > 1000


def test_every_recorded_answer_is_given_again_field_for_field(recorded):
    # given the recorded answers
    differing = []
    # when every request is assessed again
    for item in recorded:
        data = item["request"]
        shown = with_datetimes(data) if item["datetimes"] else data
        answer = json.loads(json.dumps(engine_answer(shown)))
        if answer != item["answer"]:
            differing.append((data.get("id"), answer, item["answer"]))
    # then none differs (the first that does is shown whole, then all their ids)
    assert [found for _, found, _ in differing[:1]] == [
        expected for _, _, expected in differing[:1]
    ]
    assert [identifier for identifier, _, _ in differing] == []
