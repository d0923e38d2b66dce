"""A year of a large carrier's customer care, generated for the console benchmark.

Cases arrive evenly over the last 365 days (about 2,700 a day for a million), in
the order of their ids. Their status follows their age, as in a working service:
most cases of the last day are new or open, most older than a month are resolved or
closed, and a small tail of old cases is still active. Texts are English and
Chinese complaints built from templates about flights, baggage, refunds and
service, with flight numbers, airports and airlines, so that search terms have
realistic frequencies: "flight" is in a third of the cases, a flight number in a
few hundred, an e-mail address in one to three.

Rows go to PostgreSQL with COPY; every case gets the ``search_document`` intake
would give it and its two SLA clocks with the states the sweep would have left.
Timeline events are not generated: none of the measured pages reads them.
"""

import hashlib
import random
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from paxcare.cases.numbers import ALPHABET
from paxcare.cases.search import search_document
from paxcare.routing.models import Agent, CategoryRoute, Department, Role
from paxcare.sla.calendar import ALWAYS_OPEN, from_model
from paxcare.sla.models import BusinessCalendar, SlaPolicy
from paxcare.sla.services import match_policy
from paxcare.triage.models import Category

AGENTS_PER_DEPARTMENT = 20
DAYS = 365
REPEAT_PASSENGER = 0.25

AIRLINES = [("CA", 40), ("MU", 20), ("CZ", 20), ("HU", 8), ("3U", 7), ("ZH", 5)]
AIRPORTS = [
    *("PEK", "PKX", "PVG", "SHA", "CAN", "SZX", "CTU", "TFU", "KMG", "XIY", "HGH"),
    *("CKG", "NKG", "WUH", "CSX", "XMN", "TAO", "DLC", "SHE", "HRB", "TSN", "URC"),
    *("SYX", "HAK", "NNG", "KWE", "LHW", "TNA", "FOC", "CGO", "HKG", "MFM", "TPE"),
    *("NRT", "HND", "ICN", "SIN", "BKK", "LHR", "FRA", "CDG", "JFK", "LAX", "SYD"),
]
CITIES_ZH = ["北京", "上海", "广州", "深圳", "成都", "昆明", "西安", "杭州", "重庆"]
CITIES_EN = ["Beijing", "Shanghai", "Guangzhou", "Shenzhen", "Chengdu", "Frankfurt"]
# (category code, English template, Chinese template); their weights in WEIGHTS.
TEXTS = [
    (
        "flight.delay",
        "Flight {f} from {c} was delayed {h} hours and nobody told us why.",
        "{f}航班在{z}延误了{h}个小时，没有任何解释，也没有安排餐食。",
    ),
    (
        "flight.cancellation",
        "My flight {f} was cancelled at the gate, I need a refund or a new flight.",
        "{f}航班被取消了，要求退票或者改签，并给予补偿。",
    ),
    (
        "flight.missed_connection",
        "Missed my connection in {c} because {f} landed late, stranded overnight.",
        "因为{f}晚到，我在{z}错过了中转航班，在机场过夜。",
    ),
    (
        "baggage.delayed",
        "My suitcase did not arrive on {f} to {c}, the bag tag is on my receipt.",
        "乘坐{f}到{z}后行李没有到，行李箱里有药品，请尽快送到。",
    ),
    (
        "baggage.damaged",
        "The wheel of my bag was broken after flight {f}, I want compensation.",
        "{f}航班托运的行李箱轮子被摔坏了，要求赔偿。",
    ),
    (
        "baggage.lost",
        "Lost luggage on {f}, it has been {h} days and still no news.",
        "{f}航班丢失行李已经{h}天了，还是没有消息。",
    ),
    (
        "baggage.pilferage",
        "Someone opened my bag on {f}, my camera is missing.",
        "{f}航班托运行李被打开过，里面的相机不见了。",
    ),
    (
        "ticketing.refund",
        "I was charged twice for my ticket on {f}, please refund the second payment.",
        "{f}的机票被重复扣款，请退还多扣的票款。",
    ),
    (
        "ticketing.change",
        "I need to change my booking on {f} to next week, the website fails.",
        "想把{f}航班改签到下周，网站一直报错。",
    ),
    (
        "service.cabin_crew",
        "The cabin crew on {f} were rude when I asked for water.",
        "{f}航班乘务员态度很差，要水也不理。",
    ),
    (
        "service.onboard_product",
        "Seat 32C on {f} would not recline and the entertainment screen was dead.",
        "{f}航班座椅坏了，娱乐系统也不能用，餐食是凉的。",
    ),
    (
        "service.customer_service",
        "I waited {h} hours on hold with the call centre and was cut off twice.",
        "客服电话等了{h}个小时都没人接，在线客服也不回复。",
    ),
    (
        "service.accessibility",
        "The wheelchair I booked for my mother was not at the gate in {c}.",
        "为母亲预订的轮椅服务在{z}没有安排，只能自己走到登机口。",
    ),
    (
        "airport.check_in",
        "Check-in for {f} closed early and we were refused boarding.",
        "{f}航班值机提前关闭，我们被拒绝登机。",
    ),
    (
        "loyalty.miles",
        "Miles for my flight {f} were never credited to my account.",
        "{f}航班的里程一直没有累积到我的常旅客账户。",
    ),
    (
        "service.cabin_crew",
        "Thank you to the crew of {f}, they looked after my son travelling alone.",
        "感谢{f}航班的乘务组，照顾独自乘机的孩子非常周到。",
    ),
]
WEIGHTS = [14, 8, 4, 8, 4, 3, 1, 8, 6, 3, 4, 6, 2, 3, 3, 2]
KINDS = [("complaint", 60), ("inquiry", 20), ("claim", 10), ("praise", 5)]
KINDS += [("suggestion", 5)]
PRIORITIES = [("normal", 70), ("high", 15), ("low", 12), ("urgent", 3)]
CHANNELS = [("web", 35), ("email", 20), ("phone", 15), ("social", 15), ("chat", 10)]
CHANNELS += [("api", 4), ("regulator", 1)]
# Status shares by age: (younger than, [(status, weight), ...]).
STATUS_BY_AGE = [
    (timedelta(days=1), [("new", 50), ("open", 40), ("pending", 10)]),
    (
        timedelta(days=7),
        [("new", 10), ("open", 45), ("pending", 20), ("resolved", 25)],
    ),
    (
        timedelta(days=30),
        [("open", 8), ("pending", 7), ("resolved", 40), ("closed", 45)],
    ),
    (None, [("open", 1), ("pending", 0.5), ("resolved", 8.5), ("closed", 90)]),
]


