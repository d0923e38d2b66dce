"""Reference data: airports, territories (EU, UK, ...), carriers, distances.

Loaded once per process from ``airportsdata`` and the JSON files in
``remedies/reference/``; every lookup afterwards is a dictionary access.
"""

from __future__ import annotations

import json
import math
from datetime import date
from functools import cache, lru_cache
from pathlib import Path

import airportsdata

from .types import Airport, Carrier

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference"

# Mean Earth radius (IUGG), the usual choice for the great-circle method.
EARTH_RADIUS_KM = 6371.0088


@cache
def _airports() -> dict[str, Airport]:
    raw = airportsdata.load("IATA")
    return {
        code: Airport(
            code=code,
            country=row["country"],
            tz=row["tz"],
            lat=float(row["lat"]),
            lon=float(row["lon"]),
        )
        for code, row in raw.items()
    }


def airport(code: str) -> Airport | None:
    """Return the airport with this IATA code, or None when it is unknown."""
    return _airports().get(code.upper())


@lru_cache(maxsize=65536)
def great_circle_km(origin: Airport, destination: Airport) -> float:
    """Return the great-circle (haversine) distance between two airports in km."""
    lat1, lon1 = math.radians(origin.lat), math.radians(origin.lon)
    lat2, lon2 = math.radians(destination.lat), math.radians(destination.lon)
    half_dlat = (lat2 - lat1) / 2
    half_dlon = (lon2 - lon1) / 2
    h = math.sin(half_dlat) ** 2 + math.cos(lat1) * math.cos(lat2) * (
        math.sin(half_dlon) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


class Territories:
    """Which countries belong to a territory on a given date."""

    def __init__(self, data: dict) -> None:
        self._members: dict[str, dict[str, tuple[date | None, date | None]]] = {}
        for name, territory in data["territories"].items():
            self._members[name] = {
                member["country"]: (
                    _parse_date(member.get("since")),
                    _parse_date(member.get("until")),
                )
                for member in territory["members"]
            }
        self.sovereign: dict[str, str] = data.get("sovereign", {})

    def contains(self, territory: str, country: str, on: date) -> bool:
        """Say whether ``country`` is part of ``territory`` on the date ``on``."""
        span = self._members[territory].get(country)
        if span is None:
            return False
        since, until = span
        return (since is None or since <= on) and (until is None or on <= until)

    def state_of(self, country: str) -> str:
        """Return the sovereign state answering for ``country`` under treaties."""
        return self.sovereign.get(country, country)


def _parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@cache
def territories() -> Territories:
    """Return the territory table, loaded once."""
    with open(REFERENCE_DIR / "territories.json", encoding="utf-8") as handle:
        return Territories(json.load(handle))


@cache
def default_carriers() -> dict[str, Carrier]:
    """Return the default carrier registry keyed by IATA code."""
    with open(REFERENCE_DIR / "carriers.json", encoding="utf-8") as handle:
        rows = json.load(handle)["carriers"]
    return {
        code: Carrier(code=code, name=name, country=country, appr_size=size)
        for code, (name, country, size) in rows.items()
    }
