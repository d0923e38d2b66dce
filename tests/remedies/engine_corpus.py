"""A corpus of generated assessment requests and the engine's recorded answers.

The requests cover every regime, event type and optional field, itineraries of one
to three flights, dates from 2003 to 2027 (so every rule version and every "not in
force" answer appears) and about one request in twelve with a fault in it. The
answers were recorded by the engine as it stood before its hot path was optimised;
``test_engine_corpus.py`` checks that the engine still gives every one of them.

When a rule file, the reference data or a wording changes on purpose, record the
answers again and review the difference:

    .venv/bin/python -m tests.remedies.engine_corpus
"""

from __future__ import annotations

import contextlib
import json
import lzma
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from paxcare.remedies.engine.assess import assess
from paxcare.remedies.engine.parse import InputError, parse_assessment
from paxcare.remedies.engine.serialize import error_to_dict, result_to_dict

CORPUS = Path(__file__).resolve().parent / "data" / "engine_answers.jsonl.xz"
SIZE = 4000
SEED = 261

# Airports by the regimes they touch: EU with outermost regions and French overseas
# departments, EEA and Switzerland, the UK (and places near it that are not), the US
# with territories, Canada, mainland China (and Hong Kong, Macao, Taiwan), others.
AIRPORTS = {
    "FRA": "Europe/Berlin", "MUC": "Europe/Berlin", "CDG": "Europe/Paris",
    "NCE": "Europe/Paris", "BCN": "Europe/Madrid", "MAD": "Europe/Madrid",
    "LPA": "Atlantic/Canary", "FCO": "Europe/Rome", "AMS": "Europe/Amsterdam",
    "VIE": "Europe/Vienna", "LIS": "Europe/Lisbon", "PDL": "Atlantic/Azores",
    "ATH": "Europe/Athens", "HEL": "Europe/Helsinki", "DUB": "Europe/Dublin",
    "ZAG": "Europe/Zagreb", "RUN": "Indian/Reunion", "PTP": "America/Guadeloupe",
    "CAY": "America/Cayenne", "DZA": "Indian/Mayotte", "SFG": "America/Marigot",
    "OSL": "Europe/Oslo", "KEF": "Atlantic/Reykjavik", "ZRH": "Europe/Zurich",
    "LHR": "Europe/London", "MAN": "Europe/London", "BFS": "Europe/London",
    "GIB": "Europe/Madrid", "JER": "Europe/Jersey",
    "JFK": "America/New_York", "LAX": "America/Los_Angeles", "ORD": "America/Chicago",
    "HNL": "Pacific/Honolulu", "SJU": "America/Puerto_Rico", "GUM": "Pacific/Guam",
    "YYZ": "America/Toronto", "YVR": "America/Vancouver", "YUL": "America/Toronto",
    "YYC": "America/Edmonton", "YXY": "America/Whitehorse",
    "PEK": "Asia/Shanghai", "PVG": "Asia/Shanghai", "CAN": "Asia/Shanghai",
    "CTU": "Asia/Shanghai", "URC": "Asia/Shanghai", "HKG": "Asia/Hong_Kong",
    "MFM": "Asia/Macau", "TPE": "Asia/Taipei",
    "NRT": "Asia/Tokyo", "ICN": "Asia/Seoul", "SIN": "Asia/Singapore",
    "SYD": "Australia/Sydney", "DXB": "Asia/Dubai", "IST": "Europe/Istanbul",
    "GRU": "America/Sao_Paulo", "MEX": "America/Mexico_City", "DEL": "Asia/Kolkata",
    "SVO": "Europe/Moscow", "ADD": "Africa/Addis_Ababa", "LOS": "Africa/Lagos",
}  # fmt: skip
# Journeys within one area, where domestic rules (baggage limits, bands, overseas
# departments, stopovers) apply.
AREAS = [
    ["JFK", "LAX", "ORD", "HNL", "SJU", "GUM"],
    ["YYZ", "YVR", "YUL", "YYC", "YXY"],
    ["PEK", "PVG", "CAN", "CTU", "URC"],
    ["FRA", "CDG", "MAD", "LPA", "LIS", "PDL", "RUN", "PTP", "CAY", "DZA", "OSL"],
    ["LHR", "MAN", "BFS"],
]
CARRIERS = [
    "LH", "AF", "IB", "FR", "LX", "DY", "BA", "VS", "AC", "WS", "PB", "AA", "UA",
    "CA", "MU", "CZ", "CX", "JL", "SQ", "EK", "TK", "QF",
]  # fmt: skip
# Carriers missing from the registry, or overridden by the request.
EXTRA_CARRIERS = {
    "XQ": {"country": "TR"},
    "Q7": {"country": "CA"},
    "ZZ": {"country": "CA", "appr_size": "small"},
    "K9": {"country": "fr"},
    "AC": {"appr_size": "small"},
    "BA": {"country": "IE"},
}
CAUSES = [
    "technical", "crew_shortage", "own_staff_strike", "other_controllable",
    "safety_required_controllable", "weather", "air_traffic_control",
    "airport_closure", "security", "political_instability", "medical_emergency",
    "bird_strike", "third_party_strike",
]  # fmt: skip
EVENTS = {
    "delay": 30,
    "cancellation": 18,
    "denied_boarding": 12,
    "downgrade": 8,
    "baggage_delay": 12,
    "baggage_loss": 10,
    "baggage_damage": 10,
}
CABINS = ["economy", "premium_economy", "business", "first"]
CURRENCIES = ["USD", "EUR", "GBP", "CAD", "CNY", "usd"]
FIRST_DAY = datetime(2003, 6, 1, tzinfo=UTC)
RECENT_DAY = datetime(2024, 1, 1, tzinfo=UTC)
LAST_DAY = datetime(2027, 12, 31, tzinfo=UTC)
TIME_KEYS = (
    "scheduled_departure",
    "scheduled_arrival",
    "actual_arrival",
    "actual_departure",
    "notified_at",
    "delivered_at",
    "complained_at",
    "departure",
    "arrival",
)


