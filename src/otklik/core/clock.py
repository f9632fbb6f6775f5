"""One source of time: UTC-aware, injectable so tests move time instead of sleeping."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


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


class ShiftedClock:
    """The wall clock moved so that it read ``start`` when it was made; time flows on as usual. For
    demos and acceptance runs that must show one moment (Story 6 is «Monday morning»), never for a
    desk that serves customers."""

    def __init__(self, start: datetime) -> None:
        self._offset = as_utc(start) - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset


_clock: Clock = SystemClock()


def now() -> datetime:
    """The current UTC time from the installed clock."""
    return _clock.now()


def install(clock: Clock) -> Clock:
    """Replace the process clock; returns the previous one so callers can restore it."""
    global _clock
    previous, _clock = _clock, clock
    return previous


def follow_settings() -> None:
    """A process (server, worker, command) starts its clock at ``OTKLIK_CLOCK_START`` when that is set."""
    from otklik.core.config import get_settings

    start = get_settings().clock_start
    if start is not None:
        install(ShiftedClock(start))


def as_utc(moment: datetime) -> datetime:
    """Naive datetimes (as SQLite returns them) are UTC by our storage rule."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


#: the time zone of whoever reads what is being made now: an agent's (their routing profile) or a
#: customer's setting, set once per request by the page's dependency; None: the desk's zone
_viewer: ContextVar[str | None] = ContextVar("viewer_zone", default=None)


def zone(name: str | None = None) -> ZoneInfo:
    """The one rule for reading a time: ``name`` (a viewer's setting) if it is a known IANA zone,
    else the current viewer's, else the desk's (``OTKLIK_DESK_TIMEZONE``, Europe/Moscow)."""
    for candidate in (name, _viewer.get()):
        if candidate:
            try:
                return _zone(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    from otklik.core.config import get_settings

    return _zone(get_settings().desk_timezone)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def known_zone(name: str) -> bool:
    """Whether ``name`` is an IANA zone this machine knows (a setting is checked with it)."""
    try:
        _zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def view_in(name: str | None) -> None:
    """Times made from now on in this request (or task) are read in ``name``'s zone."""
    _viewer.set(name)


def desk_text(moment: datetime | None, zone_name: str | None = None) -> str:
    """``moment`` as a person reads it in text the desk writes (notifications, notes, mail): in the
    reader's zone (``zone``'s rule), the zone named («2026-11-23 12:05 MSK»)."""
    if moment is None:
        return "—"
    local = moment.astimezone(zone(zone_name))
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def stamped(name: str, moment: datetime | None) -> dict[str, str | None]:
    """A time among a notification's params: ``name`` is its text in the desk's zone (as the API has
    always given it), ``<name>_at`` the moment itself, so each reader sees it in their own zone."""
    return {name: desk_text(moment), f"{name}_at": moment.isoformat() if moment else None}


def restamped(params: dict[str, object], zone_name: str | None) -> dict[str, object]:
    """``params`` with every stamped time (see ``stamped``) written in ``zone_name``'s zone."""
    out = dict(params)
    for key, value in params.items():
        name = key.removesuffix("_at")
        if key.endswith("_at") and name in params and isinstance(value, str):
            try:
                out[name] = desk_text(datetime.fromisoformat(value), zone_name)
            except ValueError:
                continue
    return out
