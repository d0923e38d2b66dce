"""IATA delay codes, mapped to the cause classes of the entitlement engine.

Airlines report why a flight left late with a two-digit IATA delay code (IATA
Airport Handling Manual, AHM 730). The remedies engine does not read codes: it
judges a cause class (``paxcare.remedies.engine.types.Cause``), because the law
asks whether the cause was within the carrier's control, not which department
caused it. Plain Python, no Django.

The groups of the standard list and the class each falls into:

- 00-09 the airline's own internal codes: no class (the engine then treats the
  cause as within the carrier's control, which is what a carrier must disprove);
- 11-39 passengers, baggage, cargo, mail, ramp handling: within control;
- 41-48 aircraft defects, maintenance, spares, aircraft change: technical;
- 51 damage in flight (bird strike, lightning, turbulence): bird strike, the
  engine's class for an in-flight hazard the carrier did not cause;
- 52-58 ground damage, departure control and IT systems: within control;
- 61-62, 69 flight plans, operational requirements, captain's security check;
- 63-68 crew late, crew shortage, crew error: crew shortage;
- 71-77 weather at either end, en route, de-icing, snow removal: weather;
- 81-84 air traffic flow management (84 for weather at the destination);
- 85 mandatory security; 86 immigration, customs, health: security;
- 87-89 airport facilities and restrictions at either airport: airport closure;
- 91-96 reactionary (late aircraft, crew or connections): within control;
- 97 strike of the airline's own staff; 98 strike of others; 99 other: no class.
"""

from __future__ import annotations

import re

from paxcare.remedies.engine.types import Cause

DELAY_CODE = re.compile(r"^\d{2}$")

_RANGES: list[tuple[int, int, Cause | None]] = [
    (0, 9, None),
    (11, 39, Cause.OTHER_CONTROLLABLE),
    (41, 48, Cause.TECHNICAL),
    (51, 51, Cause.BIRD_STRIKE),
    (52, 58, Cause.OTHER_CONTROLLABLE),
    (61, 62, Cause.OTHER_CONTROLLABLE),
    (63, 68, Cause.CREW_SHORTAGE),
    (69, 69, Cause.SECURITY),
    (71, 77, Cause.WEATHER),
    (81, 83, Cause.AIR_TRAFFIC_CONTROL),
    (84, 84, Cause.WEATHER),
    (85, 86, Cause.SECURITY),
    (87, 89, Cause.AIRPORT_CLOSURE),
    (91, 96, Cause.OTHER_CONTROLLABLE),
    (97, 97, Cause.OWN_STAFF_STRIKE),
    (98, 98, Cause.THIRD_PARTY_STRIKE),
    (99, 99, None),
]

# Codes inside a group's range that the standard list leaves unassigned.
_UNASSIGNED = frozenset(
    {10, 20, 30, 40, 49, 50, 53, 54, 59, 60, 70, 74, 78, 79, 80, 90}
)


def is_delay_code(code: str) -> bool:
    """Say whether ``code`` is a two-digit code of the standard list."""
    return bool(DELAY_CODE.match(code or "")) and int(code) not in _UNASSIGNED


def cause_for_code(code: str) -> Cause | None:
    """Return the engine's cause class for an IATA delay code, or None.

    None means the code says nothing the law can use (an airline's own code, 99
    "other", or no code at all); the engine then holds the carrier responsible.
    """
    if not is_delay_code(code):
        return None
    number = int(code)
    for low, high, cause in _RANGES:
        if low <= number <= high:
            return cause
    return None
