"""Assessments per second of the entitlement engine on one core.

Run: ``.venv/bin/python bench/bench_remedies.py`` (needs no database). Each timed
assessment parses a JSON-like request, assesses it under every regime and turns the
result into JSON-ready data; the mix covers every event type. Time is the process's
CPU time, so other work on a shared machine does not count against the engine.

Two workloads:
- ``distinct``: every request differs (its delay and fare), so nothing is reused;
- ``wave``: one cancelled flight, 300 passengers on 4 fares, as a disruption sends.
"""

from __future__ import annotations

import copy
import statistics
import time

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


def rate(requests: list[dict]) -> float:
    """Assess ``requests`` one by one; return assessments per CPU second."""
    started = time.process_time()
    for data in requests:
        assess_request(data)
    return len(requests) / (time.process_time() - started)


def main() -> None:
    rate(distinct(2000, 0))  # warm up: airports, rule books, distances
    for name, build in (
        ("distinct", lambda run: distinct(20000, run + 1)),
        ("wave", lambda run: wave(300) * 50),
    ):
        rates = [rate(build(run)) for run in range(5)]
        runs = ", ".join(f"{r:,.0f}" for r in rates)
        median = statistics.median(rates)
        print(f"{name:8}: median {median:,.0f} assessments/s on one core ({runs})")


if __name__ == "__main__":
    main()
