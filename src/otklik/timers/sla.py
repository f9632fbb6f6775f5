"""Pure SLA rules: which policy applies, and when each target warns, breaches and escalates.

A target runs on its policy's business calendar: «4 hours» on a 9–18 calendar
that starts Friday at 17:00 ends Monday at 12:00. Urgent work defaults to 24/7.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from otklik.timers.rules import BusinessCalendar, add_business_time

DEFAULT_TIMEZONE = "Europe/Moscow"

#: the stages of every target, as fractions of its business duration
WARN_AT = 0.8
ESCALATE_AT = 1.5


class Stage(StrEnum):
    """What happens as a target runs out: the owner is warned, the lead told, the admin called."""

    WARN = "warn"
    BREACH = "breach"
    ESCALATE = "escalate"


class Target(StrEnum):
    RESPONSE = "response"  # first response, then each next response while the customer waits
    RESOLUTION = "resolution"


@dataclass(frozen=True, slots=True)
class Policy:
    """An SLA policy as the rules see it; empty match fields match anything."""

    name: str
    first_response: timedelta
    next_response: timedelta
    resolution: timedelta
    calendar: BusinessCalendar
    urgency: str | None = None
    category: str | None = None
    org_tier: str | None = None
    id: int | None = None

    def specificity(self) -> int:
        return sum(1 for field in (self.urgency, self.category, self.org_tier) if field is not None)

    def matches(self, *, urgency: str, category: str | None, org_tier: str | None) -> bool:
        return (
            (self.urgency is None or self.urgency == urgency)
            and (self.category is None or self.category == category)
            and (self.org_tier is None or self.org_tier == org_tier)
        )


def default_office() -> BusinessCalendar:
    """Moscow, 9:00–18:00, Monday to Friday: the desk's default business hours."""
    return BusinessCalendar.office(DEFAULT_TIMEZONE, time(9), time(18))


def builtin_policies() -> tuple[Policy, ...]:
    """What applies before an admin configures anything (urgent runs 24/7)."""
    office = default_office()
    return (
        Policy("Срочно / Urgent", timedelta(minutes=15), timedelta(minutes=15), timedelta(hours=4),
               BusinessCalendar.always(DEFAULT_TIMEZONE), urgency="urgent"),
        Policy("Обычно / Normal", timedelta(hours=2), timedelta(hours=4), timedelta(hours=27), office,
               urgency="normal"),
        Policy("Низкая / Low", timedelta(hours=9), timedelta(hours=18), timedelta(hours=90), office, urgency="low"),
    )  # fmt: skip


def pick_policy(
    configured: Sequence[Policy], *, urgency: str | None, category: str | None, org_tier: str | None
) -> Policy:
    """The most specific configured policy that matches, else the built-in one for the urgency.

    An untriaged ticket counts as ``normal`` until triage says otherwise.
    """
    level = urgency or "normal"
    matching = [p for p in configured if p.matches(urgency=level, category=category, org_tier=org_tier)]
    if matching:
        return max(matching, key=lambda p: (p.specificity(), -(p.id or 0)))
    return next(p for p in builtin_policies() if p.urgency == level)


def stages(start: datetime, duration: timedelta, calendar: BusinessCalendar) -> list[tuple[Stage, datetime]]:
    """When a target that began at ``start`` warns (80%), breaches (100%) and escalates (150%)."""
    return [
        (Stage.WARN, add_business_time(start, duration * WARN_AT, calendar)),
        (Stage.BREACH, add_business_time(start, duration, calendar)),
        (Stage.ESCALATE, add_business_time(start, duration * ESCALATE_AT, calendar)),
    ]


def parse_calendar(timezone: str, hours: Iterable[Any], holidays: Iterable[str], always_open: bool) -> BusinessCalendar:
    """A calendar from its stored JSON form: seven lists of ["HH:MM", "HH:MM"]; ISO holiday dates.

    Raises ValueError with a readable reason for anything malformed.
    """
    if always_open:
        return BusinessCalendar.always(timezone)
    days = list(hours)
    if len(days) != 7:
        raise ValueError(f"hours: нужно 7 дней / 7 days are needed, got {len(days)}")
    parsed = tuple(tuple((_hhmm(start), _hhmm(end)) for start, end in day) for day in days)
    return BusinessCalendar(
        timezone=timezone, hours=parsed, holidays=frozenset(date.fromisoformat(d) for d in holidays)
    )


def _hhmm(value: str) -> time:
    try:
        hours, minutes = value.split(":")
        return time(int(hours) % 24, int(minutes))
    except (ValueError, AttributeError):
        raise ValueError(f"время должно быть ЧЧ:ММ / time must be HH:MM, got {value!r}") from None


#: the customer's own clock: wall time since their first message, holds included
AGE_LEVELS: tuple[tuple[int, timedelta], ...] = (
    (1, timedelta(days=1)),
    (2, timedelta(days=7)),
    (3, timedelta(days=30)),
)
