"""Support health for leads and admins (``/agent/analytics``): each channel's resolution against
satisfaction with the 30 % line, public complaints per week, the backlog outlook, today's staffing
by Erlang C, and every figure per channel, team, agent or category — with CSV and JSON of each table.
Figures come from ``otklik.analytics``; this module only asks and draws (``charts``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from otklik.analytics.forecast import RESOLUTION_FLOOR
from otklik.analytics.metrics import Dimension, window
from otklik.analytics.outlook import Outlook, Plan
from otklik.analytics.rules import csv_text, public_answered_faster
from otklik.analytics.schemas import outlook_out
from otklik.analytics.snapshots import DEFAULT_DAYS, PARITY_DAYS, Dashboard, compute, latest, months
from otklik.core import clock
from otklik.core.config import get_settings
from otklik.core.errors import InvalidInput
from otklik.web.agent.charts import bars, paired, plane
from otklik.web.agent.deps import LeadDep
from otklik.web.common import ReportsDB
from otklik.web.ui import N_, render

router = APIRouter(include_in_schema=False)
#: the row choices and the first column's heading, per dimension
ROWS = {"channel": N_("per channel"), "team": N_("per team"), "agent": N_("per agent"), "category": N_("per category")}
HEADS = {"channel": N_("Channel"), "team": N_("Team"), "agent": N_("Agent"), "category": N_("Category")}

Period = Annotated[str | None, Query(max_length=7, description="YYYY-MM")]
Days = Annotated[int, Query(ge=1, le=366)]
By = Annotated[Dimension, Query()]
Day = Annotated[date | None, Query()]


@dataclass(frozen=True, slots=True)
class Asked:
    """The view asked for: rows per ``by``, over a month, dates, or the last ``days``."""

    by: Dimension
    period: str | None
    since: date | None
    until: date | None
    days: int

    @property
    def query(self) -> str:
        """The same view in a link (the page's files)."""
        if self.since or self.until:
            return f"by={self.by.value}&since={self.since or ''}&until={self.until or ''}"
        return f"by={self.by.value}&" + (f"period={self.period}" if self.period else f"days={self.days}")


def asked(
    by: By = Dimension.CHANNEL, period: Period = None, since: Day = None, until: Day = None, days: Days = DEFAULT_DAYS
) -> Asked:
    return Asked(by, period, since, until, days)


AskedDep = Annotated[Asked, Depends(asked)]


NOT_A_MONTH = N_("A period is a month written as YYYY-MM, for example 2026-11.")
ENDS_FIRST = N_("The period ends before it starts.")


class BadPeriod(Exception):
    """A period the page cannot show, said in the reader's words (the API says it with the field name)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _window(period: str | None, since: date | None, until: date | None, days: int) -> tuple[datetime, datetime]:
    zone = ZoneInfo(get_settings().desk_timezone)
    try:
        start, end = window(period, since, until, days, now=clock.now(), zone=zone)
    except InvalidInput as refused:
        raise BadPeriod(NOT_A_MONTH if refused.field == "period" else ENDS_FIRST) from None
    return start, end


def _staffing(plans: list[Plan]) -> list[dict[str, Any]]:
    return [
        {"plan": plan, "bars": paired([h.needed for h in plan.hours], [h.rostered for h in plan.hours])}
        for plan in plans
        if any(h.needed for h in plan.hours)
    ]


def _view(db: Session, view: Asked) -> Dashboard:
    """The views the page offers (the last 28 days, its months) from their snapshots; any other
    period aggregated now."""
    now, zone = clock.now(), ZoneInfo(get_settings().desk_timezone)
    if view.since is None and view.until is None:
        if view.period is None and view.days == DEFAULT_DAYS:
            return latest(db, now, zone, view.by)
        if view.period in months(now, zone):
            return latest(db, now, zone, view.by, view.period)
    start, end = _window(view.period, view.since, view.until, view.days)
    return compute(db, now, zone, view.by, start, end)


@router.get("/agent/analytics")
def dashboard(desk: LeadDep, db: ReportsDB, ask: AskedDep) -> Response:
    view = _view(db, ask)
    now = view.computed_at
    breach_at = {p.flow.channel: now + timedelta(days=p.breach_day) for p in view.projections if p.breach_day}
    breach_at |= {p.flow.channel: now for p in view.projections if p.breach_day == 0}
    weeks = view.weeks
    context = desk.page(
        section="analytics", by=ask.by, row_names=ROWS, heads=HEADS, dimensions=list(Dimension), period=ask.period,
        days=ask.days, months=months(clock.now(), ZoneInfo(get_settings().desk_timezone)), since=view.since,
        until=view.until, computed_at=view.computed_at, rows=view.rows, channels=view.channels,
        floor=RESOLUTION_FLOOR, plane=plane(view.channels, RESOLUTION_FLOOR), weeks=weeks,
        week_bars=bars([(w.week[-2:], w.count, "" if w.complete else "partial") for w in weeks]),
        growth=view.public_growth, projections=view.projections, staffing=_staffing(view.plans),
        public_side=view.public, private_side=view.private, parity_days=PARITY_DAYS, query=ask.query,
        public_faster=public_answered_faster(view.public, view.private), breach_at=breach_at,
    )  # fmt: skip
    return render("agent/analytics.html", lang=desk.lang, **context)


def _file(text: str, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return Response(text, media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/agent/analytics/health.csv")
def health_csv(desk: LeadDep, db: ReportsDB, ask: AskedDep) -> Response:
    """The figures as the page shows them (a view the page offers from its snapshot)."""
    view = _view(db, ask)
    return _file(csv_text(view.rows), f"otklik-health-{ask.by.value}-{view.since.date()}-{view.until.date()}.csv")


@router.get("/agent/analytics/health.json")
def health_json(desk: LeadDep, db: ReportsDB, ask: AskedDep) -> Response:
    view = _view(db, ask)
    body = {"since": view.since.isoformat(), "until": view.until.isoformat(), "by": ask.by.value,
            "computed_at": view.computed_at.isoformat(), "floor": RESOLUTION_FLOOR, "rows": view.rows}  # fmt: skip
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


def _outlook(db: Session) -> tuple[Outlook, ZoneInfo]:
    """The outlook as the page shows it: from the default view's snapshot (or computed now)."""
    zone = ZoneInfo(get_settings().desk_timezone)
    view = latest(db, clock.now(), zone, Dimension.CHANNEL)
    return Outlook(view.computed_at, view.projections, view.weeks, view.plans), zone


@router.get("/agent/analytics/outlook.json")
def outlook_json(desk: LeadDep, db: ReportsDB) -> Response:
    seen, zone = _outlook(db)
    return JSONResponse(outlook_out(seen, zone).model_dump(mode="json"), headers={"Cache-Control": "no-store"})


def _outlook_rows(seen: Outlook, name: str, today: date) -> list[dict[str, Any]]:
    if name == "backlog":
        return [
            {"channel": p.flow.channel, "days": p.flow.days, "arrivals_per_day": round(p.flow.arrivals_per_day, 2),
             "resolutions_per_day": round(p.flow.resolutions_per_day, 2), "backlog": p.flow.backlog,
             "backlog_in_7_days": p.backlog[-1],
             "breach_date": None if p.breach_day is None else (today + timedelta(days=p.breach_day)).isoformat()}
            for p in seen.projections
        ]  # fmt: skip
    if name == "weeks":
        return [{"week": w.week, "public_complaints": w.count, "complete": w.complete} for w in seen.public_weeks]
    return [
        {"channel": plan.channel, "hour": h.hour, "arrivals_per_hour": h.arrivals_per_hour, "needed": h.needed,
         "rostered": h.rostered, "handle_seconds": plan.handle_seconds}
        for plan in seen.plans for h in plan.hours
    ]  # fmt: skip


@router.get("/agent/analytics/{name}.csv")
def outlook_csv(name: Literal["backlog", "weeks", "staffing"], desk: LeadDep, db: ReportsDB) -> Response:
    """The outlook's tables as CSV: ``backlog`` (per channel), ``weeks`` (public complaints),
    ``staffing`` (per live channel and hour)."""
    seen, zone = _outlook(db)
    rows = _outlook_rows(seen, name, seen.now.astimezone(zone).date())
    return _file(csv_text(rows), f"otklik-{name}-{seen.now.date()}.csv")
