"""The dashboard's figures, computed by a job every few minutes and read by the page: a month of a
large desk's tickets takes seconds to aggregate, a stored snapshot milliseconds to read.

Every default view (the last 28 days, per channel, team, agent and category, with the outlook and
the parity of the last seven days) is refreshed by ``analytics.refresh_dashboard`` every
``REFRESH_EVERY``; the page says when its figures were computed. A view with no snapshot younger
than ``FRESH`` (a desk whose worker is stopped, a month chosen by hand) is computed on the spot.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from otklik.analytics.forecast import Flow, Projection
from otklik.analytics.metrics import Dimension, Scope, table
from otklik.analytics.models import ReportSnapshot
from otklik.analytics.outlook import Hour, Plan, WeekCount, outlook, public_growth
from otklik.analytics.queries import channel_parity
from otklik.analytics.rules import Figures, period_bounds

REFRESH_EVERY = timedelta(minutes=5)
FRESH = timedelta(minutes=10)
#: a month that has ended changes little (a late survey, a reopening): recomputed once a day
PAST_FRESH = timedelta(hours=26)
DEFAULT_DAYS = 28
DEFAULT_VIEW = str(DEFAULT_DAYS)
#: the months the page offers, the current one first
MONTHS = 6
PARITY_DAYS = 7


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Everything the page shows for one view, as of ``computed_at``."""

    computed_at: datetime
    since: datetime
    until: datetime
    rows: list[dict[str, Any]]
    channels: list[dict[str, Any]]
    projections: list[Projection]
    weeks: list[WeekCount]
    plans: list[Plan]
    public: Figures
    private: Figures

    @property
    def public_growth(self) -> float | None:
        return public_growth(self.weeks)


def key(dimension: Dimension, view: str = DEFAULT_VIEW) -> str:
    """``health:channel:28`` (the last 28 days) or ``health:agent:2026-11`` (a month)."""
    return f"health:{dimension.value}:{view}"


def months(now: datetime, zone: ZoneInfo, count: int = MONTHS) -> list[str]:
    """``YYYY-MM`` of the last ``count`` months in the desk's zone, the current one first."""
    first = now.astimezone(zone).date().replace(day=1)
    found = []
    for _ in range(count):
        found.append(f"{first.year}-{first.month:02d}")
        first = (first - timedelta(days=1)).replace(day=1)
    return found


def bounds(view: str, now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The view's period: the last 28 days up to ``now``, or the month (up to ``now`` while it runs)."""
    if view == DEFAULT_VIEW:
        return now - timedelta(days=DEFAULT_DAYS), now
    since, until = period_bounds(view, zone)
    return since, min(until, now)


def compute(
    session: Session, now: datetime, zone: ZoneInfo, dimension: Dimension, since: datetime, until: datetime
) -> Dashboard:
    """The view's figures over ``[since, until)``, aggregated now (the outlook and parity are of now)."""
    scope = Scope(since, until, now)
    rows = table(session, scope, dimension)
    channels = rows if dimension is Dimension.CHANNEL else table(session, scope, Dimension.CHANNEL)
    seen = outlook(session, now, zone)
    parity = channel_parity(session, since=now - timedelta(days=PARITY_DAYS), until=now)
    return Dashboard(
        now, since, until, rows, channels, seen.projections, seen.public_weeks, seen.plans, parity.public,
        parity.private,
    )  # fmt: skip


def _json(dashboard: Dashboard) -> dict[str, Any]:
    body = asdict(dashboard)
    for name in ("computed_at", "since", "until"):
        body[name] = getattr(dashboard, name).isoformat()
    body["weeks"] = [{**asdict(w), "start": w.start.isoformat()} for w in dashboard.weeks]
    return body


def _read(body: dict[str, Any]) -> Dashboard:
    return Dashboard(
        computed_at=datetime.fromisoformat(body["computed_at"]),
        since=datetime.fromisoformat(body["since"]),
        until=datetime.fromisoformat(body["until"]),
        rows=body["rows"],
        channels=body["channels"],
        projections=[
            Projection(Flow(**p["flow"]), tuple(p["backlog"]), tuple(p["waits_days"]), p["breach_day"])
            for p in body["projections"]
        ],
        weeks=[WeekCount(**{**w, "start": datetime.fromisoformat(w["start"])}) for w in body["weeks"]],
        plans=[_plan(p) for p in body["plans"]],
        public=Figures(**body["public"]),
        private=Figures(**body["private"]),
    )


def _plan(body: dict[str, Any]) -> Plan:
    hours = tuple(Hour(**hour) for hour in body["hours"])
    return Plan(body["channel"], body["handle_seconds"], body["target_seconds"], body["target_share"], hours)


def refresh(session: Session, now: datetime, zone: ZoneInfo) -> list[str]:
    """Recompute and store the views the page offers: the last 28 days and the current month every
    time, a month that has ended when its snapshot is older than ``PAST_FRESH`` or was taken before
    the month ended; each per channel, team, agent and category. The outlook and the parity are the
    same in every view: computed once. Returns the keys stored."""
    shared = compute(session, now, zone, Dimension.CHANNEL, now - timedelta(days=DEFAULT_DAYS), now)
    stored = []
    for view in (DEFAULT_VIEW, *months(now, zone)):
        since, until = bounds(view, now, zone)
        if _fresh(session.get(ReportSnapshot, key(Dimension.CHANNEL, view)), view, now, until):
            continue
        channels = shared.rows if view == DEFAULT_VIEW else table(session, Scope(since, until, now), Dimension.CHANNEL)
        for dimension in Dimension:
            rows = channels if dimension is Dimension.CHANNEL else table(session, Scope(since, until, now), dimension)
            view_of = replace(shared, since=since, until=until, rows=rows, channels=channels)
            _store(session, key(dimension, view), view_of, now)
            stored.append(key(dimension, view))
    return stored


def _fresh(stored: ReportSnapshot | None, view: str, now: datetime, until: datetime) -> bool:
    """Whether a stored snapshot may stand: a running view for ``FRESH``; an ended month, taken after
    it ended, for ``PAST_FRESH``."""
    if stored is None or stored.computed_at > now:
        return False
    running = view == DEFAULT_VIEW or until >= now
    if running:
        return now - stored.computed_at <= FRESH
    return stored.computed_at >= until and now - stored.computed_at <= PAST_FRESH


def _store(session: Session, name: str, dashboard: Dashboard, now: datetime) -> None:
    stored = session.get(ReportSnapshot, name)
    if stored is None:
        session.add(ReportSnapshot(key=name, computed_at=now, body=_json(dashboard)))
    else:
        stored.computed_at, stored.body = now, _json(dashboard)


def latest(
    session: Session, now: datetime, zone: ZoneInfo, dimension: Dimension, view: str = DEFAULT_VIEW
) -> Dashboard:
    """A view the page offers (the last 28 days, or one of its months): its snapshot while fresh
    (see ``_fresh``), else computed now (and not stored: the page may read from a replica)."""
    since, until = bounds(view, now, zone)
    stored = session.get(ReportSnapshot, key(dimension, view))
    if _fresh(stored, view, now, until):
        assert stored is not None
        return _read(stored.body)
    return compute(session, now, zone, dimension, since, until)
