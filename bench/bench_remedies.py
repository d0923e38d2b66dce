"""Assessments per second of the entitlement engine on one core.

Run: ``.venv/bin/python bench/bench_remedies.py [--runs 5] [--profile]`` (needs no
database). Each timed assessment parses a JSON-like request, assesses it under every
regime and turns the result into JSON-ready data; the mix covers every event type.
Time is the process's CPU time, so other work on a shared machine does not count
against the engine. ``--profile`` prints where the ``itinerary`` workload's time
goes (cProfile) instead.

Three workloads:
- ``distinct``: every request differs from the others by its fare, so no answer
  comes from ``assess_request``'s answer cache, but the seven itineraries of the
  mix repeat and the engine's caches of sub-results keyed by their inputs
  (distances, rule versions, entitlements that follow from the rule data and the
  carrier) stay warm;
- ``itinerary``: every request is a new journey of one to three flights (airports,
  carriers, dates over three years, delays, notices, reroutings, causes, cabins,
  bags and every event type drawn at random) assessed without the answer cache at
  all: parse, assess, serialize, as a first passenger costs;
- ``wave``: one cancelled flight, 300 passengers on 4 fares, as a disruption sends.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import pstats
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from paxcare.remedies.engine.assess import assess
from paxcare.remedies.engine.parse import parse_assessment
from paxcare.remedies.engine.serialize import result_to_dict
from paxcare.remedies.engine.service import assess_request


def _flight(carrier, origin, destination, departure, arrival):
    return {
        "marketing_carrier": carrier,
        "origin": origin,
        "destination": destination,
        "scheduled_departure": departure,
        "scheduled_arrival": arrival,
    }


FRA_JFK = _flight(
    "LH", "FRA", "JFK", "2026-05-04T10:00:00+02:00", "2026-05-04T12:45:00-04:00"
)
CDG_BCN = _flight(
    "AF", "CDG", "BCN", "2026-05-04T10:00:00+02:00", "2026-05-04T11:40:00+02:00"
)
YYZ_YVR = _flight(
    "AC", "YYZ", "YVR", "2026-05-04T08:00:00-04:00", "2026-05-04T10:05:00-07:00"
)
JFK_LAX = _flight(
    "AA", "JFK", "LAX", "2026-05-04T08:00:00-04:00", "2026-05-04T11:30:00-07:00"
)
PEK_PVG = _flight(
    "CA", "PEK", "PVG", "2026-05-04T09:00:00+08:00", "2026-05-04T11:15:00+08:00"
)
FARE = {"one_way_fare": {"amount": "300", "currency": "USD"}}

MIX = [
    {
        "segments": [FRA_JFK],
        "event": {
            "type": "delay",
            "cause": "technical",
            "actual_arrival": "2026-05-04T16:55:00-04:00",
        },
    },
    {
        "segments": [CDG_BCN],
        "event": {"type": "cancellation", "notified_at": "2026-05-01T10:00:00+02:00"},
    },
    {
        "segments": [YYZ_YVR],
        "event": {"type": "delay", "actual_arrival": "2026-05-04T17:05:00-07:00"},
    },
    {
        "segments": [JFK_LAX],
        "passenger": FARE,
        "event": {
            "type": "denied_boarding",
            "rerouting": {
                "departure": "2026-05-04T09:30:00-04:00",
                "arrival": "2026-05-04T13:00:00-07:00",
            },
        },
    },
    {
        "segments": [PEK_PVG],
        "event": {
            "type": "delay",
            "cause": "weather",
            "actual_arrival": "2026-05-04T14:15:00+08:00",
        },
    },
    {
        "segments": [FRA_JFK],
        "event": {
            "type": "baggage_damage",
            "delivered_at": "2026-05-06T15:00:00-04:00",
            "complained_at": "2026-05-14T09:00:00-04:00",
        },
    },
    {
        "segments": [CDG_BCN],
        "event": {
            "type": "downgrade",
            "from_cabin": "business",
            "to_cabin": "economy",
            "segment_fare": {"amount": "400", "currency": "EUR"},
        },
    },
]


def distinct(count: int, run: int) -> list[dict]:
    """Return ``count`` requests that all differ from each other and from other runs."""
    requests = []
    for i in range(count):
        data = copy.deepcopy(MIX[i % len(MIX)])
        data["id"] = i
        data["passenger"] = {
            "one_way_fare": {"amount": f"{run}{i}.{i % 100:02d}", "currency": "USD"}
        }
        requests.append(data)
    return requests


def wave(count: int) -> list[dict]:
    """Return one cancelled flight's passengers: same itinerary, four fares."""
    fares = ["89.00", "149.00", "420.00", "1280.00"]
    return [
        {
            "id": f"PAX{i:04d}",
            "segments": [CDG_BCN],
            "event": {
                "type": "cancellation",
                "notified_at": "2026-05-03T18:00:00+02:00",
            },
            "passenger": {"one_way_fare": {"amount": fares[i % 4], "currency": "EUR"}},
        }
        for i in range(count)
    ]


