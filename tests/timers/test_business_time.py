"""Business-hours math against tables written by hand, then against properties and a brute-force oracle.

Every expected instant below was worked out on paper from the calendar, with its UTC offset
spelled out, so DST rows show which side of the change they land on. No database: the math is pure.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otklik.timers.rules import (
    MAX_CLOSED_DAYS,
    MIDNIGHT,
    BusinessCalendar,
    add_business_time,
    business_time_between,
    fraction_point,
    is_open,
    next_open,
)


def h(hours: float) -> timedelta:
    return timedelta(hours=hours)


def m(minutes: float) -> timedelta:
    return timedelta(minutes=minutes)


def every_day(*intervals: tuple[time, time]) -> tuple[tuple[tuple[time, time], ...], ...]:
    return tuple(intervals for _ in range(7))


def new_year_2027() -> list[date]:
    return [date(2027, 1, day) for day in range(1, 9)]


MSK_HOLIDAYS = [*new_year_2027(), date(2026, 5, 1), date(2026, 5, 11)]
LUNCH = ((time(9), time(13)), (time(14), time(18)))
WEEKDAY = ((time(9), time(18)),)

CALENDARS: dict[str, BusinessCalendar] = {
    # Moscow keeps +03:00 all year; 9–18 Monday to Friday with the 2027 New Year break and two May days.
    "msk": BusinessCalendar.office("Europe/Moscow", holidays=MSK_HOLIDAYS),
    "msk_lunch": BusinessCalendar("Europe/Moscow", hours=(LUNCH,) * 5 + ((), ())),
    "msk_sat": BusinessCalendar("Europe/Moscow", hours=(WEEKDAY,) * 5 + (((time(10), time(14)),), ())),
    "always": BusinessCalendar.always(),
    "always_berlin": BusinessCalendar.always("Europe/Berlin"),
    # The same 24/7 written out as whole days, so the general path meets the DST days.
    "berlin_full": BusinessCalendar("Europe/Berlin", hours=every_day((MIDNIGHT, MIDNIGHT))),
    "ny_full": BusinessCalendar("America/New_York", hours=every_day((MIDNIGHT, MIDNIGHT))),
    "berlin": BusinessCalendar.office("Europe/Berlin"),
    "ny": BusinessCalendar.office("America/New_York", start=time(8, 30), end=time(17)),
    # Night shifts that contain the 02:00/03:00 changes (Berlin 2026-03-29 and 2026-10-25).
    "berlin_night": BusinessCalendar("Europe/Berlin", hours=every_day((time(1), time(5)))),
    "ny_night": BusinessCalendar("America/New_York", hours=every_day((time(0), time(4)))),
    # Boundaries inside the gap or fold: the gap moves forward, the fold means the first occurrence.
    "berlin_gap": BusinessCalendar("Europe/Berlin", hours=every_day((time(2, 30), time(6)))),
    "berlin_fold_end": BusinessCalendar("Europe/Berlin", hours=every_day((time(0), time(2, 30)))),
    # Wholly inside the spring gap: that one day it never opens; in autumn it opens for the first 02:15–02:45.
    "berlin_in_gap": BusinessCalendar("Europe/Berlin", hours=every_day((time(2, 15), time(2, 45)))),
}


def at(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None, text
    return moment


def rows(table: list[tuple[object, ...]]) -> list[object]:
    """The last element of each row names it."""
    return [pytest.param(*row[:-1], id=str(row[-1])) for row in table]


# Moscow, office 9–18: Mon 2026-03-02 … Fri 03-06, weekend 07–08, Mon 03-09.
ADD_ROWS: list[tuple[object, ...]] = [
    ("msk", "2026-03-02T08:00+03:00", h(1), "2026-03-02T10:00+03:00", "before hours"),
    ("msk", "2026-03-02T08:59+03:00", m(2), "2026-03-02T09:02+03:00", "a minute before opening"),
    ("msk", "2026-03-02T00:00+03:00", h(9), "2026-03-02T18:00+03:00", "midnight, whole day"),
    ("msk", "2026-03-02T09:00+03:00", h(1), "2026-03-02T10:00+03:00", "at opening"),
    ("msk", "2026-03-02T10:30+03:00", h(2), "2026-03-02T12:30+03:00", "inside"),
    ("msk", "2026-03-02T10:30:15.250000+03:00", m(1), "2026-03-02T10:31:15.250000+03:00", "keeps microseconds"),
    ("msk", "2026-03-02T17:00+03:00", h(1), "2026-03-02T18:00+03:00", "runs out at closing time"),
    ("msk", "2026-03-02T17:00+03:00", h(2), "2026-03-03T10:00+03:00", "spills into tomorrow"),
    ("msk", "2026-03-02T17:59+03:00", m(1), "2026-03-02T18:00+03:00", "last minute"),
    ("msk", "2026-03-02T18:00+03:00", h(1), "2026-03-03T10:00+03:00", "at closing time"),
    ("msk", "2026-03-02T20:00+03:00", h(4), "2026-03-03T13:00+03:00", "after hours"),
    ("msk", "2026-03-02T23:59:59+03:00", timedelta(seconds=1), "2026-03-03T09:00:01+03:00", "last second of day"),
    ("msk", "2026-03-02T09:00+03:00", h(9), "2026-03-02T18:00+03:00", "exactly a day"),
    ("msk", "2026-03-02T09:00+03:00", h(9) + m(1), "2026-03-03T09:01+03:00", "a day and a minute"),
    ("msk", "2026-03-04T14:00+03:00", h(24), "2026-03-09T11:00+03:00", "24 business hours from Wednesday"),
    ("msk", "2026-03-02T09:00+03:00", h(45), "2026-03-06T18:00+03:00", "a business week"),
    ("msk", "2026-03-02T09:00+03:00", h(46), "2026-03-09T10:00+03:00", "a week and an hour"),
    ("msk", "2026-03-06T17:00+03:00", h(2), "2026-03-09T10:00+03:00", "Friday evening to Monday"),
    ("msk", "2026-03-06T18:30+03:00", m(30), "2026-03-09T09:30+03:00", "Friday after hours"),
    ("msk", "2026-03-06T17:59+03:00", m(1), "2026-03-06T18:00+03:00", "Friday last minute"),
    ("msk", "2026-03-07T12:00+03:00", h(1), "2026-03-09T10:00+03:00", "Saturday"),
    ("msk", "2026-03-08T23:00+03:00", h(9), "2026-03-09T18:00+03:00", "Sunday night, whole Monday"),
    ("msk", "2026-03-08T23:00+03:00", h(9) + m(1), "2026-03-10T09:01+03:00", "Sunday night to Tuesday"),
    ("msk", "2026-03-02T10:00+03:00", timedelta(days=30), "2026-06-24T10:00+03:00", "30 days, two May holidays"),
    ("msk", "2026-12-31T17:00+03:00", h(2), "2027-01-11T10:00+03:00", "New Year break"),
    ("msk", "2027-01-02T12:00+03:00", h(1), "2027-01-11T10:00+03:00", "inside the break"),
    ("msk", "2027-01-05T10:00+03:00", h(9), "2027-01-11T18:00+03:00", "a holiday Tuesday"),
    ("msk", "2026-12-30T09:00+03:00", h(27), "2027-01-11T18:00+03:00", "three days across the break"),
    ("msk", "2026-12-30T09:00+03:00", h(27) + m(1), "2027-01-12T09:01+03:00", "and a minute"),
    ("msk", "2026-04-30T17:00+03:00", h(2), "2026-05-04T10:00+03:00", "May Day Friday"),
    ("msk", "2026-05-08T18:00+03:00", h(1), "2026-05-12T10:00+03:00", "weekend then Victory Day Monday"),
    ("msk", "2026-03-02T15:00+09:00", h(1), "2026-03-02T10:00+03:00", "start given in Tokyo"),
    ("msk", "2026-03-02T01:00-05:00", h(1), "2026-03-02T10:00+03:00", "start given in New York"),
    ("msk", "2026-03-02T06:00Z", h(3), "2026-03-02T12:00+03:00", "start given in UTC"),
    ("msk_lunch", "2026-03-02T12:00+03:00", h(1), "2026-03-02T13:00+03:00", "lunch: runs out at the break"),
    ("msk_lunch", "2026-03-02T12:00+03:00", h(2), "2026-03-02T15:00+03:00", "lunch: across the break"),
    ("msk_lunch", "2026-03-02T13:30+03:00", m(30), "2026-03-02T14:30+03:00", "lunch: starts in the break"),
    ("msk_lunch", "2026-03-02T13:00+03:00", m(1), "2026-03-02T14:01+03:00", "lunch: at the break"),
    ("msk_lunch", "2026-03-02T12:59+03:00", m(2), "2026-03-02T14:01+03:00", "lunch: a minute each side"),
    ("msk_lunch", "2026-03-02T09:00+03:00", h(8), "2026-03-02T18:00+03:00", "lunch: whole day is 8 h"),
    ("msk_lunch", "2026-03-02T17:30+03:00", h(1), "2026-03-03T09:30+03:00", "lunch: evening"),
    ("msk_lunch", "2026-03-06T12:00+03:00", h(6), "2026-03-09T10:00+03:00", "lunch: Friday to Monday"),
    ("msk_sat", "2026-03-06T17:00+03:00", h(2), "2026-03-07T11:00+03:00", "Saturday half-day"),
    ("msk_sat", "2026-03-06T17:00+03:00", h(5), "2026-03-07T14:00+03:00", "Saturday to its close"),
    ("msk_sat", "2026-03-06T17:00+03:00", h(6), "2026-03-09T10:00+03:00", "past Saturday to Monday"),
    ("msk_sat", "2026-03-07T09:00+03:00", h(1), "2026-03-07T11:00+03:00", "Saturday opens at 10"),
    ("msk_sat", "2026-03-07T13:00+03:00", h(2), "2026-03-09T10:00+03:00", "Saturday afternoon"),
    ("msk_sat", "2026-03-07T15:00+03:00", h(1), "2026-03-09T10:00+03:00", "after Saturday's close"),
    ("msk_sat", "2026-03-08T12:00+03:00", h(1), "2026-03-09T10:00+03:00", "Sunday closed"),
    ("msk_sat", "2026-03-02T09:00+03:00", h(49), "2026-03-07T14:00+03:00", "a full week of 49 h"),
    ("always", "2026-03-07T12:00Z", h(1), "2026-03-07T13:00Z", "24/7 an hour"),
    ("always", "2026-03-07T12:00Z", h(48), "2026-03-09T12:00Z", "24/7 through a weekend"),
    ("always", "2026-12-31T23:30Z", h(1), "2027-01-01T00:30Z", "24/7 through New Year"),
    ("always", "2026-03-07T12:00+03:00", h(1), "2026-03-07T10:00Z", "24/7 start given in Moscow"),
    ("always", "2026-03-07T12:00Z", timedelta(days=30), "2026-04-06T12:00Z", "24/7 thirty days"),
    ("always_berlin", "2026-03-28T12:00+01:00", h(24), "2026-03-29T13:00+02:00", "24/7 Berlin spring: 24 real h"),
    ("always_berlin", "2026-10-24T12:00+02:00", h(24), "2026-10-25T11:00+01:00", "24/7 Berlin autumn: 24 real h"),
    ("always_berlin", "2026-03-29T01:30+01:00", h(1), "2026-03-29T03:30+02:00", "24/7 Berlin over the gap"),
    ("always_berlin", "2026-10-25T02:30+02:00", h(1), "2026-10-25T02:30+01:00", "24/7 Berlin over the fold"),
    ("berlin_full", "2026-03-28T12:00+01:00", h(24), "2026-03-29T13:00+02:00", "whole days Berlin spring"),
    ("berlin_full", "2026-10-24T12:00+02:00", h(24), "2026-10-25T11:00+01:00", "whole days Berlin autumn"),
    ("berlin_full", "2026-03-29T01:30+01:00", h(1), "2026-03-29T03:30+02:00", "whole days over the gap"),
    ("berlin_full", "2026-10-25T02:30+02:00", h(1), "2026-10-25T02:30+01:00", "whole days over the fold"),
    ("berlin_full", "2026-03-29T00:00+01:00", h(23), "2026-03-30T00:00+02:00", "the 23-hour day"),
    ("berlin_full", "2026-10-25T00:00+02:00", h(25), "2026-10-26T00:00+01:00", "the 25-hour day"),
    ("ny_full", "2026-03-07T12:00-05:00", h(24), "2026-03-08T13:00-04:00", "whole days New York spring"),
    ("ny_full", "2026-10-31T12:00-04:00", h(24), "2026-11-01T11:00-05:00", "whole days New York autumn"),
    ("berlin", "2026-03-27T17:00+01:00", h(2), "2026-03-30T10:00+02:00", "Berlin office over spring weekend"),
    ("berlin", "2026-10-23T17:00+02:00", h(2), "2026-10-26T10:00+01:00", "Berlin office over autumn weekend"),
    ("berlin", "2026-03-23T09:00+01:00", h(54), "2026-03-30T18:00+02:00", "Berlin office six days over DST"),
    ("ny", "2026-03-06T16:00-05:00", h(2), "2026-03-09T09:30-04:00", "New York office over spring weekend"),
    ("ny", "2026-10-30T16:00-04:00", h(2), "2026-11-02T09:30-05:00", "New York office over autumn weekend"),
    ("ny", "2026-03-02T08:30-05:00", h(8.5), "2026-03-02T17:00-05:00", "New York office day is 8.5 h"),
    ("berlin_night", "2026-03-29T00:00+01:00", h(3), "2026-03-29T05:00+02:00", "night: spring day holds 3 h"),
    ("berlin_night", "2026-03-29T00:00+01:00", h(3) + m(1), "2026-03-30T01:01+02:00", "night: spring, a minute more"),
    ("berlin_night", "2026-03-29T01:30+01:00", h(1), "2026-03-29T03:30+02:00", "night: an hour over the gap"),
    ("berlin_night", "2026-03-28T04:00+01:00", h(2), "2026-03-29T03:00+02:00", "night: Saturday into the gap day"),
    ("berlin_night", "2026-03-28T00:00+01:00", h(4), "2026-03-28T05:00+01:00", "night: ordinary day holds 4 h"),
    ("berlin_night", "2026-10-25T00:00+02:00", h(5), "2026-10-25T05:00+01:00", "night: autumn day holds 5 h"),
    ("berlin_night", "2026-10-25T00:00+02:00", h(2), "2026-10-25T02:00+01:00", "night: into the repeated hour"),
    ("berlin_night", "2026-10-25T02:30+01:00", h(1), "2026-10-25T03:30+01:00", "night: from the second 02:30"),
    ("berlin_night", "2026-10-25T02:30+02:00", h(1), "2026-10-25T02:30+01:00", "night: from the first 02:30"),
    ("berlin_night", "2026-10-25T04:00+01:00", h(2), "2026-10-26T02:00+01:00", "night: autumn into Monday"),
    ("berlin_gap", "2026-03-29T00:00+01:00", h(1), "2026-03-29T04:00+02:00", "gap: 02:30 opens at 03:00"),
    ("berlin_gap", "2026-03-29T00:00+01:00", h(3), "2026-03-29T06:00+02:00", "gap: the day holds 3 h"),
    ("berlin_gap", "2026-03-29T00:00+01:00", h(3.5), "2026-03-30T03:00+02:00", "gap: next day 02:30 + 30 min"),
    ("berlin_gap", "2026-03-28T00:00+01:00", h(3.5), "2026-03-28T06:00+01:00", "gap: ordinary day 3.5 h"),
    ("berlin_gap", "2026-10-25T00:00+02:00", h(4.5), "2026-10-25T06:00+01:00", "fold: opens at the first 02:30"),
    ("berlin_gap", "2026-10-25T00:00+02:00", h(1), "2026-10-25T02:30+01:00", "fold: an hour on is the second 02:30"),
    ("berlin_fold_end", "2026-03-29T00:00+01:00", h(2), "2026-03-29T03:00+02:00", "gap end: closes at 03:00"),
    ("berlin_fold_end", "2026-03-29T00:00+01:00", h(2) + m(1), "2026-03-30T00:01+02:00", "gap end: next day"),
    ("berlin_fold_end", "2026-10-25T00:00+02:00", h(2.5), "2026-10-25T02:30+02:00", "fold end: first 02:30"),
    ("berlin_fold_end", "2026-10-25T00:00+02:00", h(2.5) + m(1), "2026-10-26T00:01+01:00", "fold end: next day"),
    ("berlin_fold_end", "2026-10-25T02:15+01:00", m(1), "2026-10-26T00:01+01:00", "fold end: second 02:15 is closed"),
    ("berlin_in_gap", "2026-03-28T02:30+01:00", m(30), "2026-03-30T02:30+02:00", "in gap: spring day skipped"),
    ("berlin_in_gap", "2026-10-25T00:00+02:00", m(30), "2026-10-25T02:45+02:00", "in gap: first 02:15–02:45"),
    ("ny_night", "2026-03-08T00:00-05:00", h(3), "2026-03-08T04:00-04:00", "NY night: spring day holds 3 h"),
    ("ny_night", "2026-03-08T01:30-05:00", h(1), "2026-03-08T03:30-04:00", "NY night: over the gap"),
    ("ny_night", "2026-03-08T00:00-05:00", h(3) + m(1), "2026-03-09T00:01-04:00", "NY night: spring, a minute more"),
    ("ny_night", "2026-11-01T00:00-04:00", h(5), "2026-11-01T04:00-05:00", "NY night: autumn day holds 5 h"),
    ("ny_night", "2026-11-01T00:30-04:00", h(1), "2026-11-01T01:30-04:00", "NY night: to the first 01:30"),
    ("ny_night", "2026-11-01T01:30-04:00", h(1), "2026-11-01T01:30-05:00", "NY night: to the second 01:30"),
    ("ny_night", "2026-11-01T01:30-05:00", h(2), "2026-11-01T03:30-05:00", "NY night: from the second 01:30"),
]


@pytest.mark.parametrize(("cal", "start", "duration", "expected"), rows(ADD_ROWS))
def test_add_business_time(cal: str, start: str, duration: timedelta, expected: str) -> None:
    due = add_business_time(at(start), duration, CALENDARS[cal])
    assert due == at(expected)
    assert due.tzinfo is UTC
    assert business_time_between(at(start), due, CALENDARS[cal]) == duration


BETWEEN_ROWS: list[tuple[object, ...]] = [
    ("msk", "2026-03-02T09:00+03:00", "2026-03-02T18:00+03:00", h(9), "a working day"),
    ("msk", "2026-03-02T08:00+03:00", "2026-03-02T10:00+03:00", h(1), "from before opening"),
    ("msk", "2026-03-02T17:00+03:00", "2026-03-03T10:00+03:00", h(2), "overnight"),
    ("msk", "2026-03-06T17:00+03:00", "2026-03-09T10:00+03:00", h(2), "over the weekend"),
    ("msk", "2026-03-07T10:00+03:00", "2026-03-08T20:00+03:00", h(0), "weekend only"),
    ("msk", "2026-03-02T09:00+03:00", "2026-03-09T09:00+03:00", h(45), "a week"),
    ("msk", "2026-03-02T10:00+03:00", "2026-03-02T10:00+03:00", h(0), "empty"),
    ("msk", "2026-03-02T12:00+03:00", "2026-03-02T10:00+03:00", h(0), "reversed"),
    ("msk", "2026-12-31T09:00+03:00", "2027-01-12T09:00+03:00", h(18), "across the New Year break"),
    ("msk", "2027-01-01T00:00+03:00", "2027-01-09T00:00+03:00", h(0), "inside the break"),
    ("msk", "2026-03-02T10:00:00.000001+03:00", "2026-03-02T10:00:00.000003+03:00", timedelta(microseconds=2), "µs"),
    ("msk", "2026-03-02T06:00Z", "2026-03-02T17:00+03:00", h(8), "mixed zones"),
    ("msk_lunch", "2026-03-02T09:00+03:00", "2026-03-02T18:00+03:00", h(8), "lunch: a day"),
    ("msk_lunch", "2026-03-02T12:30+03:00", "2026-03-02T14:30+03:00", h(1), "lunch: around the break"),
    ("msk_lunch", "2026-03-02T13:00+03:00", "2026-03-02T14:00+03:00", h(0), "lunch: the break"),
    ("msk_sat", "2026-03-06T09:00+03:00", "2026-03-09T09:00+03:00", h(13), "Friday and Saturday"),
    ("always", "2026-03-02T00:00Z", "2026-03-09T00:00Z", h(168), "24/7 week"),
    ("always_berlin", "2026-03-29T00:00+01:00", "2026-03-30T00:00+02:00", h(23), "24/7 spring day"),
    ("always_berlin", "2026-10-25T00:00+02:00", "2026-10-26T00:00+01:00", h(25), "24/7 autumn day"),
    ("berlin_full", "2026-03-29T00:00+01:00", "2026-03-30T00:00+02:00", h(23), "whole days spring"),
    ("berlin_full", "2026-10-25T00:00+02:00", "2026-10-26T00:00+01:00", h(25), "whole days autumn"),
    ("berlin_night", "2026-03-28T00:00+01:00", "2026-03-29T00:00+01:00", h(4), "night: ordinary day"),
    ("berlin_night", "2026-03-29T00:00+01:00", "2026-03-30T00:00+02:00", h(3), "night: spring day"),
    ("berlin_night", "2026-10-25T00:00+02:00", "2026-10-26T00:00+01:00", h(5), "night: autumn day"),
    ("berlin_night", "2026-10-25T02:00+02:00", "2026-10-25T02:00+01:00", h(1), "night: the repeated hour"),
    ("berlin_gap", "2026-03-29T00:00+01:00", "2026-03-30T00:00+02:00", h(3), "gap: spring day"),
    ("berlin_gap", "2026-10-25T00:00+02:00", "2026-10-26T00:00+01:00", h(4.5), "gap: autumn day"),
    ("berlin_fold_end", "2026-03-29T00:00+01:00", "2026-03-30T00:00+02:00", h(2), "fold end: spring day"),
    ("berlin_fold_end", "2026-10-25T00:00+02:00", "2026-10-26T00:00+01:00", h(2.5), "fold end: autumn day"),
    ("berlin_in_gap", "2026-03-29T00:00+01:00", "2026-03-30T00:00+02:00", h(0), "in gap: spring day"),
    ("berlin_in_gap", "2026-10-25T00:00+02:00", "2026-10-26T00:00+01:00", m(30), "in gap: autumn day"),
    ("ny_night", "2026-03-08T00:00-05:00", "2026-03-09T00:00-04:00", h(3), "NY night: spring day"),
    ("ny_night", "2026-11-01T00:00-04:00", "2026-11-02T00:00-05:00", h(5), "NY night: autumn day"),
    ("ny", "2026-03-06T17:00-05:00", "2026-03-09T08:30-04:00", h(0), "NY office: the DST weekend"),
    ("ny", "2026-03-02T00:00-05:00", "2026-03-09T00:00-04:00", h(42.5), "NY office: a week"),
    ("berlin", "2026-10-19T00:00+02:00", "2026-10-26T00:00+01:00", h(45), "Berlin office: a week over DST"),
]


@pytest.mark.parametrize(("cal", "start", "end", "expected"), rows(BETWEEN_ROWS))
def test_business_time_between(cal: str, start: str, end: str, expected: timedelta) -> None:
    assert business_time_between(at(start), at(end), CALENDARS[cal]) == expected


NEXT_OPEN_ROWS: list[tuple[object, ...]] = [
    ("msk", "2026-03-02T08:00+03:00", "2026-03-02T09:00+03:00", "before opening"),
    ("msk", "2026-03-02T09:00+03:00", "2026-03-02T09:00+03:00", "at opening"),
    ("msk", "2026-03-02T12:34:56.789000+03:00", "2026-03-02T12:34:56.789000+03:00", "open: itself"),
    ("msk", "2026-03-02T18:00+03:00", "2026-03-03T09:00+03:00", "at closing"),
    ("msk", "2026-03-06T19:00+03:00", "2026-03-09T09:00+03:00", "Friday evening"),
    ("msk", "2026-03-07T12:00+03:00", "2026-03-09T09:00+03:00", "Saturday"),
    ("msk", "2026-12-31T18:00+03:00", "2027-01-11T09:00+03:00", "New Year break"),
    ("msk", "2026-03-02T12:00+09:00", "2026-03-02T09:00+03:00", "given in Tokyo"),
    ("msk_lunch", "2026-03-02T13:00+03:00", "2026-03-02T14:00+03:00", "lunch starts"),
    ("msk_lunch", "2026-03-02T13:59:59+03:00", "2026-03-02T14:00+03:00", "lunch ends"),
    ("msk_sat", "2026-03-06T18:00+03:00", "2026-03-07T10:00+03:00", "to Saturday"),
    ("msk_sat", "2026-03-07T14:00+03:00", "2026-03-09T09:00+03:00", "after Saturday"),
    ("always", "2026-03-07T03:21+03:00", "2026-03-07T00:21Z", "24/7"),
    ("berlin_gap", "2026-03-29T00:00+01:00", "2026-03-29T03:00+02:00", "gap: moves forward"),
    ("berlin_gap", "2026-10-25T00:00+02:00", "2026-10-25T02:30+02:00", "fold: first 02:30"),
    ("berlin_gap", "2026-10-25T02:45+01:00", "2026-10-25T02:45+01:00", "fold: second 02:45 is open"),
    ("berlin_fold_end", "2026-10-25T02:15+01:00", "2026-10-26T00:00+01:00", "fold end: second 02:15 closed"),
    ("berlin_night", "2026-03-28T05:00+01:00", "2026-03-29T01:00+01:00", "night: to the spring day"),
    ("berlin_in_gap", "2026-03-28T03:00+01:00", "2026-03-30T02:15+02:00", "in gap: skips the spring day"),
    ("ny", "2026-03-06T17:00-05:00", "2026-03-09T08:30-04:00", "NY office over spring weekend"),
]


@pytest.mark.parametrize(("cal", "moment", "expected"), rows(NEXT_OPEN_ROWS))
def test_next_open(cal: str, moment: str, expected: str) -> None:
    opening = next_open(at(moment), CALENDARS[cal])
    assert opening == at(expected)
    assert opening.tzinfo is UTC


IS_OPEN_ROWS: list[tuple[object, ...]] = [
    ("msk", "2026-03-02T09:00+03:00", True, "at opening"),
    ("msk", "2026-03-02T08:59:59.999999+03:00", False, "just before opening"),
    ("msk", "2026-03-02T17:59:59.999999+03:00", True, "just before closing"),
    ("msk", "2026-03-02T18:00+03:00", False, "at closing"),
    ("msk", "2026-03-02T06:00Z", True, "given in UTC"),
    ("msk", "2026-03-07T12:00+03:00", False, "Saturday"),
    ("msk", "2027-01-05T12:00+03:00", False, "New Year break"),
    ("msk", "2026-05-01T12:00+03:00", False, "May Day"),
    ("msk", "2027-01-11T12:00+03:00", True, "after the break"),
    ("msk_lunch", "2026-03-02T12:59+03:00", True, "before lunch"),
    ("msk_lunch", "2026-03-02T13:00+03:00", False, "lunch"),
    ("msk_lunch", "2026-03-02T14:00+03:00", True, "after lunch"),
    ("msk_sat", "2026-03-07T10:00+03:00", True, "Saturday morning"),
    ("msk_sat", "2026-03-07T14:00+03:00", False, "Saturday closed"),
    ("msk_sat", "2026-03-08T12:00+03:00", False, "Sunday"),
    ("always", "2026-03-08T03:00+03:00", True, "24/7"),
    ("berlin_full", "2026-03-29T03:00+02:00", True, "whole days at the gap"),
    ("berlin_night", "2026-03-29T03:30+02:00", True, "night after the gap"),
    ("berlin_night", "2026-03-29T05:00+02:00", False, "night closes at 05:00 CEST"),
    ("berlin_night", "2026-10-25T02:15+01:00", True, "night in the second 02:15"),
    ("berlin_gap", "2026-03-29T03:00+02:00", True, "gap: opens at the transition"),
    ("berlin_gap", "2026-03-29T01:59:59+01:00", False, "gap: closed before it"),
    ("berlin_gap", "2026-10-25T02:15+02:00", False, "fold: first 02:15 before opening"),
    ("berlin_gap", "2026-10-25T02:15+01:00", True, "fold: second 02:15 after opening"),
    ("berlin_fold_end", "2026-10-25T02:15+02:00", True, "fold end: first 02:15 open"),
    ("berlin_fold_end", "2026-10-25T02:15+01:00", False, "fold end: second 02:15 closed"),
    ("berlin_fold_end", "2026-03-29T01:59:59+01:00", True, "fold end: open up to the gap"),
    ("berlin_fold_end", "2026-03-29T03:00+02:00", False, "fold end: closed after the gap"),
]


@pytest.mark.parametrize(("cal", "moment", "expected"), rows(IS_OPEN_ROWS))
def test_is_open(cal: str, moment: str, expected: bool) -> None:
    assert is_open(at(moment), CALENDARS[cal]) is expected


FRACTION_ROWS: list[tuple[object, ...]] = [
    ("msk", "2026-03-02T09:00+03:00", h(8), 0.8, "2026-03-02T15:24+03:00", "80% of a day"),
    ("msk", "2026-03-06T17:00+03:00", h(10), 0.8, "2026-03-09T16:00+03:00", "80% over the weekend"),
    ("msk", "2026-03-07T12:00+03:00", h(10), 0.0, "2026-03-07T12:00+03:00", "0% is the start itself"),
    ("msk", "2026-03-06T17:00+03:00", h(10), 1.0, "2026-03-09T18:00+03:00", "100% is the due time"),
    ("msk", "2026-03-02T09:00+03:00", h(4), 1.5, "2026-03-02T15:00+03:00", "150% for escalation"),
    ("always_berlin", "2026-03-29T00:00+01:00", h(10), 0.5, "2026-03-29T06:00+02:00", "24/7 over the gap"),
]


@pytest.mark.parametrize(("cal", "start", "duration", "fraction", "expected"), rows(FRACTION_ROWS))
def test_fraction_point(cal: str, start: str, duration: timedelta, fraction: float, expected: str) -> None:
    assert fraction_point(at(start), duration, fraction, CALENDARS[cal]) == at(expected)


@pytest.mark.parametrize("cal", sorted(CALENDARS))
def test_zero_duration_is_due_at_once(cal: str) -> None:
    saturday = at("2026-03-07T12:00+03:00")
    due = add_business_time(saturday, timedelta(0), CALENDARS[cal])
    assert due == saturday
    assert due.tzinfo is UTC


def test_zone_aware_inputs_with_zoneinfo() -> None:
    tokyo = datetime(2026, 3, 2, 15, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    due = add_business_time(tokyo, h(1), CALENDARS["msk"])
    assert due == datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    assert due.tzinfo is UTC
    assert next_open(tokyo, CALENDARS["msk"]).tzinfo is UTC


def test_calendar_from_lists_equals_office() -> None:
    hours = [[(time(9), time(18))] for _ in range(5)] + [[], []]
    from_lists = BusinessCalendar("Europe/Moscow", hours=hours, holidays=set(MSK_HOLIDAYS))  # type: ignore[arg-type]  # JSON shape on purpose
    assert from_lists == CALENDARS["msk"]
    assert hash(from_lists) == hash(CALENDARS["msk"])


def test_office_with_own_hours_and_weekdays() -> None:
    cal = BusinessCalendar.office("Asia/Yekaterinburg", start=time(8), end=time(20), weekdays=[5, 6])
    assert cal.hours[0] == ()
    assert cal.hours[5] == ((time(8), time(20)),)
    assert next_open(at("2026-03-02T12:00+05:00"), cal) == at("2026-03-07T08:00+05:00")


def test_evening_shift_to_midnight() -> None:
    cal = BusinessCalendar("Europe/Moscow", hours=every_day((time(20), MIDNIGHT)))
    assert add_business_time(at("2026-03-02T23:00+03:00"), h(2), cal) == at("2026-03-03T21:00+03:00")
    assert is_open(at("2026-03-02T23:59:59+03:00"), cal)
    assert not is_open(at("2026-03-03T00:00+03:00"), cal)


BAD_CALENDARS: list[tuple[object, ...]] = [
    ({"timezone": "Mars/Olympus", "hours": every_day()}, "unknown time zone", "unknown zone"),
    ({"timezone": "", "hours": every_day()}, "unknown time zone", "empty zone"),
    ({"timezone": "../etc/passwd", "hours": every_day()}, "unknown time zone", "path as zone"),
    ({"timezone": "UTC", "hours": every_day()[:6]}, "7 entries", "six days"),
    ({"timezone": "UTC", "hours": every_day((time(18), time(9)))}, "start before it ends", "reversed"),
    ({"timezone": "UTC", "hours": every_day((time(9), time(9)))}, "start before it ends", "empty interval"),
    ({"timezone": "UTC", "hours": every_day((time(12), time(18)), (time(9), time(13)))}, "sorted", "unsorted"),
    ({"timezone": "UTC", "hours": every_day((time(9), time(13)), (time(12), time(18)))}, "overlap", "overlapping"),
    ({"timezone": "UTC", "hours": every_day((time(9), MIDNIGHT), (time(22), time(23)))}, "overlap", "after midnight"),
    ({"timezone": "UTC", "hours": every_day((time(9, tzinfo=UTC), time(18)))}, "naive local", "aware time"),
    ({"timezone": "UTC", "hours": every_day(("09:00", "18:00"))}, "datetime.time", "strings"),  # type: ignore[arg-type]
    ({"timezone": "UTC", "hours": [[time(9)]] * 7}, "7 sequences", "not pairs"),
    ({"timezone": "UTC", "hours": every_day(), "holidays": {datetime(2027, 1, 1, tzinfo=UTC)}}, "dates", "datetime"),
    ({"timezone": "UTC", "hours": every_day(), "always_open": True}, "always-open", "24/7 with no hours"),
    (
        {
            "timezone": "UTC",
            "hours": every_day((MIDNIGHT, MIDNIGHT)),
            "always_open": True,
            "holidays": {date(2027, 1, 1)},
        },
        "always-open",
        "24/7 with holidays",
    ),
]


@pytest.mark.parametrize(("kwargs", "message"), rows(BAD_CALENDARS))
def test_bad_calendar_is_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(**kwargs)  # type: ignore[arg-type]  # shapes are wrong on purpose


def test_office_refuses_weekday_seven() -> None:
    with pytest.raises(ValueError, match="weekdays"):
        BusinessCalendar.office("UTC", weekdays=[7])


NAIVE = datetime(2026, 3, 2, 12, 0)
AWARE = at("2026-03-02T12:00Z")


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda cal: is_open(NAIVE, cal), id="is_open"),
        pytest.param(lambda cal: next_open(NAIVE, cal), id="next_open"),
        pytest.param(lambda cal: add_business_time(NAIVE, h(1), cal), id="add"),
        pytest.param(lambda cal: add_business_time(NAIVE, h(0), cal), id="add zero"),
        pytest.param(lambda cal: business_time_between(NAIVE, AWARE, cal), id="between start"),
        pytest.param(lambda cal: business_time_between(AWARE, NAIVE, cal), id="between end"),
        pytest.param(lambda cal: fraction_point(NAIVE, h(1), 0.8, cal), id="fraction"),
    ],
)
@pytest.mark.parametrize("cal", ["msk", "always"])
def test_naive_datetimes_are_refused(call: Callable[[BusinessCalendar], object], cal: str) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        call(CALENDARS[cal])


@pytest.mark.parametrize("cal", ["msk", "always"])
def test_negative_duration_is_refused(cal: str) -> None:
    with pytest.raises(ValueError, match="negative"):
        add_business_time(AWARE, h(-1), CALENDARS[cal])


@pytest.mark.parametrize("fraction", [-0.1, float("nan"), float("inf")])
def test_bad_fraction_is_refused(fraction: float) -> None:
    with pytest.raises(ValueError, match="fraction"):
        fraction_point(AWARE, h(1), fraction, CALENDARS["msk"])


NEVER = BusinessCalendar("Europe/Moscow", hours=every_day())


def test_never_open_calendar() -> None:
    with pytest.raises(ValueError, match="never open"):
        next_open(AWARE, NEVER)
    with pytest.raises(ValueError, match="never open"):
        add_business_time(AWARE, h(1), NEVER)
    assert business_time_between(AWARE, AWARE + timedelta(days=3650), NEVER) == timedelta(0)
    assert not is_open(AWARE, NEVER)


def test_search_gives_up_after_years_of_holidays() -> None:
    first = date(2026, 3, 2)
    closed = [first + timedelta(days=i) for i in range(MAX_CLOSED_DAYS + 10)]
    cal = BusinessCalendar.office("Europe/Moscow", holidays=closed)
    with pytest.raises(ValueError, match="closed for more than"):
        next_open(AWARE, cal)
    # The span is still measurable when its end is given: nothing is open in it.
    assert business_time_between(AWARE, AWARE + timedelta(days=MAX_CLOSED_DAYS + 5), cal) == timedelta(0)


def test_search_finds_opening_after_two_years_closed() -> None:
    first = date(2026, 3, 2)
    cal = BusinessCalendar.office("Europe/Moscow", holidays=[first + timedelta(days=i) for i in range(730)])
    assert next_open(AWARE, cal) == at("2028-03-01T09:00+03:00")


def test_answer_past_the_end_of_time() -> None:
    late = datetime(9999, 12, 30, tzinfo=UTC)
    with pytest.raises(ValueError, match="range of datetime"):
        add_business_time(late, timedelta(days=5), CALENDARS["msk"])
    with pytest.raises(ValueError, match="range of datetime"):
        add_business_time(late, timedelta(days=5), CALENDARS["always"])


# --- properties -----------------------------------------------------------------------------------

ZONES = [
    UTC,
    ZoneInfo("Europe/Moscow"),
    ZoneInfo("Europe/Berlin"),
    ZoneInfo("America/New_York"),
    ZoneInfo("Asia/Tokyo"),
]

instants = st.builds(
    lambda moment, zone: moment.astimezone(zone),
    st.datetimes(min_value=datetime(2025, 12, 1), max_value=datetime(2028, 1, 31), timezones=st.just(UTC)),
    st.sampled_from(ZONES),
)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40))
calendars = st.sampled_from(sorted(CALENDARS))
PROPERTY = settings(max_examples=100, deadline=None)


def in_utc(moment: datetime) -> datetime:
    """Order and subtract in UTC: within one ZoneInfo, Python compares wall clocks and ignores fold."""
    return moment.astimezone(UTC)


@PROPERTY
@given(cal=calendars, start=instants, duration=durations)
def test_between_undoes_add(cal: str, start: datetime, duration: timedelta) -> None:
    due = add_business_time(start, duration, CALENDARS[cal])
    assert due >= start
    assert business_time_between(start, due, CALENDARS[cal]) == duration


@PROPERTY
@given(cal=calendars, start=instants, first=durations, second=durations)
def test_longer_targets_are_due_no_sooner(cal: str, start: datetime, first: timedelta, second: timedelta) -> None:
    shorter, longer = sorted([first, second])
    assert add_business_time(start, shorter, CALENDARS[cal]) <= add_business_time(start, longer, CALENDARS[cal])


@PROPERTY
@given(cal=calendars, first=instants, second=instants, duration=durations)
def test_later_starts_are_due_no_sooner(cal: str, first: datetime, second: datetime, duration: timedelta) -> None:
    early, late = sorted([first, second], key=in_utc)
    assert add_business_time(early, duration, CALENDARS[cal]) <= add_business_time(late, duration, CALENDARS[cal])


@PROPERTY
@given(cal=calendars, start=instants, duration=durations.filter(lambda d: d > timedelta(0)))
def test_due_time_is_open_or_closing_time(cal: str, start: datetime, duration: timedelta) -> None:
    calendar = CALENDARS[cal]
    due = add_business_time(start, duration, calendar)
    tick = timedelta(microseconds=1)
    assert is_open(due - tick, calendar)
    assert due > next_open(start, calendar)


@PROPERTY
@given(cal=calendars, moment=instants)
def test_next_open_is_open_and_nothing_before_it(cal: str, moment: datetime) -> None:
    calendar = CALENDARS[cal]
    opening = next_open(moment, calendar)
    assert opening >= moment
    assert is_open(opening, calendar)
    assert business_time_between(moment, opening, calendar) == timedelta(0)
    assert (opening == moment) is is_open(moment, calendar)


@PROPERTY
@given(cal=calendars, points=st.lists(instants, min_size=3, max_size=3))
def test_between_adds_up(cal: str, points: list[datetime]) -> None:
    a, b, c = sorted(points, key=in_utc)
    calendar = CALENDARS[cal]
    total = business_time_between(a, c, calendar)
    assert total == business_time_between(a, b, calendar) + business_time_between(b, c, calendar)
    assert timedelta(0) <= total <= in_utc(c) - in_utc(a)


@PROPERTY
@given(start=instants, duration=durations)
def test_always_open_fast_path_agrees_with_whole_days(start: datetime, duration: timedelta) -> None:
    fast, general = CALENDARS["always_berlin"], CALENDARS["berlin_full"]
    assert add_business_time(start, duration, fast) == add_business_time(start, duration, general)
    # Aware arithmetic within one ZoneInfo is wall-clock arithmetic, so add in UTC.
    assert add_business_time(start, duration, fast) == start.astimezone(UTC) + duration


# --- a brute-force oracle: walk quarter-hours and read the local wall clock ----------------------------
# Only for calendars whose boundaries lie on quarter hours outside any DST gap or fold: there "open"
# simply means "the local wall clock shows a working time on a working date", with no choice to make.

ORACLE_CALENDARS = ["msk", "msk_lunch", "msk_sat", "berlin", "ny", "berlin_night", "ny_night", "berlin_full"]
QUARTER = timedelta(minutes=15)


def wall_clock_open(moment: datetime, cal: BusinessCalendar) -> bool:
    local = moment.astimezone(cal.zone)
    if local.date() in cal.holidays:
        return False
    clock = local.time().replace(tzinfo=None, fold=0)
    return any(start <= clock and (end == MIDNIGHT or clock < end) for start, end in cal.hours[local.weekday()])


def oracle_add(start: datetime, duration: timedelta, cal: BusinessCalendar) -> datetime:
    # Step in UTC: a quarter hour added within one ZoneInfo would be a wall-clock quarter.
    slot, remaining = start.astimezone(UTC), duration
    while True:
        if wall_clock_open(slot, cal):
            remaining -= QUARTER
            if remaining <= timedelta(0):
                return slot + QUARTER
        slot += QUARTER


quarter_instants = st.builds(
    lambda quarters, zone: (datetime(2026, 1, 1, tzinfo=UTC) + quarters * QUARTER).astimezone(zone),
    st.integers(min_value=0, max_value=2 * 365 * 96),
    st.sampled_from(ZONES),
)


@settings(max_examples=200, deadline=None)
@given(cal=st.sampled_from(ORACLE_CALENDARS), start=quarter_instants, quarters=st.integers(1, 4 * 24 * 3))
def test_add_matches_wall_clock_oracle(cal: str, start: datetime, quarters: int) -> None:
    calendar = CALENDARS[cal]
    assert add_business_time(start, quarters * QUARTER, calendar) == oracle_add(start, quarters * QUARTER, calendar)


@settings(max_examples=200, deadline=None)
@given(cal=st.sampled_from(ORACLE_CALENDARS), moment=instants)
def test_is_open_matches_wall_clock_oracle(cal: str, moment: datetime) -> None:
    assert is_open(moment, CALENDARS[cal]) is wall_clock_open(moment, CALENDARS[cal])
