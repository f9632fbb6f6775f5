"""Pure time math of the demo: when each step happens relative to "now", and Russian dates and plurals.

Nothing here reads the clock; the loader passes the moment it starts at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

from otklik.demo.spec import Hold, Say, Step, TicketSpec

#: Moscow has kept UTC+3 all year since 2014; a fixed offset needs no tz database.
MSK = timezone(timedelta(hours=3), "MSK")

MONTHS_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


@dataclass(frozen=True, slots=True)
class Event:
    """One step of one ticket at its absolute time; ``order`` keeps equal times in script order."""

    at: datetime
    order: tuple[int, int]
    ticket: TicketSpec
    step: Step


def _local_moment(day: date, clock_time: time) -> datetime:
    return datetime.combine(day, clock_time, MSK).astimezone(UTC)


def ticket_start(now: datetime, spec: TicketSpec) -> datetime:
    """When the ticket's first message arrived: ``day`` days ago at ``time`` Moscow, or ``ago`` minutes ago."""
    if spec.day == 0:
        return now - timedelta(minutes=spec.ago)
    hours, minutes = (int(part) for part in spec.time.split(":"))
    return _local_moment(now.astimezone(MSK).date() - timedelta(days=spec.day), time(hours, minutes))


def schedule(now: datetime, tickets: tuple[TicketSpec, ...]) -> list[Event]:
    """Every step of every ticket in the order it happened; refuses a script that runs into the future."""
    events: list[Event] = []
    for t_index, spec in enumerate(tickets):
        if not spec.steps or not isinstance(spec.steps[0], Say) or spec.steps[0].after != 0:
            raise ValueError(f"demo ticket {spec.key}: the story must open with the customer's message")
        if (spec.day == 0) != (spec.ago > 0):
            raise ValueError(f"demo ticket {spec.key}: today's tickets need ago > 0, earlier ones day > 0")
        start = ticket_start(now, spec)
        previous = 0
        for s_index, step in enumerate(spec.steps):
            if step.after < previous:
                raise ValueError(f"demo ticket {spec.key}: step {s_index} goes back in time")
            previous = step.after
            moment = start + timedelta(minutes=step.after)
            if moment > now:
                raise ValueError(f"demo ticket {spec.key}: step {s_index} would happen after now")
            events.append(Event(moment, (t_index, s_index), spec, step))
    events.sort(key=lambda event: (event.at, event.order))
    return events


def hold_until(step: Hold, moment: datetime) -> datetime:
    """The due time of a promise made at ``moment``."""
    if step.minutes:
        return moment + timedelta(minutes=step.minutes)
    day = moment.astimezone(MSK).date() + timedelta(days=step.days)
    return _local_moment(day, time(step.hour))


def ru_date(moment: datetime) -> str:
    """«26 декабря»: the Moscow date as a customer reads it."""
    local = moment.astimezone(MSK)
    return f"{local.day} {MONTHS_GENITIVE[local.month - 1]}"
