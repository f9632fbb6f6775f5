"""One source of time: UTC-aware, injectable so tests move time instead of sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that can tell the current UTC time."""

    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to (tests, demos, acceptance checks)."""

    def __init__(self, start: datetime) -> None:
        self._now = as_utc(start)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        self._now = as_utc(moment)


_clock: Clock = SystemClock()


def now() -> datetime:
    """The current UTC time from the installed clock."""
    return _clock.now()


def install(clock: Clock) -> Clock:
    """Replace the process clock; returns the previous one so callers can restore it."""
    global _clock
    previous, _clock = _clock, clock
    return previous


def as_utc(moment: datetime) -> datetime:
    """Naive datetimes (as SQLite returns them) are UTC by our storage rule."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def desk_text(moment: datetime | None) -> str:
    """``moment`` as a person reads it in text the desk writes (notifications, notes): in the desk's
    time zone (``OTKLIK_DESK_TIMEZONE``, Europe/Moscow by default), the zone named («2026-11-23
    12:05 MSK»). Pages format times themselves, in the same zone."""
    if moment is None:
        return "—"
    from zoneinfo import ZoneInfo

    from otklik.core.config import get_settings

    local = moment.astimezone(ZoneInfo(get_settings().desk_timezone))
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"
