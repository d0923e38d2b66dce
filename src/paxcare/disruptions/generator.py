"""A seeded manifest generator, for replays and load tests: invented passengers only.

Nothing here describes real people. Names are drawn from short lists of common
given and family names; e-mail addresses are at ``example.com`` (reserved for
examples, RFC 2606); phone numbers are in the NANP range 555-0100 to 555-0199,
set aside for fiction, and each is handed out once so that two invented people
never share one. The same seed and the same flights give the same manifests.

Per flight: seats by great-circle distance (a regional jet, a narrow-body, a
larger narrow-body), filled to 75-95 %; six economy fare buckets around a base
fare that grows with distance, a few premium seats; bookings of one to four
travellers sharing a booking reference; about one booking in eight continuing on
a domestic connection and one in fifty on an international one.
"""

import random
import string
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

from paxcare.disruptions.models import Flight
from paxcare.remedies.engine.reference import airport, great_circle_km

GIVEN = [
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
    "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph",
    "Jessica", "Thomas", "Sarah", "Carlos", "Maria", "Ana", "Luis", "Priya", "Arjun",
    "Fatima", "Omar", "Olga", "Ivan", "Aiko", "Kenji", "Chloe", "Liam",
]  # fmt: skip
FAMILY = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark",
    "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Patel", "Kim",
]  # fmt: skip
# Chinese names as written, with the pinyin used for the invented e-mail address.
CHINESE_GIVEN = [
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"),
    ("磊", "lei"), ("洋", "yang"), ("艳", "yan"), ("勇", "yong"), ("杰", "jie"),
    ("娟", "juan"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀英", "xiuying"),
    ("丽", "li"), ("强", "qiang"), ("平", "ping"), ("刚", "gang"), ("桂英", "guiying"),
]  # fmt: skip
CHINESE_FAMILY = [
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
    ("杨", "yang"), ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"),
    ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"), ("胡", "hu"),
]  # fmt: skip
AREA_CODES = [
    "201", "202", "212", "213", "215", "216", "305", "312", "313", "347", "404",
    "415", "503", "512", "602", "617", "646", "702", "713", "718", "720", "732",
    "773", "786", "800", "803", "808", "813", "818", "832", "847", "857", "904",
    "908", "914", "917", "929", "949", "954", "973",
]  # fmt: skip
DOMESTIC = [
    "ATL", "ORD", "DFW", "DEN", "LAX", "SFO", "SEA", "MIA", "BOS", "PHX", "LAS",
    "MSP", "DTW", "IAH", "CLT", "SLC", "SAN", "PDX", "AUS", "MSY",
]  # fmt: skip
INTERNATIONAL = [
    ("BA", "LHR"), ("AF", "CDG"), ("LH", "FRA"), ("KL", "AMS"), ("CA", "PEK"),
    ("MU", "PVG"), ("AC", "YYZ"), ("JL", "NRT"),
]  # fmt: skip
BUCKETS = (0.55, 0.7, 0.85, 1.0, 1.25, 1.6)
PREMIUM = (("premium_economy", 1.8), ("business", 3.2), ("first", 4.5))
GROUP_SIZES = (1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 4)
CHINESE_SHARE = 0.2
PHONE_SHARE = 0.1
CRUISE_KMH = 800


class ManifestGenerator:
    """Invent the passengers of flights, reproducibly from one seed."""

    def __init__(self, seed: int, *, passengers: int | None = None) -> None:
        self.random = random.Random(seed)
        self.passengers = passengers
        self.serial = 0
        pool = [f"+1{area}55501{n:02d}" for area in AREA_CODES for n in range(100)]
        self.random.shuffle(pool)
        self.phones = pool

    def manifest(self, flight: Flight) -> list[dict]:
        """Return the manifest rows of one flight."""
        count = self.passengers or self._seats(flight)
        base = self._base_fare(flight)
        rows: list[dict] = []
        while len(rows) < count:
            size = min(self.random.choice(GROUP_SIZES), count - len(rows))
            rows += self._booking(flight, size, base)
        return rows

    def _seats(self, flight: Flight) -> int:
        km = self._km(flight.origin, flight.destination)
        seats = 76 if km < 800 else 160 if km < 2000 else 190
        return round(seats * self.random.uniform(0.75, 0.95))

    def _km(self, origin: str, destination: str) -> float:
        return great_circle_km(airport(origin), airport(destination))

    def _base_fare(self, flight: Flight) -> float:
        return 60 + 0.11 * self._km(flight.origin, flight.destination)

    def _booking(self, flight: Flight, size: int, base: float) -> list[dict]:
        reference = "".join(
            self.random.choices(string.ascii_uppercase + string.digits, k=6)
        )
        cabin, factor = self._cabin()
        fare = Decimal(str(round(base * factor, 2))).quantize(Decimal("0.01"))
        onward = self._onward(flight)
        chinese = self.random.random() < CHINESE_SHARE
        people: dict[str, dict] = {}
        while len(people) < size:
            # One booking lists each traveller once: a repeated name is drawn again.
            person = self._person(chinese)
            people.setdefault(person["passenger_name"], person)
        return [
            {
                **person,
                "booking_reference": reference,
                "fare_amount": str(fare),
                "fare_currency": "USD",
                "cabin": cabin,
                "onward": onward,
            }
            for person in people.values()
        ]

    def _cabin(self) -> tuple[str, float]:
        draw = self.random.random()
        if draw < 0.06:
            return self.random.choice(PREMIUM)
        return "economy", self.random.choice(BUCKETS)

    def _person(self, chinese: bool) -> dict:
        self.serial += 1
        if chinese:
            (family, family_latin) = self.random.choice(CHINESE_FAMILY)
            (given, given_latin) = self.random.choice(CHINESE_GIVEN)
            name, latin, language = (
                family + given,
                f"{given_latin}.{family_latin}",
                "zh",
            )
        else:
            given, family = self.random.choice(GIVEN), self.random.choice(FAMILY)
            name, latin, language = f"{given} {family}", f"{given}.{family}", "en"
        person = {
            "passenger_name": name,
            "email": f"{latin.lower()}.{self.serial}@example.com",
            "language": language,
        }
        if self.phones and self.random.random() < PHONE_SHARE:
            person["phone"] = self.phones.pop()
        return person

    def _onward(self, flight: Flight) -> list[dict]:
        draw = self.random.random()
        # A connection leaves the airport the flight lands at for another one: the
        # lists are filtered, never redrawn, so a flight whose destination is in
        # neither list draws exactly what it always drew from the same seed.
        if draw < 0.02:
            hubs = [h for h in INTERNATIONAL if h[1] != flight.destination]
            carrier, destination = self.random.choice(hubs)
        elif draw < 0.14:
            carrier = flight.carrier
            choices = [c for c in DOMESTIC if c != flight.destination]
            destination = self.random.choice(choices)
        else:
            return []
        departure = flight.scheduled_arrival + timedelta(
            minutes=self.random.randrange(75, 181, 5)
        )
        hours = self._km(flight.destination, destination) / CRUISE_KMH + 0.5
        arrival = departure + timedelta(hours=hours)
        return [
            {
                "carrier": carrier,
                "flight_number": f"{carrier}{self.random.randint(100, 2999)}",
                "origin": flight.destination,
                "destination": destination,
                "scheduled_departure": departure.isoformat(),
                "scheduled_arrival": arrival.replace(
                    second=0, microsecond=0
                ).isoformat(),
            }
        ]


def manifests(
    flights: Iterator[Flight], seed: int, *, passengers: int | None = None
) -> Iterator[tuple[Flight, list[dict]]]:
    """Yield each flight with its invented manifest."""
    generator = ManifestGenerator(seed, passengers=passengers)
    for flight in flights:
        yield flight, generator.manifest(flight)
