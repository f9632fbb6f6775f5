"""Pure arithmetic of the parity figures: medians and percentiles, ISO weeks, and when a parity
alert fires. Values in, values out; no database, no clock."""

from __future__ import annotations

import csv
import io
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

#: an alert needs this many answered tickets on each side (public, private) to compare medians
MIN_ANSWERED = 3
#: …and this many customers who went public in the latest week to speak of growth
MIN_WENT_PUBLIC = 3
#: the went-public share must grow by more than this, relative, week over week
GROWTH = 0.20


@dataclass(frozen=True, slots=True)
class TicketFacts:
    """What the figures read of one ticket."""

    channel: str
    public: bool
    first_customer_message_at: datetime | None
    first_response_at: datetime | None
    resolved: bool


@dataclass(frozen=True, slots=True)
class Figures:
    """One group of tickets (a channel, or all public / all private ones) side by side with another."""

    tickets: int
    answered: int
    median_first_response_seconds: float | None
    p90_first_response_seconds: float | None
    resolved: int

    @property
    def resolution_rate(self) -> float | None:
        return self.resolved / self.tickets if self.tickets else None


def median(values: Sequence[float]) -> float | None:
    """The middle value (the mean of the two middle ones for an even count); None for none."""
    return float(statistics.median(values)) if values else None


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least ``share`` of the values at or
    below it (p90 of ten values is the ninth smallest); None for none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return float(ordered[rank - 1])


def first_response_seconds(facts: TicketFacts) -> float | None:
    """Time to first response: our first delivered public reply after the customer's first word."""
    if facts.first_customer_message_at is None or facts.first_response_at is None:
        return None
    return max(0.0, (facts.first_response_at - facts.first_customer_message_at).total_seconds())


def figures(rows: Iterable[TicketFacts]) -> Figures:
    tickets = answered = resolved = 0
    waits: list[float] = []
    for row in rows:
        tickets += 1
        resolved += row.resolved
        wait = first_response_seconds(row)
        if wait is not None:
            answered += 1
            waits.append(wait)
    return Figures(tickets, answered, median(waits), percentile(waits, 0.9), resolved)


def public_answered_faster(public: Figures, private: Figures, *, min_answered: int = MIN_ANSWERED) -> bool:
    """Public complaints get a first response faster (median) than private requests, each side
    with at least ``min_answered`` answered tickets: customers learn that shouting works."""
    if public.answered < min_answered or private.answered < min_answered:
        return False
    public_median, private_median = public.median_first_response_seconds, private.median_first_response_seconds
    return public_median is not None and private_median is not None and public_median < private_median


def week_start(moment: datetime) -> datetime:
    """Monday 00:00 UTC of the ISO week holding ``moment``."""
    day = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def iso_week(moment: datetime) -> str:
    """``2026-W48``: the ISO week (UTC) holding ``moment``."""
    year, week, _ = moment.astimezone(UTC).isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True, slots=True)
class WeekShare:
    """Of the customers with an unresolved private ticket during ``week`` (``base``), how many
    went public in it (``customers``)."""

    week: str
    start: datetime
    customers: int
    base: int
    complete: bool = True

    @property
    def share(self) -> float:
        return self.customers / self.base if self.base else 0.0


def went_public_growing(
    previous: WeekShare, latest: WeekShare, *, min_count: int = MIN_WENT_PUBLIC, growth: float = GROWTH
) -> bool:
    """The share of ``latest`` is more than ``growth`` above ``previous`` (relative), with at least
    ``min_count`` customers in ``latest``; from a zero share any such count is growth."""
    if latest.customers < min_count:
        return False
    if previous.share == 0:
        return latest.share > 0
    return latest.share > previous.share * (1 + growth)


def growth_percent(previous: WeekShare, latest: WeekShare) -> str:
    """«40» for a share that grew by 40 %; «∞» from zero."""
    if previous.share == 0:
        return "∞"
    return f"{(latest.share / previous.share - 1) * 100:.0f}"


def minutes(seconds: float | None) -> str:
    """A wait as people read it in a notification: «240», «7.5» (minutes)."""
    if seconds is None:
        return "—"
    value = seconds / 60
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def period_bounds(period: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """``2026-11`` → the month's first and next month's first midnight in ``zone``, as UTC; a
    ``ValueError`` that names the expected form otherwise."""
    try:
        year, month = (int(part) for part in period.split("-"))
        start = datetime(year, month, 1, tzinfo=zone)
    except ValueError:
        raise ValueError(f"{period!r}: expected YYYY-MM, e.g. 2026-11") from None
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def csv_text(rows: Iterable[Mapping[str, object]]) -> str:
    """Rows as CSV (header first); a cell that a spreadsheet would run as a formula is quoted with «'»."""
    out = io.StringIO()
    writer: csv.DictWriter[str] | None = None
    for row in rows:
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(row), lineterminator="\r\n")
            writer.writeheader()
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value: object) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value
