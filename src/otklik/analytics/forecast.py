"""Where a channel is heading, in pure arithmetic: the backlog projected from arrivals against
resolutions, the day its wait outgrows the resolution target, week-over-week growth, the 30 %
resolution floor, and the hours a live channel is short of agents. Values in, values out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

#: below this resolution rate satisfaction with a channel is near zero (NICE/BCG, N = 1704)
RESOLUTION_FLOOR = 0.30
#: a channel needs this many tickets in the period before the floor (or a breach) speaks about it
MIN_VOLUME = 5
#: how far the backlog is projected
HORIZON_DAYS = 7


@dataclass(frozen=True, slots=True)
class Flow:
    """A channel's recent days: tickets in and out per day, and what waits now."""

    channel: str
    days: int
    arrived: int
    resolved: int
    backlog: int

    @property
    def arrivals_per_day(self) -> float:
        return self.arrived / self.days if self.days else 0.0

    @property
    def resolutions_per_day(self) -> float:
        return self.resolved / self.days if self.days else 0.0

    @property
    def growing(self) -> bool:
        return self.arrivals_per_day > self.resolutions_per_day


@dataclass(frozen=True, slots=True)
class Projection:
    """The backlog after each coming day, and the first day (0 = today) whose newcomer would wait
    past the resolution target, or None within the horizon."""

    flow: Flow
    backlog: tuple[float, ...]
    waits_days: tuple[float | None, ...]
    breach_day: int | None


def project(flow: Flow, now: datetime, target_end: Callable[[datetime], datetime]) -> Projection:
    """Day by day, the backlog grows by arrivals minus resolutions (never below zero); a ticket that
    arrives that day waits behind it, first in first out, ``backlog / resolutions per day`` days.
    The day that wait ends after ``target_end(arrival)`` (the resolution target in the calendar's open
    time) is the breach. With no resolutions at all, any backlog breaches at once. A channel with
    fewer than ``MIN_VOLUME`` arrivals is projected but never said to breach."""
    backlog: list[float] = []
    waits: list[float | None] = []
    breach = None
    enough = flow.arrived >= MIN_VOLUME  # a handful of tickets is no trend to project a breach from
    level = float(flow.backlog)
    for day in range(HORIZON_DAYS + 1):
        if day:
            level = max(0.0, level + flow.arrivals_per_day - flow.resolutions_per_day)
        backlog.append(round(level, 1))
        arrival = now + timedelta(days=day)
        if flow.resolutions_per_day > 0:
            wait = level / flow.resolutions_per_day
            waits.append(round(wait, 2))
            late = arrival + timedelta(days=wait) > target_end(arrival)
        else:
            waits.append(None)
            late = level > 0
        if late and enough and breach is None:
            breach = day
    return Projection(flow, tuple(backlog), tuple(waits), breach)


def growth(previous: int, latest: int) -> float | None:
    """Relative change, 0.4 for +40 %; None from nothing."""
    return (latest - previous) / previous if previous else None


def below_floor(volume: int, resolution_rate: float | None) -> bool:
    """Whether a channel sits left of the 30 % line (with enough tickets to say so)."""
    return volume >= MIN_VOLUME and resolution_rate is not None and resolution_rate < RESOLUTION_FLOOR


@dataclass(frozen=True, slots=True)
class Shortfall:
    """From ``start`` to ``end`` o'clock (local), ``missing`` agents more are needed than are rostered."""

    start: int
    end: int
    missing: int


def shortfalls(needed: Sequence[int], rostered: Sequence[float]) -> list[Shortfall]:
    """Runs of consecutive hours with the same shortage in whole agents, e.g. 10–14 short by 3
    (needed 4 against 1.1 full-time equivalents on the channel)."""
    runs: list[Shortfall] = []
    for hour, (need, have) in enumerate(zip(needed, rostered, strict=True)):
        missing = math.ceil(round(need - have, 6))
        if missing <= 0:
            continue
        if runs and runs[-1].end == hour and runs[-1].missing == missing:
            runs[-1] = Shortfall(runs[-1].start, hour + 1, missing)
        else:
            runs.append(Shortfall(hour, hour + 1, missing))
    return runs
