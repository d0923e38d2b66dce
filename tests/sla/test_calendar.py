"""Working-time arithmetic: hours, weekends, China's holidays and 调休, DST."""

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paxcare.sla.calendar import WorkingCalendar, from_model

BEIJING = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")

NINE_TO_SIX = ((time(9), time(18)),)
WEEKDAYS = {day: NINE_TO_SIX for day in range(1, 6)}


def china() -> WorkingCalendar:
    return WorkingCalendar("Asia/Shanghai", WEEKDAYS, holiday_country="CN")


def beijing(*args: int) -> datetime:
    return datetime(*args, tzinfo=BEIJING)


# --- Working hours and weekends -------------------------------------------------


def test_minutes_within_a_working_day_end_the_same_day():
    # given Monday 3 March 2025 at 10:00 in Beijing
    start = beijing(2025, 3, 3, 10)

    # when two working hours are added
    due = china().add_minutes(start, 120)

    # then the target ends at noon, returned in UTC
    assert due == datetime(2025, 3, 3, 4, tzinfo=UTC)
    assert due.tzinfo is UTC


def test_minutes_past_closing_time_carry_over_to_the_next_morning():
    assert china().add_minutes(beijing(2025, 3, 3, 17), 120) == beijing(2025, 3, 4, 10)


def test_a_target_that_runs_out_at_closing_time_ends_at_closing_time():
    assert china().add_minutes(beijing(2025, 3, 3, 9), 540) == beijing(2025, 3, 3, 18)


def test_friday_afternoon_minutes_skip_the_weekend():
    assert china().add_minutes(beijing(2025, 3, 7, 17), 120) == beijing(2025, 3, 10, 10)


def test_a_start_on_saturday_counts_from_monday_opening():
    assert china().add_minutes(beijing(2025, 3, 8, 11), 60) == beijing(2025, 3, 10, 10)


def test_a_lunch_break_is_not_working_time():
    # given an office closed from 12:00 to 13:00
    lunch = ((time(9), time(12)), (time(13), time(18)))
    calendar = WorkingCalendar("Asia/Shanghai", {1: lunch})

    # when two hours are added at 11:00 on a Monday
    due = calendar.add_minutes(beijing(2025, 3, 3, 11), 120)

    # then the hour of lunch is skipped
    assert due == beijing(2025, 3, 3, 14)


def test_minutes_between_counts_only_working_time():
    # Friday 17:00 to Monday 10:00: one hour on Friday, one on Monday
    assert (
        china().minutes_between(beijing(2025, 3, 7, 17), beijing(2025, 3, 10, 10))
        == 120
    )


def test_minutes_between_is_zero_when_the_end_is_not_later():
    start = beijing(2025, 3, 3, 10)

    assert china().minutes_between(start, start) == 0
    assert china().minutes_between(start, start - timedelta(hours=1)) == 0


def test_an_always_open_calendar_counts_every_minute():
    calendar = WorkingCalendar("UTC", {}, always_open=True)

    assert calendar.add_minutes(beijing(2025, 3, 8, 11), 90) == beijing(
        2025, 3, 8, 12, 30
    )
    assert calendar.minutes_between(beijing(2025, 3, 8), beijing(2025, 3, 9)) == 1440


# --- China's holidays and adjusted working days ---------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 1, 24), True),  # Friday before the Spring Festival
        (date(2025, 1, 25), False),  # Saturday
        (date(2025, 1, 26), True),  # Sunday worked (调休)
        (date(2025, 1, 28), False),  # New Year's Eve, off
        (date(2025, 2, 4), False),  # last day off
        (date(2025, 2, 5), True),
        (date(2025, 2, 8), True),  # Saturday worked (调休)
        (date(2025, 9, 28), True),  # Sunday worked before National Day
        (date(2025, 10, 1), False),
        (date(2025, 10, 8), False),  # last day off
        (date(2025, 10, 9), True),
        (date(2025, 10, 11), True),  # Saturday worked after National Day
        (date(2025, 10, 12), False),  # Sunday
    ],
)
def test_china_working_days_follow_the_published_holiday_schedule(day, working):
    assert china().is_working_day(day) is working


def test_spring_festival_2025_pushes_a_target_from_27_january_to_5_february():
    # given Monday 27 January 2025 at 17:00, the last hour before 28 Jan-4 Feb off
    start = beijing(2025, 1, 27, 17)

    # when two working hours are added
    due = china().add_minutes(start, 120)

    # then the second hour is on Wednesday 5 February
    assert due == beijing(2025, 2, 5, 10)


