"""Assessments per second of the entitlement engine on one core.

Run: ``.venv/bin/python bench/bench_remedies.py`` (needs no database). Each timed
assessment parses a JSON-like request, assesses it under every regime and turns the
result into JSON-ready data; the mix covers every event type. Time is the process's
CPU time, so other work on a shared machine does not count against the engine.

Three workloads:
- ``distinct``: every request differs from the others by its fare, so no answer
  comes from ``assess_request``'s answer cache, but the seven itineraries of the
  mix repeat and the engine's small caches (distances, rule versions) stay warm;
- ``itinerary``: every request is a new itinerary (airports, carriers, dates over
  three years, delays, causes and event types drawn at random) assessed without the
  answer cache at all: parse, assess, serialize, as a first passenger costs;
- ``wave``: one cancelled flight, 300 passengers on 4 fares, as a disruption sends.
"""

from __future__ import annotations

import copy
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
EVENTS = ["delay", "delay", "delay", "cancellation", "denied_boarding", "baggage_loss"]
EPOCH = datetime(2024, 1, 1, 6, 0, tzinfo=UTC)


def itineraries(count: int, seed: int) -> list[dict]:
    """Return ``count`` requests on new itineraries, dates and delays."""
    pick = random.Random(seed)
    requests = []
    for i in range(count):
        origin, destination = pick.sample(AIRPORTS, 2)
        departure = EPOCH + timedelta(minutes=pick.randrange(3 * 365 * 24 * 60))
        arrival = departure + timedelta(minutes=pick.randrange(60, 15 * 60))
        event = {"type": pick.choice(EVENTS), "cause": pick.choice(CAUSES)}
        late = timedelta(minutes=pick.randrange(0, 12 * 60))
        if event["type"] == "delay":
            event["actual_arrival"] = (arrival + late).isoformat()
        elif event["type"] != "baggage_loss":
            event["rerouting"] = {
                "departure": (departure + late).isoformat(),
                "arrival": (arrival + late).isoformat(),
            }
        requests.append(
            {
                "id": i,
                "segments": [
                    _flight(
                        pick.choice(CARRIERS),
                        origin,
                        destination,
                        departure.isoformat(),
                        arrival.isoformat(),
                    )
                ],
                "event": {k: v for k, v in event.items() if v is not None},
                "passenger": {
                    "one_way_fare": {
                        "amount": f"{pick.randrange(50, 3000)}.00",
                        "currency": "USD",
                    }
                },
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


def main() -> None:
    rate(distinct(2000, 0))  # warm up: airports, rule books, distances
    for name, build, answer in (
        ("distinct", lambda run: distinct(20000, run + 1), assess_request),
        ("itinerary", lambda run: itineraries(20000, run), uncached),
        ("wave", lambda run: wave(300) * 50, assess_request),
    ):
        rates = [rate(build(run), answer) for run in range(5)]
        runs = ", ".join(f"{r:,.0f}" for r in rates)
        median = statistics.median(rates)
        print(f"{name:9}: median {median:,.0f} assessments/s on one core ({runs})")


if __name__ == "__main__":
    main()
