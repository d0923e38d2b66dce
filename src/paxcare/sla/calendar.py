"""Working-time arithmetic in an office's own calendar.

Plain Python, no database: a ``WorkingCalendar`` knows an office's time zone, its
weekly working hours, its country's public holidays (China's adjusted working days,
调休, included) and the administrator's extra holidays and working days. It answers
three questions: when does a target of N working minutes run out, how much working
time lies between two instants, and when does the Nth working day end. The first two
are exact to the microsecond as well (``add_working_time``, ``working_time_between``),
for clocks that pause and resume.

Every computation goes through local dates: each working interval is placed on its
local date in ``zoneinfo`` and only then converted to UTC, so an interval of
09:00-17:00 keeps its 8 hours on the days the clocks change, and a day that loses
or gains an hour at night loses or gains nothing at the desk. The intervals of a
date are computed once per calendar and kept, so adding ten working days costs
about fourteen dictionary look-ups.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

Interval = tuple[time, time]
UtcInterval = tuple[datetime, datetime]

ONE_DAY = timedelta(days=1)
ONE_MINUTE = timedelta(minutes=1)
MIDNIGHT = time(0)

# Ten years of days: far beyond any SLA target, and a firm stop for a calendar
# whose extra holidays leave no working time at all.
MAX_DAYS = 3660


@lru_cache(maxsize=256)
def country_days(country: str, year: int) -> tuple[frozenset[date], frozenset[date]]:
    """Return the public holidays and the weekend working days of a country's year."""
    try:
        calendar = holidays.country_holidays(country, years=year)
    except NotImplementedError as error:
        raise ValueError(f"Unknown holiday country: {country!r}.") from error
    off = frozenset(calendar.keys())
    # The package keeps some weekend working days of other years in the same set;
    # keep only this year's.
    worked = frozenset(
        day for day in getattr(calendar, "weekend_workdays", ()) if day.year == year
    )
    return off, worked