def _pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


@dataclass
class Workspace:
    """The people and rule rows the generated cases refer to."""

    agents: dict[int, list[int]]
    supervisors: dict[int, int]
    categories: dict[str, int]
    routes: dict[int, int]
    agent: object
    supervisor: object
    admin: object


def make_people() -> Workspace:
    """Create supervisors and agents for each department, and one administrator."""
    users = get_user_model()
    agents: dict[int, list[int]] = {}
    supervisors: dict[int, int] = {}
    for department in Department.objects.order_by("pk"):
        boss = users.objects.create_user(f"{department.code}-lead", password=None)
        Agent.objects.create(user=boss, role=Role.SUPERVISOR).departments.add(
            department
        )
        Department.objects.filter(pk=department.pk).update(supervisor=boss)
        supervisors[department.pk] = boss.pk
        agents[department.pk] = []
        for i in range(AGENTS_PER_DEPARTMENT):
            user = users.objects.create_user(f"{department.code}-{i}", password=None)
            Agent.objects.create(user=user).departments.add(department)
            agents[department.pk].append(user.pk)
    admin = users.objects.create_user("bench-admin", password=None)
    Agent.objects.create(user=admin, role=Role.ADMIN, sees_all_departments=True)
    baggage = Department.objects.get(code="baggage")
    return Workspace(
        agents=agents,
        supervisors=supervisors,
        categories=dict(Category.objects.values_list("code", "pk")),
        routes=dict(CategoryRoute.objects.values_list("category_id", "department_id")),
        agent=users.objects.get(pk=agents[baggage.pk][0]),
        supervisor=users.objects.get(pk=supervisors[baggage.pk]),
        admin=admin,
    )


def _number(rng: random.Random, seen: set[str]) -> str:
    while True:
        body = "".join(rng.choices(ALPHABET, k=8))
        number = f"PX-{body[:4]}-{body[4:]}"
        if number not in seen:
            seen.add(number)
            return number