def engine_answer(data: Any) -> dict[str, Any]:
    """Return the engine's full answer to ``data``: its result or its error line."""
    try:
        assessment = parse_assessment(data)
    except InputError as error:
        identifier = data.get("id") if isinstance(data, dict) else None
        return error_to_dict(identifier, error)
    return result_to_dict(assess(assessment))


def with_datetimes(value: Any) -> Any:
    """Return ``value`` with the text of every time field turned into a datetime."""
    if isinstance(value, list):
        return [with_datetimes(v) for v in value]
    if not isinstance(value, dict):
        return value
    converted = {}
    for key, item in value.items():
        if key in TIME_KEYS and isinstance(item, str):
            with contextlib.suppress(ValueError):
                item = datetime.fromisoformat(item)
        converted[key] = with_datetimes(item)
    return converted


def _time(pick: random.Random, moment: datetime, code: str) -> str:
    """Write ``moment`` as an airport's local time, now and then in UTC or naive."""
    roll = pick.random()
    if roll < 0.08:
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if roll < 0.1:
        return moment.astimezone(UTC).isoformat(timespec="minutes")
    return moment.astimezone(ZoneInfo(AIRPORTS[code])).isoformat()


def _money(pick: random.Random, low: int, high: int) -> dict[str, Any]:
    cents = pick.randrange(low * 100, high * 100)
    roll = pick.random()
    if roll < 0.7:
        amount: Any = f"{cents / 100:.2f}"
    elif roll < 0.85:
        amount = cents // 100
    else:
        amount = str(cents // 100)
    return {"amount": amount, "currency": pick.choice(CURRENCIES)}


def _departure(pick: random.Random) -> datetime:
    start = RECENT_DAY if pick.random() < 0.5 else FIRST_DAY
    span = int((LAST_DAY - start).total_seconds() // 60)
    return start + timedelta(minutes=pick.randrange(span))


def _segments(pick: random.Random) -> list[dict[str, Any]]:
    count = pick.choices((1, 2, 3), weights=(55, 35, 10))[0]
    area = pick.choice(AREAS) if pick.random() < 0.35 else list(AIRPORTS)
    count = min(count, len(area) - 1)
    places = pick.sample(area, count + 1)
    carrier = pick.choice(CARRIERS + list(EXTRA_CARRIERS))
    one_flight = count > 1 and pick.random() < 0.15
    departure = _departure(pick)
    segments = []
    for index in range(count):
        arrival = departure + timedelta(minutes=pick.randrange(45, 15 * 60))
        if not one_flight and pick.random() < 0.3:
            carrier = pick.choice(CARRIERS)
        segment = {
            "marketing_carrier": carrier if pick.random() < 0.9 else carrier.lower(),
            "origin": places[index],
            "destination": places[index + 1],
            "scheduled_departure": _time(pick, departure, places[index]),
            "scheduled_arrival": _time(pick, arrival, places[index + 1]),
        }
        if pick.random() < 0.3:
            segment["operating_carrier"] = pick.choice(CARRIERS)
        if one_flight or pick.random() < 0.7:
            segment["flight_number"] = f"{carrier}{100 if one_flight else index + 7}"
        if pick.random() < 0.1:
            segment["cabin"] = pick.choice(CABINS)
        segments.append(segment)
        departure = arrival + timedelta(minutes=pick.randrange(40, 8 * 60))
    return segments


def _event(pick: random.Random, segments: list[dict[str, Any]]) -> dict[str, Any]:
    kind = pick.choices(list(EVENTS), weights=list(EVENTS.values()))[0]
    event: dict[str, Any] = {"type": kind}
    if pick.random() < 0.6:
        event["segment_index"] = pick.randrange(len(segments))
    index = event.get("segment_index", 0)
    if kind.startswith("baggage") and "segment_index" not in event:
        index = len(segments) - 1
    roll = pick.random()
    if roll < 0.75:
        event["cause"] = pick.choice(CAUSES)
    elif roll < 0.8:
        event["cause"] = None
    flight = segments[index]
    departs = datetime.fromisoformat(flight["scheduled_departure"])
    final = segments[-1]["destination"]
    arrives = datetime.fromisoformat(segments[-1]["scheduled_arrival"])
    if kind == "delay":
        late = timedelta(minutes=pick.randrange(-40, 16 * 60))
        event["actual_arrival"] = _time(pick, arrives + late, final)
        if pick.random() < 0.35:
            left = departs + timedelta(minutes=pick.randrange(-10, 14 * 60))
            event["actual_departure"] = _time(pick, left, flight["origin"])
    elif kind in ("cancellation", "denied_boarding"):
        if kind == "cancellation" and pick.random() < 0.7:
            ahead = timedelta(minutes=pick.randrange(-120, 30 * 24 * 60))
            event["notified_at"] = _time(pick, departs - ahead, flight["origin"])
        if kind == "denied_boarding" and pick.random() < 0.6:
            event["voluntary"] = pick.random() < 0.3
        roll = pick.random()
        if roll < 0.65:
            early = timedelta(minutes=pick.randrange(-4 * 60, 30 * 60))
            late = early + timedelta(minutes=pick.randrange(-90, 5 * 60))
            event["rerouting"] = {
                "departure": _time(pick, departs + early, flight["origin"]),
                "arrival": _time(pick, arrives + late, final),
            }
        elif roll < 0.75:
            event["rerouting"] = None
    elif kind == "downgrade":
        higher, lower = sorted(pick.sample(range(len(CABINS)), 2), reverse=True)
        event["from_cabin"], event["to_cabin"] = CABINS[higher], CABINS[lower]
        if pick.random() < 0.75:
            event["segment_fare"] = _money(pick, 40, 6000)
    else:
        _baggage(pick, event, arrives, final)
    return event


def _baggage(
    pick: random.Random, event: dict[str, Any], arrives: datetime, final: str
) -> None:
    if pick.random() < 0.7:
        days = pick.choice((2, 30))
        delivered = arrives + timedelta(minutes=pick.randrange(30, days * 24 * 60))
        event["delivered_at"] = _time(pick, delivered, final)
        if pick.random() < 0.6:
            complained = delivered + timedelta(minutes=pick.randrange(0, 30 * 24 * 60))
            event["complained_at"] = _time(pick, complained, final)
    if pick.random() < 0.5:
        event["bag_fee"] = _money(pick, 20, 120)
    roll = pick.random()
    if roll < 0.3:
        event["bag_weight_kg"] = pick.randrange(5, 32)
    elif roll < 0.45:
        event["bag_weight_kg"] = f"{pick.randrange(50, 320) / 10}"
    elif roll < 0.5:
        event["bag_weight_kg"] = pick.randrange(50, 320) / 10


# One fault each: what a caller gets wrong, field by field.
FAULTS = [
    lambda d: d["segments"][0].update(origin="XQX"),
    lambda d: d["segments"][-1].update(destination=""),
    lambda d: d["segments"][0].update(scheduled_arrival="2020-01-01T00:00:00+00:00"),
    lambda d: d["segments"][0].update(scheduled_departure="2026-05-04T10:00:00"),
    lambda d: d["segments"][0].update(scheduled_departure="tomorrow morning"),
    lambda d: d["segments"][0].pop("marketing_carrier"),
    lambda d: d["segments"].append("LH400"),
    lambda d: d.update(segments=[]),
    lambda d: d.update(segments={"origin": "FRA"}),
    lambda d: d.update(event="delay"),
    lambda d: d["event"].update(type="volcano"),
    lambda d: d["event"].update(cause="aliens"),
    lambda d: d["event"].update(segment_index=7),
    lambda d: d["event"].update(segment_index="0"),
    lambda d: d["event"].update(segment_index=True),
    lambda d: d["event"].update(voluntary="yes"),
    lambda d: d["event"].update(from_cabin="economy", to_cabin="first"),
    lambda d: d["event"].update(to_cabin="steerage"),
    lambda d: d["event"].update(bag_weight_kg=0),
    lambda d: d["event"].update(bag_weight_kg="heavy"),
    lambda d: d["event"].update(bag_fee={"amount": "-5", "currency": "USD"}),
    lambda d: d["event"].update(bag_fee={"amount": "5", "currency": "US"}),
    lambda d: d["event"].update(segment_fare={"amount": True, "currency": "EUR"}),
    lambda d: d["event"].update(segment_fare="100 EUR"),
    lambda d: d["event"].update(actual_arrival="2001-01-01T00:00:00+00:00"),
    lambda d: d["event"].update(
        rerouting={
            "departure": "2026-05-05T10:00:00+00:00",
            "arrival": "2026-05-05T09:00:00+00:00",
        }
    ),
    lambda d: d["event"].update(rerouting={"departure": "2026-05-05T10:00:00+00:00"}),
    lambda d: d["event"].update(rerouting=[1, 2]),
    lambda d: d.update(passenger={"one_way_fare": {"amount": "NaN", "currency": "X"}}),
    lambda d: d.update(passenger="economy"),
    lambda d: d.update(carriers={"XQ": {"country": "TUR"}}),
    lambda d: d.update(carriers={"XQ": {"country": "TR", "appr_size": "huge"}}),
    lambda d: d.update(carriers=["LH"]),
    lambda d: d.update(carriers={"XQ": "TR"}),
    lambda d: [s.update(marketing_carrier="9Z", operating_carrier="9Z")
               for s in d["segments"]],
]  # fmt: skip


def request(pick: random.Random, number: int) -> dict[str, Any]:
    """Return one generated request; about one in twelve has a fault."""
    segments = _segments(pick)
    data: dict[str, Any] = {
        "id": f"C{number:05d}" if number % 3 else number,
        "segments": segments,
        "event": _event(pick, segments),
    }
    used = {s["marketing_carrier"].upper() for s in segments}
    used |= {s.get("operating_carrier", "").upper() for s in segments}
    extra = {k: v for k, v in EXTRA_CARRIERS.items() if k in used}
    if extra:
        data["carriers"] = extra
    roll = pick.random()
    if roll < 0.75:
        data["passenger"] = {"one_way_fare": _money(pick, 30, 4000)}
        if pick.random() < 0.3:
            data["passenger"]["cabin"] = pick.choice(CABINS)
    elif roll < 0.8:
        data["passenger"] = {"cabin": "economy"}
    if pick.random() < 1 / 12:
        pick.choice(FAULTS)(data)
    return data


def corpus(size: int = SIZE, seed: int = SEED) -> list[dict[str, Any]]:
    """Return ``size`` generated records: the request and how to present its times."""
    pick = random.Random(seed)
    return [
        {"request": request(pick, number), "datetimes": pick.random() < 0.1}
        for number in range(size)
    ]


def record() -> None:
    """Answer every generated request with the engine and store the answers."""
    CORPUS.parent.mkdir(exist_ok=True)
    lines = []
    for item in corpus():
        data = item["request"]
        shown = with_datetimes(data) if item["datetimes"] else data
        item["answer"] = engine_answer(shown)
        lines.append(json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n")
    CORPUS.write_bytes(lzma.compress("".join(lines).encode("utf-8"), preset=9))


if __name__ == "__main__":
    record()
