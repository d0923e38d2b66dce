"""The KPIs from the KPI facts and counts equal the KPIs computed from the cases.

The history (``conftest.py``) mixes what the counts must get right; the agent of
baggage sees the case of another department assigned to them only through the
assignment.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from paxcare.cases.models import Case
from paxcare.cases.services import (
    add_passenger_message,
    cases_visible_to,
    reply_to_passenger,
)
from paxcare.insights import rollups
from paxcare.insights.kpis import compute_kpis
from paxcare.insights.models import CaseFact, KpiCount, KpiRollupState
from paxcare.insights.scoped_kpis import (
    all_kpis,
    compute_scoped_kpis,
    kpis_for,
    scope_of,
)
from tests.factories import make_case
from tests.insights.conftest import (
    NOW,
    at,
    behind_the_services,
    counts,
    day_counts,
)

pytestmark = pytest.mark.django_db

PERIODS = [
    (None, None),
    (None, datetime(2025, 3, 8, tzinfo=UTC)),
    (datetime(2025, 3, 1, tzinfo=UTC), None),
    (datetime(2025, 3, 4, 12, tzinfo=UTC), datetime(2025, 3, 9, 6, tzinfo=UTC)),
]


@pytest.mark.parametrize("who", ["admin", "supervisor", "agent"])
@pytest.mark.parametrize("start,end", PERIODS)
def test_the_counts_give_every_figure_of_the_cases(people, history, who, start, end):
    behind_the_services(history, people["agent"])
    user = people[who]
    cases = cases_visible_to(user)

    from_counts = compute_scoped_kpis(scope_of(user), cases, start, end, NOW)
    from_cases = compute_kpis(cases, start, end, now=NOW)

    assert from_counts == from_cases
    assert from_cases["received"] > 0


def test_every_kind_of_figure_is_exercised(people, history):
    behind_the_services(history, people["agent"])

    kpis = kpis_for(people["admin"], now=NOW)

    assert kpis["sla_breaches"] == {
        "total": 2,
        "first_response": 1,
        "resolution": 1,
        "regulatory": 0,
    }
    assert kpis["satisfaction"]["responses"] == 3
    assert kpis["satisfaction"]["nps"] == 0.0
    assert kpis["reopen_rate"]["reopened"] == 1
    assert kpis["resolution_time"]["measured"] == 4
    assert kpis["first_response_business"]["measured"] == 6


def test_the_agent_sees_the_assigned_case_of_another_department(people, history):
    behind_the_services(history, people["agent"])

    kpis = compute_scoped_kpis(
        scope_of(people["agent"]), cases_visible_to(people["agent"]), None, None, NOW
    )

    assert kpis["by_channel"] == {"web": 7, "email": 1}
    assert kpis["by_category"]["flight.delay"] == 1
    # first responses: 29:53, 60:00, 60:01 (late), 90:11, 120:00, 180:00 (min:s);
    # the middle two lie in buckets 60 and 90: (60:01 + 90:11) / 2 = 75:06
    assert kpis["first_response"]["median_minutes"] == 75.1


def test_the_events_keep_the_facts_and_counts_a_rebuild_gives(history):
    kept_facts = _facts()
    kept_counts = day_counts()

    rollups.rebuild()

    assert kept_facts == _facts()
    assert kept_counts == day_counts()
    assert len(kept_facts) == Case.objects.count() == 9
    assert counts()[(_baggage(), "status", "resolved")] == 3
    # by the local day (Asia/Shanghai) of receipt: D on 20 February at 16:00, A on
    # 3 March at 08:00, B on 4 March at 09:00
    resolved = {
        day: n
        for (department, measure, value, day), n in kept_counts.items()
        if (department, measure, value) == (_baggage(), "status", "resolved")
    }
    assert resolved == {date(2025, 2, 20): 1, date(2025, 3, 3): 1, date(2025, 3, 4): 1}


def test_a_reopen_takes_the_resolution_back_until_it_is_resolved_again(people):
    sup = people["supervisor"]
    case = make_case(received_at=at(3, 1), category="baggage.pilferage")
    reply_to_passenger(case, "Found.", actor=sup, new_status="resolved", at=at(3, 2))

    add_passenger_message(case, "Not mine.", channel="web", at=at(3, 3))

    kept = counts()
    assert kept.get((_baggage(), "resolved", "")) is None
    assert kept[(_baggage(), "status", "open")] == 1
    assert kept[(_baggage(), "fr_bucket", "1440")] == 1


def test_compaction_folds_the_changes_into_one_row_per_count(history):
    before = day_counts()
    rows_before = KpiCount.objects.count()

    rollups.compact()

    assert day_counts() == before
    assert KpiCount.objects.count() == len(before) < rows_before
    assert not KpiCount.objects.filter(n=0).exists()


def test_the_scope_is_the_cases_the_user_may_see(people, history):
    behind_the_services(history, people["agent"])
    for user in people.values():
        scope = scope_of(user)
        facts = CaseFact.objects.all()
        if scope.departments is not None:
            from django.db.models import Q

            facts = facts.filter(
                Q(department_id__in=scope.departments)
                | Q(assignee_id=scope.assignee_id)
            )
        visible = set(cases_visible_to(user).values_list("pk", flat=True))

        assert set(facts.values_list("case_id", flat=True)) == visible


def test_until_built_the_figures_come_from_the_cases(people, history):
    # Given a workspace that had cases before the facts existed (never built), and
    # counts that disagree with the cases (a change made behind the services)
    KpiRollupState.objects.all().delete()
    Case.objects.filter(pk=history["late"].pk).update(channel="phone")
    admin = people["admin"]

    before = kpis_for(admin, now=NOW)
    rollups.rebuild()
    Case.objects.filter(pk=history["late"].pk).update(channel="social")
    after = kpis_for(admin, now=NOW)

    assert before["by_channel"]["phone"] == 1
    assert after["by_channel"]["phone"] == 1
    assert "social" not in after["by_channel"]


def _facts() -> list[tuple]:
    fields = [f.attname for f in CaseFact._meta.concrete_fields]
    return sorted(CaseFact.objects.values_list(*fields))


def _baggage() -> int:
    from paxcare.routing.models import Department

    return Department.objects.get(code="baggage").pk


@pytest.mark.parametrize(
    "minutes,expected",
    [
        (-3, -3),
        (0, 0),
        (127, 127),
        (128, 128),
        (129, 128),
        (255, 254),
        (256, 256),
        (259, 256),
        (1455, 1440),
        (10**6, 999_424),
        (2**31 - 1, 2**31 - 2**24),
    ],
)
def test_python_and_sql_put_a_duration_in_the_same_bucket(minutes, expected):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {rollups.bucket_sql(str(minutes))}")
        (in_sql,) = cursor.fetchone()

    assert rollups.bucket(minutes) == in_sql == expected


def test_the_median_is_read_exactly_inside_its_bucket(people):
    # Given first responses of 10:00, 1,455:00 and 1,441:30 minutes: the last two
    # share the bucket 1,440-1,455
    sup = people["supervisor"]
    for minutes in (10, 1455, 1441.5):
        case = make_case(received_at=at(3, 1))
        reply_to_passenger(
            case, "Hello.", actor=sup, at=at(3, 1) + timedelta(minutes=minutes)
        )
    rollups.rebuild()

    kpis = kpis_for(people["admin"], now=NOW)

    assert kpis["first_response"]["median_minutes"] == 1441.5
    assert kpis == compute_kpis(Case.objects.all(), now=NOW)


def test_the_command_view_counts_every_case(history):
    rollups.rebuild()

    assert all_kpis(now=NOW) == compute_kpis(Case.objects.all(), now=NOW)


def test_the_ten_flights_with_most_cases_are_ranked_as_the_definition_says(people):
    # Given twelve flights: CA900 with two cases, eleven others with one each (ties
    # broken by the flight number)
    flights = ["CA900", "CA900", *[f"MU{100 + n}" for n in range(11)]]
    for flight in flights:
        make_case(received_at=at(3, 1), flight_number=flight)
    rollups.rebuild()

    kpis = kpis_for(people["admin"], now=NOW)

    top = kpis["top_problems"]["flight_number"]
    assert [row["value"] for row in top] == ["CA900"] + [
        f"MU{100 + n}" for n in range(9)
    ]
    assert top[0]["cases"] == 2
    assert kpis == compute_kpis(Case.objects.all(), now=NOW)


def test_a_workspace_migrated_without_cases_reads_the_facts_from_the_start(db):
    from paxcare.insights.apps import _start_empty_rollups

    KpiRollupState.objects.all().delete()
    _start_empty_rollups(sender=None)
    assert rollups.is_ready()

    KpiRollupState.objects.all().delete()
    make_case()
    _start_empty_rollups(sender=None)
    assert not rollups.is_ready()
