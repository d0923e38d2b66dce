"""What must always hold, checked on generated itineraries."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from paxcare.remedies.engine.assess import assess
from paxcare.remedies.engine.parse import parse_assessment

EVERYWHERE = [
    "FRA",
    "CDG",
    "BCN",
    "LHR",
    "JFK",
    "LAX",
    "YYZ",
    "YVR",
    "PEK",
    "PVG",
    "LPA",
    "RUN",
    "NRT",
    "SYD",
    "DXB",
    "SIN",
    "GRU",
    "HKG",
]
CARRIERS = ["LH", "AF", "BA", "AC", "AA", "CA", "SQ", "EK", "QF", "JL"]
OUTSIDE = ["NRT", "SYD", "DXB", "SIN", "GRU", "JNB", "BKK", "DEL", "ICN", "MEX"]
OUTSIDE_CARRIERS = ["SQ", "EK", "QF", "JL", "KE", "QR"]
CAUSES = [
    None,
    "technical",
    "weather",
    "safety_required_controllable",
    "own_staff_strike",
]
START = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def _delayed(origin, destination, carrier, cause, minutes):
    event = {
        "type": "delay",
        "actual_arrival": START + timedelta(hours=6, minutes=minutes),
    }
    if cause:
        event["cause"] = cause
    return parse_assessment(
        {
            "segments": [
                {
                    "marketing_carrier": carrier,
                    "origin": origin,
                    "destination": destination,
                    "scheduled_departure": START,
                    "scheduled_arrival": START + timedelta(hours=6),
                }
            ],
            "event": event,
        }
    )


def _compensation_by_regime(result):
    totals: dict[str, Decimal] = {}
    for e in result.entitlements:
        if e.kind == "compensation" and e.amount is not None:
            totals[e.regime] = totals.get(e.regime, Decimal(0)) + e.amount
    return totals


route = st.lists(st.sampled_from(EVERYWHERE), min_size=2, max_size=2, unique=True)


@settings(max_examples=300, deadline=None)
@given(
    route,
    st.sampled_from(CARRIERS),
    st.sampled_from(CAUSES),
    st.integers(0, 1200),
    st.integers(0, 1200),
)
def test_a_longer_delay_never_earns_less_under_one_regime(places, carrier, cause, a, b):
    shorter, longer = sorted((a, b))

    less = _compensation_by_regime(assess(_delayed(*places, carrier, cause, shorter)))
    more = _compensation_by_regime(assess(_delayed(*places, carrier, cause, longer)))

    for regime, amount in less.items():
        assert more.get(regime, Decimal(0)) >= amount


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(OUTSIDE), min_size=2, max_size=2, unique=True),
    st.sampled_from(OUTSIDE_CARRIERS),
    st.integers(0, 1200),
)
def test_no_regime_applies_outside_its_scope(places, carrier, minutes):
    result = assess(_delayed(*places, carrier, None, minutes))

    regional = {"eu261", "uk261", "appr", "us_dot", "caac"}
    assert not [e for e in result.entitlements if e.regime in regional]
    assert {
        n.regime for n in result.not_applicable if n.code == "out_of_scope"
    } >= regional
