"""Counts kept by local day: a period of whole days sums its days' rows, the parts
of days at either end come from the facts, and nothing waits for a refresh.

Days are Asia/Shanghai days (UTC+8): the day of 3 March 2025 runs from 2 March
16:00 UTC to 3 March 16:00 UTC.
"""

from datetime import UTC, date, datetime

import pytest

from paxcare.cases.services import cases_visible_to, change_status, reply_to_passenger
from paxcare.insights import rollups
from paxcare.insights.kpis import compute_kpis
from paxcare.insights.scoped_kpis import kpis_for
from paxcare.insights.trends import compute_trends, trends_for
from tests.factories import complete_playbook, make_case
from tests.insights.conftest import day_counts

pytestmark = pytest.mark.django_db


def utc(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC)


NOW = utc(10, 12)


@pytest.fixture(autouse=True)
def shanghai(settings):
    settings.TIME_ZONE = "Asia/Shanghai"


def test_the_whole_local_days_of_a_period_are_found():
    # 08:00 UTC is 16:00 in Shanghai: that day is not whole, the next one is
    assert rollups.whole_days(utc(3, 8), utc(6, 16)) == (
        date(2025, 3, 4),
        date(2025, 3, 6),
    )
    # a local midnight as the end leaves the day it starts out
    assert rollups.whole_days(utc(2, 16), utc(5, 16)) == (
        date(2025, 3, 3),
        date(2025, 3, 5),
    )
    assert rollups.whole_days(utc(3, 1), utc(3, 15)) is None
    assert rollups.day_start(date(2025, 3, 4)) == utc(3, 16)


def test_a_new_case_counts_on_its_local_day_of_receipt(people):
    # 20:00 UTC on 3 March is 04:00 on 4 March in Shanghai
    make_case(received_at=utc(3, 20), category="baggage.lost")

    kept = day_counts()

    received = {key[3]: n for key, n in kept.items() if key[1] == "received"}
    assert received == {date(2025, 3, 4): 1}
    # the top-problem pairs and histograms are kept for all time only
    assert all(key[3] is None for key in kept if key[1] in rollups.TOP_FIELDS)


def test_cases_after_the_last_compaction_count_in_a_period_of_whole_days(people):
    # given three cases, compacted, then a new case and a resolution after it
    sup = people["supervisor"]
    first = make_case(received_at=utc(3, 2), category="baggage.lost")
    make_case(received_at=utc(4, 2), category="baggage.lost", channel="email")
    make_case(received_at=utc(5, 2), category="baggage.damaged")
    rollups.compact()
    make_case(received_at=utc(4, 5), category="baggage.damaged")
    reply_to_passenger(first, "Found it.", actor=sup, at=utc(3, 4))
    complete_playbook(first, sup, at=utc(6, 3))
    change_status(first, "resolved", actor=sup, at=utc(6, 3))

    # when the report covers 3 to 6 March (Shanghai), whole days only
    start, end = (
        rollups.day_start(date(2025, 3, 3)),
        rollups.day_start(date(2025, 3, 7)),
    )
    kpis = kpis_for(people["admin"], start, end, now=NOW)

    # then the case that came after the compaction counts, and the resolution
    assert kpis["received"] == 4
    assert kpis["by_category"] == {"baggage.damaged": 2, "baggage.lost": 2}
    assert kpis["by_channel"] == {"web": 3, "email": 1}
    assert kpis["by_status"] == {"new": 3, "resolved": 1}
    assert kpis["first_response"]["responded"] == 1
    assert kpis["first_response"]["within_24h"] == 1
    assert kpis["first_response"]["median_minutes"] == 120.0
    assert kpis["resolution"]["resolved"] == 1
    # 3 March 02:00 to 6 March 03:00: 3 days and 1 hour
    assert kpis["resolution"]["median_minutes"] == 4380.0
    assert kpis == compute_kpis(cases_visible_to(people["admin"]), start, end, now=NOW)


def test_the_days_and_the_ends_of_a_period_add_up(people):
    # given cases inside the whole days and in the parts of days at either end
    for moment in (utc(2, 10), utc(3, 9), utc(4, 1), utc(5, 15), utc(5, 17)):
        make_case(received_at=moment)
    rollups.compact()

    # when the period starts and ends inside a local day
    start, end = utc(2, 9), utc(5, 16, 30)
    kpis = kpis_for(people["admin"], start, end, now=NOW)

    # then the case before the start and the one after the end are left out
    assert kpis["received"] == 4
    assert kpis == compute_kpis(cases_visible_to(people["admin"]), start, end, now=NOW)


def test_trends_sum_the_days_and_count_what_came_after_a_compaction(people):
    sup = people["supervisor"]
    case = make_case(received_at=utc(3, 2))
    rollups.compact()
    make_case(received_at=utc(3, 3))
    make_case(received_at=utc(10, 6))
    reply_to_passenger(case, "Looking.", actor=sup, at=utc(5, 2))

    rows = trends_for(people["admin"], None, NOW, NOW, "day")

    # 3 March: two received, one answered after 72 h (not within 24 h); 10 March:
    # one received 6 hours before the report time, not yet eligible
    by_day = {row["bucket"]: row for row in rows}
    assert by_day[date(2025, 3, 3)]["received"] == 2
    assert by_day[date(2025, 3, 3)]["first_response_rate"] == 0.0
    assert by_day[date(2025, 3, 10)]["received"] == 1
    assert by_day[date(2025, 3, 10)]["first_response_rate"] is None
    for start in (None, utc(2, 16), utc(3, 1)):
        for interval in ("day", "week", "month"):
            assert trends_for(people["admin"], start, NOW, NOW, interval) == (
                compute_trends(
                    cases_visible_to(people["admin"]), start, NOW, NOW, interval
                )
            ), (start, interval)


def test_counts_built_in_another_time_zone_are_rebuilt_before_use(settings, people):
    make_case(received_at=utc(3, 20))
    assert rollups.is_ready()

    settings.TIME_ZONE = "Europe/Paris"

    assert not rollups.is_ready()
    rollups.rebuild()
    assert rollups.is_ready()
    received = {k[3]: n for k, n in day_counts().items() if k[1] == "received"}
    assert received == {date(2025, 3, 3): 1}
