"""Business-hours math for SLA targets: when a calendar is open and when N hours of open time run out.

Pure: every instant comes in as a timezone-aware argument and goes out as a UTC-aware value.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "MAX_CLOSED_DAYS",
    "MIDNIGHT",
    "BusinessCalendar",
    "add_business_time",
    "business_time_between",
    "fraction_point",
    "is_open",
    "next_open",
]

#: How many consecutive closed local days a search walks before it calls the calendar never open.
MAX_CLOSED_DAYS = 3 * 366

#: As an interval's end: the midnight that closes the day.
MIDNIGHT = time(0, 0)
_NINE = time(9, 0)
_EIGHTEEN = time(18, 0)
_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)
_ZERO = timedelta(0)

Interval = tuple[time, time]
Span = tuple[datetime, datetime]


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"unknown time zone {name!r}: expected an IANA name such as 'Europe/Moscow'") from None


def _end_offset(end: time) -> timedelta:
    """An interval ending at 00:00 ends at the following midnight, so the day's last hour can be worked."""
    if end == MIDNIGHT:
        return _DAY
    return timedelta(hours=end.hour, minutes=end.minute, seconds=end.second, microseconds=end.microsecond)


def _start_offset(start: time) -> timedelta:
    return timedelta(hours=start.hour, minutes=start.minute, seconds=start.second, microseconds=start.microsecond)


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """When the desk works: intervals of local wall time per weekday, closed dates and a time zone.

    ``hours`` holds seven entries, Monday first; each is a tuple of ``(start, end)`` intervals, sorted
    and not overlapping, with ``end == time(0)`` meaning midnight at the end of the day (so
    ``(time(0), time(0))`` is the whole day). ``holidays`` are local dates closed all day.
    ``always_open`` is the 24/7 fast path: it must not contradict ``hours`` or ``holidays``.
    """

    timezone: str
    hours: tuple[tuple[Interval, ...], ...]
    holidays: frozenset[date] = field(default_factory=frozenset)
    always_open: bool = False

    def __post_init__(self) -> None:
        # Configuration may arrive as lists; freezing it here keeps the calendar hashable and equal by value.
        try:
            hours = tuple(tuple((start, end) for start, end in day) for day in self.hours)
        except (TypeError, ValueError):
            raise ValueError("hours must be 7 sequences of (start, end) pairs, Monday first") from None
        object.__setattr__(self, "hours", hours)
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        _zone(self.timezone)
        if len(self.hours) != 7:
            raise ValueError(f"hours needs 7 entries, Monday to Sunday, got {len(self.hours)}")
        for weekday, day in enumerate(self.hours):
            _check_day(weekday, day)
        for holiday in self.holidays:
            if isinstance(holiday, datetime) or not isinstance(holiday, date):
                raise ValueError(f"holidays are local dates, got {holiday!r}")
        if self.always_open and (self.holidays or self.hours != _FULL_WEEK):
            raise ValueError("an always-open calendar has no holidays and is open all day every day")

    @classmethod
    def always(cls, timezone: str = "UTC") -> BusinessCalendar:
        """24/7: the default for urgent tickets, where every real minute counts."""
        return cls(timezone=timezone, hours=_FULL_WEEK, always_open=True)

    @classmethod
    def office(
        cls,
        timezone: str,
        start: time = _NINE,
        end: time = _EIGHTEEN,
        weekdays: Iterable[int] = range(5),
        holidays: Iterable[date] = (),
    ) -> BusinessCalendar:
        """One interval on the given weekdays (0 = Monday), closed on the other days and on holidays."""
        days = set(weekdays)
        if not days <= set(range(7)):
            raise ValueError(f"weekdays are 0 (Monday) to 6 (Sunday), got {sorted(days)}")
        hours = tuple(((start, end),) if weekday in days else () for weekday in range(7))
        return cls(timezone=timezone, hours=hours, holidays=frozenset(holidays))

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.timezone)


_FULL_WEEK: tuple[tuple[Interval, ...], ...] = tuple(((MIDNIGHT, MIDNIGHT),) for _ in range(7))


