"""Reference data: airports, territories (EU, UK, ...), carriers, distances.

Loaded once per process from ``airportsdata`` and the JSON files in
``remedies/reference/``; every lookup afterwards is a dictionary access.
"""

from __future__ import annotations

import bisect
import json
import math
from datetime import date, timedelta
from functools import cache
from itertools import repeat
from pathlib import Path

import airportsdata

from .memo import remember
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


def airport_table() -> dict[str, Airport]:
    """Return every airport by its IATA code in capitals (read only)."""
    return _airports()


def airport(code: str) -> Airport | None:
    """Return the airport with this IATA code, or None when it is unknown."""
    return _airports().get(code.upper())


# Distances by pair of IATA codes: an airport's code fixes its coordinates.
# 65,536 pairs of ~150 bytes each: about 10 MB at most per process.
DISTANCE_CACHE_SIZE = 65536
_distances: dict[tuple[str, str], float] = {}


def great_circle_km(origin: Airport, destination: Airport) -> float:
    """Return the great-circle (haversine) distance between two airports in km."""
    key = (origin.code, destination.code)
    km = _distances.get(key)
    if km is None:
        km = remember(
            _distances, key, _haversine_km(origin, destination), DISTANCE_CACHE_SIZE
        )
    return km


def _haversine_km(origin: Airport, destination: Airport) -> float:
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
        self._zones = self._index_zones()
        # From the last change on (``settled``), a country's territories are one
        # set: most flights are recent, so most lookups are a comparison and a
        # dictionary.
        self.settled = max(
            (days[-1] for days, _ in self._zones.values() if days), default=date.min
        )
        self._latest = {
            country: zones[-1] for country, (_, zones) in self._zones.items()
        }

    def contains(self, territory: str, country: str, on: date) -> bool:
        """Say whether ``country`` is part of ``territory`` on the date ``on``."""
        span = self._members[territory].get(country)
        if span is None:
            return False
        since, until = span
        return (since is None or since <= on) and (until is None or on <= until)

    def zones(self, country: str, on: date) -> frozenset[str]:
        """Return every territory that ``country`` is part of on the date ``on``."""
        if on >= self.settled:
            return self._latest.get(country, NOWHERE)
        found = self._zones.get(country)
        if found is None:
            return NOWHERE
        changes, zones = found
        return zones[bisect.bisect_right(changes, on)] if changes else zones[0]

    def zones_of_each(
        self, countries: tuple[str, ...], on: date
    ) -> tuple[frozenset[str], ...]:
        """Return the territories of each of ``countries`` on the date ``on``."""
        if on >= self.settled:
            return tuple(map(self._latest.get, countries, repeat(NOWHERE)))
        return tuple([self.zones(country, on) for country in countries])

    def state_of(self, country: str) -> str:
        """Return the sovereign state answering for ``country`` under treaties."""
        return self.sovereign.get(country, country)

    def _index_zones(
        self,
    ) -> dict[str, tuple[tuple[date, ...], tuple[frozenset[str], ...]]]:
        """Index, per country, the days its territories change and the sets between.

        A country's set before its first change is the one in force on any earlier
        day; after change ``i`` it is the one in force on that day, so a lookup is a
        bisection of a few dates (none for most countries).
        """
        index = {}
        countries = {c for members in self._members.values() for c in members}
        for country in countries:
            changes = set()
            for members in self._members.values():
                since, until = members.get(country, (None, None))
                if since is not None:
                    changes.add(since)
                if until is not None:
                    changes.add(until + timedelta(days=1))
            days = tuple(sorted(changes))
            zones = tuple(
                frozenset(
                    name for name in self._members if self.contains(name, country, day)
                )
                for day in (date.min, *days)
            )
            index[country] = (days, zones)
        return index


NOWHERE: frozenset[str] = frozenset()


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
