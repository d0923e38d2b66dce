"""The shortcut of the impossible-request checks never waves a faulty request through.

``checks._plausible`` answers "nothing can be at fault" in a few comparisons per
flight, and the full checks run only when it cannot say so. It repeats what the full
checks look at, so the two could drift apart; here both read every request of the
recorded corpus and of variants made impossible in each way the checks know.
"""

import copy
import dataclasses
import json
import lzma
from datetime import datetime, timedelta

import pytest

from paxcare.remedies.engine.checks import _all_faults, _plausible
from paxcare.remedies.engine.plain import plain_assessment
from tests.remedies.engine_corpus import CORPUS


def _same_airport(request):
    request["segments"][0]["destination"] = request["segments"][0]["origin"]


def _heavy_bag(request):
    request["event"]["bag_weight_kg"] = 501


def _late_notice(request):
    departure = datetime.fromisoformat(request["segments"][0]["scheduled_departure"])
    request["event"]["segment_index"] = 0
    request["event"]["notified_at"] = (departure + timedelta(days=4)).isoformat()


def _connection_backwards(request):
    first, second = request["segments"][0], request["segments"][1]
    second["scheduled_departure"] = first["scheduled_departure"]


IMPOSSIBLE = {
    "same_airport": _same_airport,
    "bag_weight": _heavy_bag,
    "notice_after_departure": _late_notice,
    "connection_order": _connection_backwards,
}


@pytest.fixture(scope="module")
def requests() -> list[dict]:
    with lzma.open(CORPUS, "rt", encoding="utf-8") as handle:
        return [json.loads(line)["request"] for line in handle]


def _read(request):
    assessment = plain_assessment(request, None)
    if assessment is None:
        return None
    return assessment.segments, assessment.event


def test_what_the_shortcut_passes_the_full_checks_pass_too(requests):
    # given every request of the corpus that the one-pass reader reads
    read = [pair for pair in map(_read, requests) if pair is not None]
    # when both the shortcut and the full checks look at each
    passed = [pair for pair in read if _plausible(*pair)]
    faulty_yet_passed = [pair for pair in passed if _all_faults(*pair, None)]
    # then the shortcut passes most of them and no request the full checks fault
    assert len(read) > 2000
    assert len(passed) > 0.9 * len(read)
    assert faulty_yet_passed == []


@pytest.mark.parametrize("fault", sorted(IMPOSSIBLE))
def test_each_impossible_variant_goes_to_the_full_checks(requests, fault):
    # given the corpus's readable requests, each made impossible one way
    variants = []
    for request in requests:
        if _read(request) is None:
            continue
        if fault == "bag_weight" and "baggage" not in request["event"]["type"]:
            continue
        if fault == "connection_order" and len(request["segments"]) < 2:
            continue
        variant = copy.deepcopy(request)
        IMPOSSIBLE[fault](variant)
        pair = _read(variant)
        if pair is not None:
            variants.append(pair)
    # when the shortcut and the full checks look at them
    faulted = [pair for pair in variants if _all_faults(*pair, None)]
    waved_through = [pair for pair in faulted if _plausible(*pair)]
    # then the full checks fault them and the shortcut passes none of those
    assert len(variants) > 100
    assert len(faulted) > 0.9 * len(variants)
    assert waved_through == []


def test_a_flight_outside_the_years_goes_to_the_full_checks(requests):
    # given the readable requests with their first flight moved to the year 3100
    # (the one-pass reader never reads such a date, so the flight is changed after)
    variants = []
    for request in requests:
        pair = _read(request)
        if pair is None:
            continue
        segments, event = pair
        first = segments[0]
        moved = dataclasses.replace(
            first, scheduled_departure=first.scheduled_departure.replace(year=3100)
        )
        variants.append(((moved, *segments[1:]), event))
    # when the shortcut and the full checks look at them
    waved_through = [pair for pair in variants if _plausible(*pair)]
    faulted = [pair for pair in variants if _all_faults(*pair, None)]
    # then every one is faulted, and none passes the shortcut
    assert len(variants) > 2000
    assert len(faulted) == len(variants)
    assert waved_through == []
