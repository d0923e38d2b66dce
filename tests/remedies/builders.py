"""Builders for assessment requests: a flight, an event, a request, its answer."""

from __future__ import annotations

import json
from typing import Any

from paxcare.remedies.engine.service import assess_request


def flight(
    carrier: str,
    origin: str,
    destination: str,
    departure: str,
    arrival: str,
    number: str | None = None,
) -> dict[str, Any]:
    return {
        "marketing_carrier": carrier,
        "operating_carrier": carrier,
        "flight_number": number or f"{carrier}100",
        "origin": origin,
        "destination": destination,
        "scheduled_departure": departure,
        "scheduled_arrival": arrival,
    }


def request(
    segments: list[dict[str, Any]] | dict[str, Any],
    event: dict[str, Any],
    **extra: Any,
) -> dict[str, Any]:
    if isinstance(segments, dict):
        segments = [segments]
    return {"id": extra.pop("id", "T"), "segments": segments, "event": event, **extra}


def answer(data: dict[str, Any]) -> dict[str, Any]:
    return assess_request(data)


def post_assessments(client: Any, body: dict[str, Any]) -> Any:
    """POST ``body`` to the entitlements API with ``client``; return the response."""
    return client.post(
        "/api/v1/entitlements/assess", json.dumps(body), content_type="application/json"
    )


def owed(
    result: dict[str, Any], regime: str, kind: str = "compensation"
) -> list[dict[str, Any]]:
    return [
        e for e in result["entitlements"] if e["regime"] == regime and e["kind"] == kind
    ]


def refused(result: dict[str, Any], regime: str) -> dict[str | None, str]:
    """Return {kind or None: code} of what ``regime`` withholds."""
    return {
        n["kind"]: n["code"] for n in result["not_applicable"] if n["regime"] == regime
    }


def money(result: dict[str, Any], regime: str, kind: str = "compensation"):
    return [(e["amount"], e["currency"]) for e in owed(result, regime, kind)]


# Routes used throughout, with plausible schedules (local offsets).
FRA_JFK = flight(
    "LH",
    "FRA",
    "JFK",
    "2026-05-04T10:00:00+02:00",
    "2026-05-04T12:45:00-04:00",
    "LH400",
)
CDG_BCN = flight(
    "AF",
    "CDG",
    "BCN",
    "2026-05-04T10:00:00+02:00",
    "2026-05-04T11:40:00+02:00",
    "AF1148",
)
CDG_JFK = flight(
    "AF",
    "CDG",
    "JFK",
    "2026-05-04T10:30:00+02:00",
    "2026-05-04T12:45:00-04:00",
    "AF006",
)
MAD_CDG = flight(
    "IB",
    "MAD",
    "CDG",
    "2026-05-04T09:00:00+02:00",
    "2026-05-04T11:05:00+02:00",
    "IB3400",
)
LHR_JFK = flight(
    "BA",
    "LHR",
    "JFK",
    "2026-05-04T11:00:00+01:00",
    "2026-05-04T13:55:00-04:00",
    "BA117",
)
YYZ_YVR = flight(
    "AC",
    "YYZ",
    "YVR",
    "2026-05-04T08:00:00-04:00",
    "2026-05-04T10:05:00-07:00",
    "AC101",
)
JFK_LAX = flight(
    "AA", "JFK", "LAX", "2026-05-04T08:00:00-04:00", "2026-05-04T11:30:00-07:00", "AA1"
)
PEK_PVG = flight(
    "CA",
    "PEK",
    "PVG",
    "2026-05-04T09:00:00+08:00",
    "2026-05-04T11:15:00+08:00",
    "CA1501",
)
