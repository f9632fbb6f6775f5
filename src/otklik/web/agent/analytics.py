"""Support health for leads and admins (``/agent/analytics``): each channel's resolution against
satisfaction with the 30 % line, public complaints per week, the backlog outlook, today's staffing
by Erlang C, and every figure per channel, team, agent or category — with CSV and JSON of each table.
Figures come from ``otklik.analytics``; this module only asks and draws (``charts``)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from otklik.agents.rules import Role
from otklik.analytics.forecast import RESOLUTION_FLOOR
from otklik.analytics.metrics import Dimension, Scope, table, window
from otklik.analytics.outlook import Outlook, outlook
from otklik.analytics.queries import channel_parity
from otklik.analytics.rules import csv_text, public_answered_faster
from otklik.analytics.schemas import outlook_out
from otklik.core import clock
from otklik.core.config import get_settings
from otklik.core.errors import Forbidden, InvalidInput
from otklik.web.agent.charts import bars, paired, plane
from otklik.web.agent.deps import Desk, DeskDep
from otklik.web.common import ReportsDB
from otklik.web.ui import N_, render

router = APIRouter(include_in_schema=False)
#: the parity comparison on the dashboard, as the hourly alert makes it
PARITY_DAYS = 7
#: the row choices and the first column's heading, per dimension
ROWS = {"channel": N_("per channel"), "team": N_("per team"), "agent": N_("per agent"), "category": N_("per category")}
HEADS = {"channel": N_("Channel"), "team": N_("Team"), "agent": N_("Agent"), "category": N_("Category")}

Period = Annotated[str | None, Query(max_length=7, description="YYYY-MM")]
Days = Annotated[int, Query(ge=1, le=366)]
By = Annotated[Dimension, Query()]
Day = Annotated[date | None, Query()]


def _lead(desk: Desk) -> None:
    if desk.principal.role not in (Role.ADMIN, Role.LEAD):
        raise Forbidden("role_required", role="admin / lead")


def _months(now: datetime, zone: ZoneInfo, count: int = 6) -> list[str]:
    local = now.astimezone(zone).date().replace(day=1)
    months = []
    for _ in range(count):
        months.append(f"{local.year}-{local.month:02d}")
        local = (local - timedelta(days=1)).replace(day=1)
    return months


NOT_A_MONTH = N_("A period is a month written as YYYY-MM, for example 2026-11.")
ENDS_FIRST = N_("The period ends before it starts.")


class BadPeriod(Exception):
    """A period the page cannot show, said in the reader's words (the API says it with the field name)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _rows(db: Session, by: Dimension, period: str | None, since: date | None, until: date | None, days: int) -> Any:
    zone = ZoneInfo(get_settings().desk_timezone)
    try:
        start, end = window(period, since, until, days, now=clock.now(), zone=zone)
    except InvalidInput as refused:
        raise BadPeriod(NOT_A_MONTH if refused.field == "period" else ENDS_FIRST) from None
    return start, end, table(db, Scope(start, end, clock.now()), by)


def _staffing(seen: Outlook) -> list[dict[str, Any]]:
    return [
        {"plan": plan, "bars": paired([h.needed for h in plan.hours], [h.rostered for h in plan.hours])}
        for plan in seen.plans
        if any(h.needed for h in plan.hours)
    ]


@router.get("/agent/analytics")
def dashboard(
    desk: DeskDep, db: ReportsDB, by: By = Dimension.CHANNEL, period: Period = None, since: Day = None,
    until: Day = None, days: Days = 28,
) -> Response:  # fmt: skip
    _lead(desk)
    now = clock.now()
    zone = ZoneInfo(get_settings().desk_timezone)
    start, end, rows = _rows(db, by, period, since, until, days)
    channels = rows if by is Dimension.CHANNEL else table(db, Scope(start, end, now), Dimension.CHANNEL)
    seen = outlook(db, now, zone)
    weeks = seen.public_weeks
    parity = channel_parity(db, since=now - timedelta(days=PARITY_DAYS), until=now)
    query = f"by={by.value}&" + (f"period={period}" if period else f"days={days}")
    if since or until:
        query = f"by={by.value}&since={since or ''}&until={until or ''}"
    breach_at = {p.flow.channel: now + timedelta(days=p.breach_day) for p in seen.projections if p.breach_day}
    breach_at |= {p.flow.channel: now for p in seen.projections if p.breach_day == 0}
    context = desk.page(
        section="analytics", by=by, row_names=ROWS, heads=HEADS, dimensions=list(Dimension), period=period,
        days=days, months=_months(now, zone), since=start, until=end, rows=rows, channels=channels,
        floor=RESOLUTION_FLOOR, plane=plane(channels, RESOLUTION_FLOOR), weeks=weeks,
        week_bars=bars([(w.week[-2:], w.count, "" if w.complete else "partial") for w in weeks]),
        growth=seen.public_growth, projections=seen.projections, staffing=_staffing(seen), parity=parity,
        public_faster=public_answered_faster(parity.public, parity.private), parity_days=PARITY_DAYS, query=query,
        breach_at=breach_at,
    )  # fmt: skip
    return render("agent/analytics.html", lang=desk.lang, **context)


@router.get("/agent/analytics/health.csv")
def health_csv(
    desk: DeskDep, db: ReportsDB, by: By = Dimension.CHANNEL, period: Period = None, since: Day = None,
    until: Day = None, days: Days = 28,
) -> Response:  # fmt: skip
    _lead(desk)
    start, end, rows = _rows(db, by, period, since, until, days)
    name = f"otklik-health-{by.value}-{start.date()}-{end.date()}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return Response(csv_text(rows), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/agent/analytics/health.json")
def health_json(
    desk: DeskDep, db: ReportsDB, by: By = Dimension.CHANNEL, period: Period = None, since: Day = None,
    until: Day = None, days: Days = 28,
) -> Response:  # fmt: skip
    _lead(desk)
    start, end, rows = _rows(db, by, period, since, until, days)
    body = {
        "since": start.isoformat(),
        "until": end.isoformat(),
        "by": by.value,
        "floor": RESOLUTION_FLOOR,
        "rows": rows,
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.get("/agent/analytics/outlook.json")
def outlook_json(desk: DeskDep, db: ReportsDB) -> Response:
    _lead(desk)
    zone = ZoneInfo(get_settings().desk_timezone)
    body = outlook_out(outlook(db, clock.now(), zone), zone).model_dump(mode="json")
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


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
def outlook_csv(name: Literal["backlog", "weeks", "staffing"], desk: DeskDep, db: ReportsDB) -> Response:
    """The outlook's tables as CSV: ``backlog`` (per channel), ``weeks`` (public complaints),
    ``staffing`` (per live channel and hour)."""
    _lead(desk)
    zone = ZoneInfo(get_settings().desk_timezone)
    now = clock.now()
    rows = _outlook_rows(outlook(db, now, zone), name, now.astimezone(zone).date())
    filename = f"otklik-{name}-{now.date()}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    return Response(csv_text(rows), media_type="text/csv; charset=utf-8", headers=headers)
