"""The pure parity arithmetic: medians, nearest-rank p90, ISO weeks and when each alert fires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from otklik.analytics.rules import (
    Figures,
    TicketFacts,
    WeekShare,
    figures,
    growth_percent,
    iso_week,
    median,
    minutes,
    percentile,
    public_answered_faster,
    week_start,
    went_public_growing,
)

T0 = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("values", "mid", "p90"),
    [
        ([], None, None),
        ([5.0], 5.0, 5.0),
        ([1.0, 3.0], 2.0, 3.0),
        ([3.0, 1.0, 2.0], 2.0, 3.0),
        ([float(v) for v in range(1, 11)], 5.5, 9.0),
        ([float(v) for v in range(1, 101)], 50.5, 90.0),
    ],
)
def test_median_and_nearest_rank_p90(values: list[float], mid: float | None, p90: float | None) -> None:
    assert median(values) == mid
    assert percentile(values, 0.9) == p90


def facts(wait: timedelta | None, *, public: bool = False, resolved: bool = False) -> TicketFacts:
    return TicketFacts("vk", public, T0, T0 + wait if wait is not None else None, resolved)


def test_figures_count_answered_waits_and_resolutions() -> None:
    got = figures([facts(timedelta(hours=1), resolved=True), facts(timedelta(hours=3)), facts(None)])
    assert (got.tickets, got.answered, got.resolved) == (3, 2, 1)
    assert got.median_first_response_seconds == 7200.0
    assert got.p90_first_response_seconds == 10800.0
    assert got.resolution_rate == pytest.approx(1 / 3)
    empty = figures([])
    assert (empty.resolution_rate, empty.median_first_response_seconds) == (None, None)
    never = TicketFacts("vk", False, None, T0, False)  # a reply before any customer word: no wait to measure
    assert figures([never]).answered == 0


def side(answered: int, median_seconds: float | None) -> Figures:
    return Figures(answered, answered, median_seconds, median_seconds, 0)


@pytest.mark.parametrize(
    ("public", "private", "fires"),
    [
        (side(3, 60.0), side(3, 3600.0), True),
        (side(3, 3600.0), side(3, 60.0), False),
        (side(3, 60.0), side(3, 60.0), False),  # equal is parity
        (side(2, 60.0), side(3, 3600.0), False),  # too few public answers to say
        (side(3, 60.0), side(2, 3600.0), False),
        (side(0, None), side(0, None), False),
    ],
)
def test_public_answered_faster(public: Figures, private: Figures, fires: bool) -> None:
    assert public_answered_faster(public, private) is fires


def week(customers: int, base: int) -> WeekShare:
    return WeekShare("2026-W48", T0, customers, base)


@pytest.mark.parametrize(
    ("previous", "latest", "fires", "growth"),
    [
        (week(1, 10), week(4, 10), True, "300"),
        (week(3, 10), week(4, 10), True, "33"),
        (week(10, 100), week(12, 100), False, "20"),  # exactly +20 % is not more than 20 %
        (week(10, 100), week(13, 100), True, "30"),
        (week(0, 10), week(3, 10), True, "∞"),
        (week(0, 10), week(2, 10), False, "∞"),  # under the minimum count
        (week(1, 10), week(2, 4), False, "400"),  # a big jump on two customers is noise
        (week(4, 10), week(4, 20), False, "-50"),  # more customers, smaller share
    ],
)
def test_went_public_growing(previous: WeekShare, latest: WeekShare, fires: bool, growth: str) -> None:
    assert went_public_growing(previous, latest) is fires
    assert growth_percent(previous, latest) == growth


@pytest.mark.parametrize(
    ("moment", "label", "monday"),
    [
        (datetime(2026, 11, 23, 0, 0, tzinfo=UTC), "2026-W48", datetime(2026, 11, 23, tzinfo=UTC)),
        (datetime(2026, 11, 29, 23, 59, tzinfo=UTC), "2026-W48", datetime(2026, 11, 23, tzinfo=UTC)),
        (datetime(2026, 11, 30, 0, 0, tzinfo=UTC), "2026-W49", datetime(2026, 11, 30, tzinfo=UTC)),
        (datetime(2027, 1, 1, 12, 0, tzinfo=UTC), "2026-W53", datetime(2026, 12, 28, tzinfo=UTC)),
    ],
)
def test_iso_weeks_in_utc(moment: datetime, label: str, monday: datetime) -> None:
    assert iso_week(moment) == label
    assert week_start(moment) == monday


@pytest.mark.parametrize(("seconds", "text"), [(None, "—"), (30.0, "0.5"), (450.0, "7.5"), (14_400.0, "240")])
def test_minutes(seconds: float | None, text: str) -> None:
    assert minutes(seconds) == text