def test_an_adjusted_working_sunday_has_a_normal_working_day():
    # Friday 24 January 17:00 + 2 h: Saturday is off, Sunday 26 January is worked
    assert china().add_minutes(beijing(2025, 1, 24, 17), 120) == beijing(
        2025, 1, 26, 10
    )
    # and the Sunday has Monday's hours: 9 working hours
    sunday = (beijing(2025, 1, 26), beijing(2025, 1, 27))
    assert china().minutes_between(*sunday) == 540


def test_national_day_2025_pushes_a_target_from_30_september_to_9_october():
    assert china().add_minutes(beijing(2025, 9, 30, 17), 120) == beijing(
        2025, 10, 9, 10
    )


def test_the_saturday_after_national_day_2025_is_a_working_day():
    assert china().add_minutes(beijing(2025, 10, 10, 17), 120) == beijing(
        2025, 10, 11, 10
    )


def test_ten_working_days_from_a_complaint_skip_national_day():
    # given a complaint received on Monday 22 September 2025
    received = beijing(2025, 9, 22, 15, 30)

    # when 10 working days are counted from the next day
    due = china().add_working_days(received, 10)

    # then 23-26 Sep, Sun 28 Sep, 29-30 Sep, 9-10 Oct and Sat 11 Oct: closing time
    assert due == beijing(2025, 10, 11, 18)


def test_extra_holidays_and_working_days_override_the_country():
    # given 3 March 2025 closed and Saturday 8 March worked by the office's own rule
    calendar = WorkingCalendar(
        "Asia/Shanghai",
        WEEKDAYS,
        holiday_country="CN",
        extra_holidays=frozenset({date(2025, 3, 3)}),
        extra_workdays=frozenset({date(2025, 3, 8), date(2025, 10, 1)}),
    )

    assert calendar.is_working_day(date(2025, 3, 3)) is False
    assert calendar.is_working_day(date(2025, 3, 8)) is True
    assert calendar.is_working_day(date(2025, 10, 1)) is True


# --- Daylight saving time -------------------------------------------------------


def new_york_every_day() -> WorkingCalendar:
    hours = {day: ((time(9), time(17)),) for day in range(1, 8)}
    return WorkingCalendar("America/New_York", hours)


@pytest.mark.parametrize("day", [date(2025, 3, 9), date(2025, 11, 2)])
def test_a_working_day_keeps_its_8_hours_when_the_clocks_change(day):
    # given the days New York springs forward and falls back
    start = datetime.combine(day, time(0), tzinfo=NEW_YORK)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=NEW_YORK)

    # then 09:00-17:00 is 8 working hours on each
    assert new_york_every_day().minutes_between(start, end) == 480


def test_minutes_across_spring_forward_land_at_the_same_local_time():
    # Saturday 8 March 2025 16:00 EST + 2 h: one hour Saturday, one on Sunday (EDT)
    due = new_york_every_day().add_minutes(
        datetime(2025, 3, 8, 16, tzinfo=NEW_YORK), 120
    )

    assert due == datetime(2025, 3, 9, 14, tzinfo=UTC)
    assert due.astimezone(NEW_YORK).hour == 10


def test_minutes_across_fall_back_land_at_the_same_local_time():
    # Saturday 1 November 2025 16:00 EDT + 2 h: one hour Saturday, one on Sunday (EST)
    due = new_york_every_day().add_minutes(
        datetime(2025, 11, 1, 16, tzinfo=NEW_YORK), 120
    )

    assert due == datetime(2025, 11, 2, 15, tzinfo=UTC)
    assert due.astimezone(NEW_YORK).hour == 10


@pytest.mark.parametrize(
    ("day", "minutes"), [(date(2025, 3, 30), 1380), (date(2025, 10, 26), 1500)]
)
def test_a_midnight_to_midnight_day_in_london_has_23_or_25_hours(day, minutes):
    # given an interval from 00:00 to 24:00 local, every day
    calendar = WorkingCalendar(
        "Europe/London", {d: ((time(0), time(0)),) for d in range(1, 8)}
    )
    start = datetime.combine(day, time(0), tzinfo=LONDON)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON)

    # then the whole day counts in real minutes
    assert calendar.minutes_between(start, end) == minutes


# --- Exact working time ---------------------------------------------------------


def test_working_time_over_closing_time_is_exact_to_the_second():
    # given Monday 3 March 2025, 30 seconds before closing time in Beijing
    start = beijing(2025, 3, 3, 17, 59, 30)

    # when 50 working seconds are added
    end = china().add_working_time(start, timedelta(seconds=50))

    # then 30 fall on Monday and 20 on Tuesday morning, and counting undoes it
    assert end == beijing(2025, 3, 4, 9, 0, 20)
    assert china().working_time_between(start, end) == timedelta(seconds=50)