class Generator:
    """Yields passenger, case and clock rows for ``count`` cases, deterministically."""

    def __init__(self, workspace: Workspace, count: int, seed: int = 2) -> None:
        self.ws = workspace
        self.count = count
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.numbers: set[str] = set()
        self.flights = [
            f"{code}{self.rng.randint(100, 9899)}"
            for code, weight in AIRLINES
            for _ in range(weight * 50)
        ]
        self.policies = list(SlaPolicy.objects.filter(is_active=True))
        calendar = BusinessCalendar.objects.get(code="cn-office")
        self.calendar_id = calendar.pk
        self.office = from_model(calendar)
        self.matches: dict[tuple, SlaPolicy] = {}
        self.passenger_count = passenger_count(count)
        self.new_passengers = 0

    def rows(self) -> Iterator[tuple[dict, list[list]]]:
        """Yield (case values, clock rows) per case, oldest first."""
        start = self.now - timedelta(days=DAYS)
        step = timedelta(days=DAYS) / self.count
        for index in range(self.count):
            received_at = start + step * index + timedelta(seconds=self.rng.random())
            yield self._case(index + 1, received_at)

    def _passenger(self) -> tuple[int, str, str]:
        """Return (id, e-mail, phone) of a new passenger, or of an earlier one."""
        rng = self.rng
        if self.new_passengers and (
            self.new_passengers >= self.passenger_count
            or rng.random() < REPEAT_PASSENGER
        ):
            pk = rng.randint(1, self.new_passengers)
        else:
            self.new_passengers += 1
            pk = self.new_passengers
        return (pk, *contact(pk))

    def _case(self, pk: int, received_at: datetime) -> tuple[dict, list[list]]:
        rng = self.rng
        code, english, chinese = rng.choices(TEXTS, WEIGHTS)[0]
        language = "zh-hans" if rng.random() < 0.65 else "en"
        flight = rng.choice(self.flights)
        fill = {
            "f": flight,
            "c": rng.choice(CITIES_EN),
            "z": rng.choice(CITIES_ZH),
            "h": rng.randint(2, 12),
        }
        description = (chinese if language == "zh-hans" else english).format(**fill)
        subject = description[:60]
        passenger_id, email, phone = self._passenger()
        category_id = self.ws.categories[code]
        department_id = self.ws.routes.get(category_id)
        kind = "praise" if "Thank" in english and rng.random() < 0.9 else None
        kind = kind or _pick(rng, KINDS)
        status = self._status(received_at)
        times = self._times(received_at, status)
        number = _number(rng, self.numbers)
        has_flight = rng.random() < 0.7
        case = {
            "id": pk,
            "number": number,
            "subject": subject,
            "description": description,
            "channel": _pick(rng, CHANNELS),
            "kind": kind,
            "category_id": category_id,
            "classifier_confidence": round(rng.uniform(0.2, 0.99), 3),
            "needs_triage": rng.random() < 0.04,
            "priority": _pick(rng, PRIORITIES),
            "language": language,
            "status": status,
            "passenger_id": passenger_id,
            "airline": flight[:2] if has_flight else "",
            "flight_number": flight if has_flight else "",
            "airport": rng.choice(AIRPORTS) if rng.random() < 0.6 else "",
            "department_id": department_id,
            "assignee_id": self._assignee(department_id),
            "content_hash": hashlib.sha256(description.encode()).hexdigest(),
            "search_document": search_document(
                number, email, phone, subject, description
            ),
            "received_at": received_at,
            "reopened_count": 1 if rng.random() < 0.02 else 0,
            "updated_at": times["updated_at"],
            **{k: v for k, v in times.items() if k != "updated_at"},
        }
        return case, self._clocks(pk, case)

    def _status(self, received_at: datetime) -> str:
        age = self.now - received_at
        for younger_than, shares in STATUS_BY_AGE:
            if younger_than is None or age < younger_than:
                return _pick(self.rng, shares)
        raise AssertionError("unreachable")

    def _times(self, received_at: datetime, status: str) -> dict:
        rng, now = self.rng, self.now
        first = None
        if status != "new":
            # Lognormal around 6 hours: most answered within a day, a tail beyond.
            first = received_at + timedelta(minutes=rng.lognormvariate(5.9, 1.0))
            first = min(first, now)
        resolved = closed = None
        if status in ("resolved", "closed"):
            resolved = min(first + timedelta(minutes=rng.lognormvariate(7.8, 1)), now)
        if status == "closed":
            closed = min(resolved + timedelta(days=7), now)
        return {
            "first_response_at": first,
            "resolved_at": resolved,
            "closed_at": closed,
            "updated_at": closed or resolved or first or received_at,
        }

    def _assignee(self, department_id: int | None) -> int | None:
        if department_id is None or self.rng.random() < 0.1:
            return None
        return self.rng.choice(self.ws.agents[department_id])

    def _policy(self, case: dict, code: str) -> SlaPolicy:
        key = (code, case["kind"], case["priority"], case["channel"])
        if key not in self.matches:
            probe = SimpleNamespace(
                kind=case["kind"], priority=case["priority"], channel=case["channel"]
            )
            self.matches[key] = match_policy(self.policies, probe, code)
        return self.matches[key]

    def _clocks(self, case_id: int, case: dict) -> list[list]:
        code = CODES_BY_ID[case["category_id"]]
        policy = self._policy(case, code)
        received = case["received_at"]
        rows = []
        for kind, minutes, business, stop in (
            (
                "first_response",
                policy.first_response_minutes,
                policy.first_response_business_hours,
                case["first_response_at"],
            ),
            (
                "resolution",
                policy.resolution_minutes,
                policy.resolution_business_hours,
                case["resolved_at"],
            ),
        ):
            office = self.office if business else ALWAYS_OPEN
            due = office.add_minutes(received, minutes)
            warn = due - timedelta(
                minutes=min(policy.warn_before_minutes, minutes // 2)
            )
            state, breached_at, paused_at = "running", None, None
            if stop is not None:
                state = "met" if stop <= due else "breached"
            elif case["status"] == "pending" and kind == "resolution":
                state, paused_at = "paused", received + timedelta(hours=4)
            elif due <= self.now:
                state = "breached"
            if state == "breached":
                breached_at = due
            rows.append(
                [
                    case_id,
                    kind,
                    policy.pk,
                    self.calendar_id if business else None,
                    business,
                    minutes,
                    received,
                    due,
                    warn,
                    policy.warn_before_minutes,
                    state,
                    paused_at,
                    0,
                    None,
                    warn if warn <= self.now and state != "met" else None,
                    breached_at,
                    stop,
                ]
            )
        return rows


CODES_BY_ID: dict[int, str] = {}

PASSENGER_COLUMNS = [
    "id",
    "full_name",
    "email",
    "phone",
    "social_handle",
    "language",
    "loyalty_number",
    "loyalty_tier",
    "consent_contact",
    "consent_marketing",
    "email_bouncing",
    "created_at",
]
CLOCK_COLUMNS = [
    "case_id",
    "kind",
    "policy_id",
    "calendar_id",
    "business_hours",
    "target_minutes",
    "started_at",
    "due_at",
    "warn_at",
    "warn_before_minutes",
    "state",
    "paused_at",
    "paused_time",
    "remaining_time",
    "warned_at",
    "breached_at",
    "stopped_at",
]


def case_columns() -> list[str]:
    """Every column of the cases table, in the model's order (the key first)."""
    from paxcare.cases.models import Case

    return [field.column for field in Case._meta.concrete_fields]


def passenger_count(cases: int) -> int:
    return max(1, round(cases * (1 - REPEAT_PASSENGER)))


def contact(pk: int) -> tuple[str, str]:
    """Return the e-mail and phone of passenger ``pk``: four in five give an e-mail."""
    if pk % 5:
        return f"pax{pk}.{pk % 97}@example.com", ""
    return "", f"+86138{10_000_000 + pk * 7919 % 89_999_999}"


def passenger_rows(count: int) -> Iterator[list]:
    """Yield the passenger rows 1..count in PASSENGER_COLUMNS order."""
    now = timezone.now()
    for pk in range(1, count + 1):
        email, phone = contact(pk)
        language = "zh-hans" if pk % 3 else "en"
        name = f"Passenger {pk}"
        yield [pk, name, email, phone, "", language, "", "", True, False, False, now]


def load(workspace: Workspace, count: int, progress=print) -> None:
    """Generate ``count`` cases with their passengers and clocks, COPY them in.

    Parents go first (passengers, then cases, then clocks), each in one COPY; the
    clock rows wait in a temporary file while the cases stream.
    """
    from paxcare.cases.models import Case

    CODES_BY_ID.update({pk: code for code, pk in workspace.categories.items()})
    generator = Generator(workspace, count)
    fields = Case._meta.concrete_fields
    defaults = {f.column: f.get_default() for f in fields}
    columns = [f.column for f in fields]
    with connection.cursor() as cursor:
        progress(f"  {generator.passenger_count:,} passengers")
        _copy_all(
            cursor,
            "crm_passenger",
            PASSENGER_COLUMNS,
            passenger_rows(generator.passenger_count),
        )
        with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
            with cursor.copy(_copy_sql("cases_case", columns)) as copy:
                for done, (case, clocks) in enumerate(generator.rows(), 1):
                    row = {**defaults, **case}
                    copy.write_row([row[column] for column in columns])
                    for clock in clocks:
                        spool.write("\t".join(map(_text, clock)) + "\n")
                    if done % 100_000 == 0:
                        progress(f"  {done:,} cases")
            progress(f"  {2 * count:,} clocks")
            spool.seek(0)
            with cursor.copy(_copy_sql("sla_clock", CLOCK_COLUMNS)) as copy:
                while chunk := spool.read(1 << 20):
                    copy.write(chunk)
        for table in ("cases_case", "crm_passenger", "sla_clock"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )


def _text(value) -> str:
    """Return a value in COPY's text format (only the types clock rows hold)."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _copy_sql(table: str, columns: Iterable[str]) -> str:
    return f"COPY {table} ({', '.join(columns)}) FROM STDIN"


def _copy_all(cursor, table: str, columns: list[str], rows: Iterable[list]) -> None:
    with cursor.copy(_copy_sql(table, columns)) as copy:
        for row in rows:
            copy.write_row(row)