@dataclass(frozen=True)
class WorkingCalendar:
    """An office's working time: weekly hours, holidays and adjusted working days.

    ``hours`` maps ISO weekdays (1 Monday .. 7 Sunday) to local intervals; an
    interval ending at 00:00 runs to midnight. A weekend day that the holiday
    country or ``extra_workdays`` makes a working day uses the hours of the first
    weekday that has any (Monday's, in an ordinary office). ``extra_holidays`` win
    over everything, then ``extra_workdays``, then the country's calendar.
    """

    time_zone: str
    hours: Mapping[int, tuple[Interval, ...]]
    holiday_country: str = ""
    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    always_open: bool = False
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _days: dict[date, tuple[UtcInterval, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        try:
            zone = ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"Unknown time zone: {self.time_zone!r}.") from error
        object.__setattr__(self, "_zone", zone)
        hours = {
            int(day): _checked_intervals(int(day), intervals)
            for day, intervals in self.hours.items()
        }
        object.__setattr__(self, "hours", {d: i for d, i in hours.items() if i})
        if not self.always_open and not self.hours:
            raise ValueError("A calendar needs working hours unless it is always open.")
        if self.holiday_country:
            country_days(self.holiday_country, 2000)

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    def is_working_day(self, d: date) -> bool:
        """Return whether ``d`` (a local date) has working hours."""
        if self.always_open:
            return True
        if d in self.extra_holidays:
            return False
        if d in self.extra_workdays:
            return True
        if self.holiday_country:
            off, worked = country_days(self.holiday_country, d.year)
            if d in worked:
                return True
            if d in off:
                return False
        return d.isoweekday() in self.hours

    def add_minutes(self, start: datetime, minutes: int) -> datetime:
        """Return the instant (UTC) when ``minutes`` working minutes from ``start`` end.

        A target that runs out exactly at closing time ends at closing time, not at
        the next opening. Zero minutes from outside working hours is the next opening.
        """
        if minutes < 0:
            raise ValueError("Minutes to add must not be negative.")
        return self.add_working_time(start, timedelta(minutes=minutes))

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """Return the instant (UTC) when ``amount`` of working time from ``start`` ends.

        Exact to the microsecond, so a clock that pauses and resumes keeps every
        second it had; otherwise as ``add_minutes``.
        """
        start = _utc(start)
        if amount < timedelta():
            raise ValueError("Working time to add must not be negative.")
        if self.always_open:
            return start + amount
        remaining = amount
        for begin, end in self._intervals_from(start):
            if end <= start:
                continue
            begin = max(begin, start)
            if end - begin >= remaining:
                return begin + remaining
            remaining -= end - begin
        raise ValueError(f"No working time within {MAX_DAYS} days.")

    def minutes_between(self, start: datetime, end: datetime) -> int:
        """Return the whole working minutes between two instants (0 if end <= start)."""
        return self.working_time_between(start, end) // ONE_MINUTE

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Return the working time between two instants, exactly (0 if end <= start)."""
        start, end = _utc(start), _utc(end)
        if end <= start:
            return timedelta()
        if self.always_open:
            return end - start
        total = timedelta()
        last_day = end.astimezone(self._zone).date()
        for begin, finish in self._intervals_from(start, until=last_day):
            low, high = max(begin, start), min(finish, end)
            if high > low:
                total += high - low
        return total

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """Return the end (UTC) of the ``days``-th working day after ``start``'s date.

        The day of ``start`` is not counted, as periods in days are counted under
        Chinese law: a complaint received on Monday with "10 working days" is due at
        closing time of the tenth working day from Tuesday on.
        """
        if days < 1:
            raise ValueError("Working days to add must be at least 1.")
        day = _utc(start).astimezone(self._zone).date()
        counted = 0
        for _ in range(MAX_DAYS):
            day += ONE_DAY
            if self.is_working_day(day):
                counted += 1
                if counted == days:
                    return self._end_of_day(day)
        raise ValueError(f"No {days} working days within {MAX_DAYS} days.")

    def intervals_on(self, d: date) -> tuple[UtcInterval, ...]:
        """Return the working intervals of local date ``d`` as UTC instants."""
        cached = self._days.get(d)
        if cached is None:
            cached = tuple(
                (self._instant(d, begin), self._instant(d, end, is_end=True))
                for begin, end in self._local_hours(d)
            )
            self._days[d] = cached
        return cached

    def _intervals_from(
        self, start: datetime, until: date | None = None
    ) -> Iterator[UtcInterval]:
        day = start.astimezone(self._zone).date()
        for _ in range(MAX_DAYS):
            if until is not None and day > until:
                return
            yield from self.intervals_on(day)
            day += ONE_DAY

    def _local_hours(self, d: date) -> tuple[Interval, ...]:
        if self.always_open:
            return ((MIDNIGHT, MIDNIGHT),)
        if not self.is_working_day(d):
            return ()
        return self.hours.get(d.isoweekday()) or self._standard_hours()

    def _standard_hours(self) -> tuple[Interval, ...]:
        return self.hours[min(self.hours)]

    def _instant(self, d: date, at: time, is_end: bool = False) -> datetime:
        if is_end and at == MIDNIGHT:
            d += ONE_DAY
        return datetime.combine(d, at, tzinfo=self._zone).astimezone(UTC)

    def _end_of_day(self, d: date) -> datetime:
        intervals = self.intervals_on(d)
        if intervals:
            return intervals[-1][1]
        return self._instant(d, MIDNIGHT, is_end=True)


ALWAYS_OPEN = WorkingCalendar(time_zone="UTC", hours={}, always_open=True)


def from_model(calendar: Any) -> WorkingCalendar:
    """Return the WorkingCalendar of a BusinessCalendar row (or anything shaped so).

    Raise ValueError, naming the bad value, for malformed hours or dates.
    """
    return _cached_calendar(
        calendar.time_zone,
        _hours_key(calendar.working_hours),
        calendar.holiday_country or "",
        _dates(calendar.extra_holidays or []),
        _dates(calendar.extra_workdays or []),
        bool(calendar.always_open),
    )


@lru_cache(maxsize=64)
def _cached_calendar(
    time_zone: str,
    hours: tuple[tuple[int, tuple[Interval, ...]], ...],
    holiday_country: str,
    extra_holidays: frozenset[date],
    extra_workdays: frozenset[date],
    always_open: bool,
) -> WorkingCalendar:
    # Keyed by content, so an edited calendar gets a new entry and every process
    # keeps the warm per-date intervals of the calendars in use.
    return WorkingCalendar(
        time_zone=time_zone,
        hours=dict(hours),
        holiday_country=holiday_country.upper(),
        extra_holidays=extra_holidays,
        extra_workdays=extra_workdays,
        always_open=always_open,
    )


def parse_hours(working_hours: Mapping[str, Any]) -> dict[int, tuple[Interval, ...]]:
    """Parse ``{"1": [["09:00", "18:00"]]}`` into weekday -> local intervals."""
    if not isinstance(working_hours, Mapping):
        raise ValueError("Working hours must map weekdays 1-7 to intervals.")
    parsed: dict[int, tuple[Interval, ...]] = {}
    for key, intervals in working_hours.items():
        if str(key) not in {"1", "2", "3", "4", "5", "6", "7"}:
            raise ValueError(f"Unknown weekday {key!r}: use 1 (Monday) to 7 (Sunday).")
        try:
            pairs = [(_clock_time(begin), _clock_time(end)) for begin, end in intervals]
        except (TypeError, ValueError) as error:
            raise ValueError(
                f'Weekday {key}: intervals must look like ["09:00", "18:00"].'
            ) from error
        parsed[int(key)] = _checked_intervals(int(key), pairs)
    return parsed


def _hours_key(working_hours: Mapping[str, Any]) -> tuple:
    return tuple(sorted(parse_hours(working_hours).items()))


def _checked_intervals(day: int, intervals: Any) -> tuple[Interval, ...]:
    if not 1 <= day <= 7:
        raise ValueError(f"Unknown weekday {day}: use 1 (Monday) to 7 (Sunday).")
    ordered = tuple(sorted(tuple(pair) for pair in intervals))
    previous_end = 0
    for begin, end in ordered:
        begin_minute = begin.hour * 60 + begin.minute
        end_minute = end.hour * 60 + end.minute if end != MIDNIGHT else 24 * 60
        if end_minute <= begin_minute:
            raise ValueError(f"Weekday {day}: {begin:%H:%M}-{end:%H:%M} ends too soon.")
        if begin_minute < previous_end:
            raise ValueError(f"Weekday {day}: working intervals overlap.")
        previous_end = end_minute
    return ordered


def _clock_time(text: str) -> time:
    if text == "24:00":
        return MIDNIGHT
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


def _dates(values: Any) -> frozenset[date]:
    try:
        return frozenset(date.fromisoformat(str(value)) for value in values)
    except ValueError as error:
        raise ValueError(f"Dates must look like 2025-10-01: {error}.") from error


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("Calendar arithmetic needs time-zone-aware datetimes.")
    return moment.astimezone(UTC)