AIRPORTS = [
    "FRA", "CDG", "BCN", "MAD", "LHR", "MAN", "DUB", "AMS", "ZRH", "LPA", "RUN",
    "JFK", "LAX", "ORD", "SFO", "YYZ", "YVR", "YUL", "PEK", "PVG", "CAN", "CTU",
    "HKG", "NRT", "ICN", "SIN", "SYD", "DXB", "DOH", "GRU", "JNB", "DEL", "BKK",
]  # fmt: skip
CARRIERS = ["LH", "AF", "IB", "BA", "AC", "AA", "UA", "CA", "MU", "CZ", "SQ", "EK"]
CAUSES = [None, "technical", "weather", "crew_shortage", "air_traffic_control"]
# Delays three times as often as any other event; cancellations twice.
EVENTS = ["delay"] * 3 + ["cancellation"] * 2 + [
    "denied_boarding", "downgrade", "baggage_delay", "baggage_loss", "baggage_damage"
]  # fmt: skip
CABINS = ["economy", "premium_economy", "business", "first"]
EPOCH = datetime(2024, 1, 1, 6, 0, tzinfo=UTC)


def _journey(pick: random.Random) -> list[tuple[str, datetime, datetime]]:
    """Return one to three connecting flights as (carrier, departure, arrival)."""
    flights = pick.choices((1, 2, 3), weights=(6, 3, 1))[0]
    departure = EPOCH + timedelta(minutes=pick.randrange(3 * 365 * 24 * 60))
    legs = []
    for _ in range(flights):
        arrival = departure + timedelta(minutes=pick.randrange(60, 15 * 60))
        legs.append((pick.choice(CARRIERS), departure, arrival))
        departure = arrival + timedelta(minutes=pick.randrange(45, 4 * 60))
    return legs


def _event(pick: random.Random, legs: list, index: int) -> dict:
    """Return a random event on flight ``index`` of ``legs``, with its own fields."""
    kind = pick.choice(EVENTS)
    event = {"type": kind, "segment_index": index, "cause": pick.choice(CAUSES)}
    departure, arrival = legs[index][1], legs[-1][2]
    late = timedelta(minutes=pick.randrange(0, 12 * 60))
    if kind == "delay":
        event["actual_arrival"] = (arrival + late).isoformat()
    elif kind in ("cancellation", "denied_boarding"):
        event["rerouting"] = {
            "departure": (departure + late).isoformat(),
            "arrival": (arrival + late).isoformat(),
        }
        if kind == "cancellation":
            ahead = timedelta(hours=pick.randrange(0, 21 * 24))
            event["notified_at"] = (departure - ahead).isoformat()
    elif kind == "downgrade":
        event["from_cabin"], event["to_cabin"] = "business", pick.choice(CABINS[:2])
        event["segment_fare"] = {"amount": f"{pick.randrange(100, 900)}.00"}
        event["segment_fare"]["currency"] = "EUR"
    else:
        event["segment_index"] = len(legs) - 1
        event["delivered_at"] = (arrival + late * 4).isoformat()
        event["complained_at"] = (arrival + late * 40).isoformat()
        event["bag_weight_kg"] = pick.randrange(8, 32)
    return {k: v for k, v in event.items() if v is not None}


def itineraries(count: int, seed: int) -> list[dict]:
    """Return ``count`` requests on new journeys, dates, delays and events."""
    pick = random.Random(seed)
    requests = []
    for i in range(count):
        legs = _journey(pick)
        places = pick.sample(AIRPORTS, len(legs) + 1)
        segments = [
            _flight(
                carrier,
                places[n],
                places[n + 1],
                departure.isoformat(),
                arrival.isoformat(),
            )
            for n, (carrier, departure, arrival) in enumerate(legs)
        ]
        fare = {"amount": f"{pick.randrange(50, 3000)}.00", "currency": "USD"}
        requests.append(
            {
                "id": i,
                "segments": segments,
                "event": _event(pick, legs, pick.randrange(len(legs))),
                "passenger": {"one_way_fare": fare},
            }
        )
    return requests


def uncached(data: dict) -> dict:
    """Assess without ``assess_request``'s answer cache."""
    return result_to_dict(assess(parse_assessment(data)))


def rate(requests: list[dict], answer=assess_request) -> float:
    """Assess ``requests`` one by one; return assessments per CPU second."""
    started = time.process_time()
    for data in requests:
        answer(data)
    return len(requests) / (time.process_time() - started)


def profile(count: int = 20000) -> None:
    """Print the functions where the ``itinerary`` workload spends its time."""
    requests = itineraries(count, 99)
    rate(itineraries(2000, 98), uncached)
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for data in requests:
        uncached(data)
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats("tottime")
    stats.print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    options = parser.parse_args()
    if options.profile:
        profile()
        return
    rate(distinct(2000, 0))  # warm up: airports, rule books, distances
    rate(itineraries(2000, 1000), uncached)
    for name, build, answer in (
        ("distinct", lambda run: distinct(20000, run + 1), assess_request),
        ("itinerary", lambda run: itineraries(20000, run), uncached),
        ("wave", lambda run: wave(300) * 50, assess_request),
    ):
        rates = [rate(build(run), answer) for run in range(options.runs)]
        runs = ", ".join(f"{r:,.0f}" for r in rates)
        median = statistics.median(rates)
        print(f"{name:9}: median {median:,.0f} assessments/s on one core ({runs})")


if __name__ == "__main__":
    main()