def _check_day(weekday: int, day: tuple[Interval, ...]) -> None:
    previous_end = _ZERO
    for start, end in day:
        if not isinstance(start, time) or not isinstance(end, time):
            raise ValueError(f"day {weekday}: intervals are pairs of datetime.time, got {(start, end)!r}")
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError(f"day {weekday}: working hours are naive local times; the zone is the calendar's")
        begin, finish = _start_offset(start), _end_offset(end)
        if begin >= finish:
            raise ValueError(f"day {weekday}: interval {start}–{end} must start before it ends")
        if begin < previous_end:
            raise ValueError(f"day {weekday}: intervals must be sorted and must not overlap at {start}")
        previous_end = finish


def _require_aware(moment: datetime, name: str) -> datetime:
    """The moment as a naive UTC datetime: the working form inside this module, since naive arithmetic is cheap."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {moment!r}")
    return moment.astimezone(UTC).replace(tzinfo=None)


def _aware(instant: datetime) -> datetime:
    return instant.replace(tzinfo=UTC)


def _to_utc(wall: datetime, wall_fold: datetime, zone: ZoneInfo) -> datetime:
    """The naive UTC instant of a local wall time, given as its fold=0 and fold=1 readings.

    A wall time in a fold (clocks turned back) means its first occurrence: fold=0, as Python does.
    A wall time in a gap (clocks turned forward) never happens, so it moves forward to the first
    instant after the gap, the moment of the transition: an interval starting at 02:30 on a day
    that skips 02:00–03:00 starts at 03:00, and one lying wholly inside the gap is empty.
    """
    # ZoneInfo reads only the wall fields and fold of its argument, so naive datetimes serve
    # and spare the costly replace(tzinfo=...).
    before = zone.utcoffset(wall)
    after = zone.utcoffset(wall_fold)
    assert before is not None
    assert after is not None
    if before >= after:
        return wall - before
    # In a gap the transition lies in (wall - after, wall - before]; zoneinfo does not expose
    # transition instants, so bisect to the microsecond. Gaps come about twice a year.
    low, high = wall - after, wall - before
    while high - low > _TICK:
        middle = low + (high - low) // 2
        if _aware(middle).astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    return high


Boundary = tuple[time, time, bool]


@dataclass(frozen=True, slots=True)
class _Plan:
    """The calendar's boundaries as fold=0 and fold=1 times, prepared once per calendar, not once per day."""

    days: tuple[tuple[tuple[Boundary, Boundary], ...], ...]
    holidays: frozenset[date]
    zone: ZoneInfo


def _boundary(moment: time, next_day: bool) -> Boundary:
    plain = moment.replace(fold=0)
    return plain, plain.replace(fold=1), next_day


@lru_cache(maxsize=256)
def _plan(cal: BusinessCalendar) -> _Plan:
    # Calendars are frozen and hash cheaply; the cache spares a sweeper re-preparing the same few.
    days = tuple(
        tuple((_boundary(start, False), _boundary(end, end == MIDNIGHT)) for start, end in day) for day in cal.hours
    )
    return _Plan(days=days, holidays=cal.holidays, zone=cal.zone)


def _day_spans(day: date, plan: _Plan) -> list[Span]:
    """The open spans of one local date in naive UTC; a whole day costs a handful of conversions."""
    if day in plan.holidays:
        return []
    spans = []
    following = day + _DAY
    combine, zone = datetime.combine, plan.zone
    for (start, start_fold, _), (end, end_fold, next_day) in plan.days[day.weekday()]:
        opens = _to_utc(combine(day, start), combine(day, start_fold), zone)
        on = following if next_day else day
        closes = _to_utc(combine(on, end), combine(on, end_fold), zone)
        if opens < closes:
            spans.append((opens, closes))
    return spans