def test_working_time_over_the_clock_change_is_exact_to_the_second():
    # given a London office, 09:00-17:00 on weekdays, and British Summer Time
    # starting on Sunday 30 March 2025
    calendar = WorkingCalendar(
        "Europe/London", {day: ((time(9), time(17)),) for day in range(1, 6)}
    )
    friday = datetime(2025, 3, 28, 16, 59, 30, tzinfo=LONDON)
    monday = datetime(2025, 3, 31, 9, 0, 45, tzinfo=LONDON)

    # then 30 seconds on Friday (GMT) and 45 on Monday (BST) are working time
    assert calendar.working_time_between(friday, monday) == timedelta(seconds=75)
    assert calendar.add_working_time(friday, timedelta(seconds=75)) == datetime(
        2025, 3, 31, 8, 0, 45, tzinfo=UTC
    )


def test_whole_minutes_round_down_the_exact_working_time():
    start = beijing(2025, 3, 3, 10, 0, 1)

    assert china().minutes_between(start, beijing(2025, 3, 3, 12)) == 119
    assert china().working_time_between(start, beijing(2025, 3, 3, 12)) == timedelta(
        minutes=119, seconds=59
    )


def test_negative_working_time_is_refused():
    with pytest.raises(ValueError, match="must not be negative"):
        china().add_working_time(beijing(2025, 3, 3, 10), timedelta(seconds=-1))


@settings(max_examples=300, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2024, 1, 1),  # noqa: DTZ001
        max_value=datetime(2026, 12, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    amount=st.timedeltas(min_value=timedelta(), max_value=timedelta(days=14)),
    calendar=st.sampled_from(
        [
            WorkingCalendar("Asia/Shanghai", WEEKDAYS, holiday_country="CN"),
            WorkingCalendar(
                "America/New_York", {d: ((time(9), time(17)),) for d in range(1, 8)}
            ),
        ]
    ),
)
def test_working_time_between_undoes_add_working_time(start, amount, calendar):
    end = calendar.add_working_time(start, amount)

    assert calendar.working_time_between(start, end) == amount


# --- Inverse and validation -----------------------------------------------------


# hypothesis takes naive bounds and attaches the time zone itself.
FIRST_START = datetime(2024, 1, 1)  # noqa: DTZ001
LAST_START = datetime(2026, 12, 1)  # noqa: DTZ001


@settings(max_examples=300, deadline=None)
@given(
    start=st.datetimes(
        min_value=FIRST_START, max_value=LAST_START, timezones=st.just(UTC)
    ),
    minutes=st.integers(min_value=0, max_value=20_000),
    calendar=st.sampled_from([china(), new_york_every_day()]),
)
def test_minutes_between_undoes_add_minutes(start, minutes, calendar):
    assert (
        calendar.minutes_between(start, calendar.add_minutes(start, minutes)) == minutes
    )


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="time-zone-aware"):
        china().add_minutes(datetime(2025, 3, 3, 10), 60)  # noqa: DTZ001


def test_negative_minutes_are_refused():
    with pytest.raises(ValueError, match="must not be negative"):
        china().add_minutes(beijing(2025, 3, 3, 10), -1)


def test_a_calendar_row_becomes_a_working_calendar():
    # given a calendar row as the admin stores it
    row = SimpleNamespace(
        time_zone="Asia/Shanghai",
        working_hours={"1": [["13:00", "18:00"], ["09:00", "12:00"]], "6": []},
        holiday_country="cn",
        extra_holidays=["2025-03-10"],
        extra_workdays=[],
        always_open=False,
    )

    # when it is converted
    calendar = from_model(row)

    # then intervals are sorted, empty days dropped, dates parsed, country upper-cased
    assert calendar.hours == {1: ((time(9), time(12)), (time(13), time(18)))}
    assert calendar.holiday_country == "CN"
    assert calendar.extra_holidays == frozenset({date(2025, 3, 10)})


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ({"8": [["09:00", "18:00"]]}, "Unknown weekday '8'"),
        ({"1": [["18:00", "09:00"]]}, "18:00-09:00 ends too soon"),
        ({"1": [["09:00", "13:00"], ["12:00", "18:00"]]}, "overlap"),
        ({"1": [["nine", "18:00"]]}, "intervals must look like"),
    ],
)
def test_malformed_working_hours_are_refused_with_the_reason(hours, message):
    row = SimpleNamespace(
        time_zone="Asia/Shanghai",
        working_hours=hours,
        holiday_country="",
        extra_holidays=[],
        extra_workdays=[],
        always_open=False,
    )

    with pytest.raises(ValueError, match=message):
        from_model(row)