def _spans_from(moment: datetime, cal: BusinessCalendar, until: datetime | None = None) -> Iterator[Span]:
    """Open spans in time order (naive UTC), clipped to start at ``moment`` (naive UTC).

    Without ``until`` the walk goes on while the calendar keeps opening, and gives up with
    ValueError after ``MAX_CLOSED_DAYS`` closed days in a row so that a never-open calendar cannot
    hang a sweeper. With ``until`` it stops after the local date of ``until``.
    """
    plan = _plan(cal)
    if not any(plan.days):
        if until is None:
            raise ValueError("the calendar has no working hours on any day, so it is never open")
        return
    day = _aware(moment).astimezone(plan.zone).date()
    last_day = _aware(until).astimezone(plan.zone).date() if until is not None else None
    closed_run = 0
    try:
        while last_day is None or day <= last_day:
            spans = _day_spans(day, plan)
            if spans:
                closed_run = 0
            else:
                closed_run += 1
                if last_day is None and closed_run > MAX_CLOSED_DAYS:
                    raise ValueError(f"the calendar is closed for more than {MAX_CLOSED_DAYS} days in a row")
            for opens, closes in spans:
                if closes > moment:
                    yield max(opens, moment), closes
            day += _DAY
    except OverflowError:
        raise ValueError("the answer lies beyond the range of datetime") from None


def is_open(moment: datetime, cal: BusinessCalendar) -> bool:
    """Whether the desk works at ``moment``; spans are half-open, so closing time itself is closed."""
    instant = _require_aware(moment, "moment")
    if cal.always_open:
        return True
    day = _aware(instant).astimezone(cal.zone).date()
    return any(opens <= instant < closes for opens, closes in _day_spans(day, _plan(cal)))


def next_open(moment: datetime, cal: BusinessCalendar) -> datetime:
    """``moment`` (in UTC) when open, else the next opening: where an SLA clock starts counting.

    Raises ValueError for a calendar that does not open within ``MAX_CLOSED_DAYS`` days.
    """
    instant = _require_aware(moment, "moment")
    if cal.always_open:
        return _aware(instant)
    for opens, _closes in _spans_from(instant, cal):
        return _aware(opens)
    raise AssertionError("_spans_from without a bound ends only by raising")  # pragma: no cover


def add_business_time(start: datetime, duration: timedelta, cal: BusinessCalendar) -> datetime:
    """The UTC instant when ``duration`` of open time has elapsed since ``start``: an SLA due time.

    Counting begins at ``next_open(start)``. A zero duration returns ``start`` unchanged (in UTC):
    a target of nothing is due at once, not at the next opening. When the duration runs out exactly
    at closing time the answer is that closing instant, not the next morning's opening.
    Durations are real elapsed time, so a 24-hour target on a 24/7 calendar spanning a DST change
    ends 24 real hours later (wall clock 23 or 25 hours on). Negative durations raise ValueError.
    """
    instant = _require_aware(start, "start")
    if duration < _ZERO:
        raise ValueError(f"duration must not be negative, got {duration}")
    if duration == _ZERO:
        return _aware(instant)
    if cal.always_open:
        try:
            return _aware(instant + duration)
        except OverflowError:
            raise ValueError("the answer lies beyond the range of datetime") from None
    remaining = duration
    for opens, closes in _spans_from(instant, cal):
        length = closes - opens
        if remaining <= length:
            return _aware(opens + remaining)
        remaining -= length
    raise AssertionError("_spans_from without a bound ends only by raising")  # pragma: no cover


def business_time_between(start: datetime, end: datetime, cal: BusinessCalendar) -> timedelta:
    """Open time in ``[start, end)``: how much of a target is used up; zero when ``end <= start``."""
    begin = _require_aware(start, "start")
    finish = _require_aware(end, "end")
    if finish <= begin:
        return _ZERO
    if cal.always_open:
        return finish - begin
    total = _ZERO
    for opens, closes in _spans_from(begin, cal, until=finish):
        if opens >= finish:
            break
        total += min(closes, finish) - opens
    return total


def fraction_point(start: datetime, duration: timedelta, fraction: float, cal: BusinessCalendar) -> datetime:
    """When ``fraction`` of the target is used up, e.g. 0.8 for the warning before a breach.

    ``duration * fraction`` is rounded to the microsecond the way ``timedelta`` rounds.
    """
    if not math.isfinite(fraction) or fraction < 0:
        raise ValueError(f"fraction must be a finite number not below 0, got {fraction}")
    return add_business_time(start, duration * fraction, cal)
