"""Support health over HTTP (leads and admins): channel parity, the health table per channel, team,
agent or category, the outlook (backlog projection, public complaints, staffing) and Erlang C."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Response

from otklik.agents.rules import Role
from otklik.analytics.erlang import agents_needed
from otklik.analytics.forecast import RESOLUTION_FLOOR
from otklik.analytics.metrics import Dimension, Scope, table, window
from otklik.analytics.outlook import LIVE_TARGET_SECONDS, LIVE_TARGET_SHARE, handle_seconds, hourly_arrivals, outlook
from otklik.analytics.queries import channel_parity, went_public_weeks
from otklik.analytics.rules import csv_text
from otklik.analytics.schemas import HealthOut, HealthRowOut, OutlookOut, ParityOut, StaffingOut, outlook_out
from otklik.api.deps import AuthDep, ReportsDB
from otklik.core import clock
from otklik.core.config import get_settings
from otklik.core.errors import InvalidInput
from otklik.core.schemas import ISODate, explained
from otklik.core.taxonomy import Channel

PERIOD = explained(
    r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$", "месяц в виде YYYY-MM, например 2026-11", "expected YYYY-MM, e.g. 2026-11"
)

router = APIRouter(prefix="/analytics", tags=["analytics"])


def desk_zone() -> ZoneInfo:
    return ZoneInfo(get_settings().desk_timezone)


@router.get("/channels", response_model=ParityOut)
def channels(
    db: ReportsDB,
    auth: AuthDep,
    days: Annotated[int, Query(ge=1, le=366, description="tickets created in the last N days")] = 28,
    weeks: Annotated[int, Query(ge=2, le=52, description="complete ISO weeks of the went-public share")] = 8,
) -> ParityOut:
    """Per channel: time to first response (median, p90) and resolution rate, public and private
    side by side; the went-public share per ISO week; and whether each parity alert holds. Read from
    the reports database (a read replica) when one is configured."""
    auth.require(Role.ADMIN, Role.LEAD)
    now = clock.now()
    parity = channel_parity(db, since=now - timedelta(days=days), until=now)
    return ParityOut.of(parity, went_public_weeks(db, now=now, weeks=weeks))


@router.get("/health", response_model=HealthOut, responses={200: {"content": {"text/csv": {}}}})
def health_table(
    db: ReportsDB,
    auth: AuthDep,
    by: Annotated[Dimension, Query(description="one row per channel, team, agent or category")] = Dimension.CHANNEL,
    period: Annotated[str | None, Query(description="a month, YYYY-MM (desk time zone)", pattern=PERIOD)] = None,
    since: Annotated[ISODate | None, Query(description="first day (with until), desk time zone")] = None,
    until: Annotated[ISODate | None, Query(description="day after the last")] = None,
    days: Annotated[int, Query(ge=1, le=366, description="else the last N days")] = 28,
    channel: Annotated[str | None, Query(max_length=20)] = None,
    team_id: Annotated[int | None, Query(ge=1)] = None,
    agent_id: Annotated[int | None, Query(ge=1)] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    format: Annotated[str, Query(pattern="^(json|csv)$", description="csv: the same rows as a file")] = "json",
) -> HealthOut | Response:
    """Every figure of support health for the tickets created in the period (definitions in
    ``docs/subsystems/analytics.md``); channels under the 30 % resolution floor are marked."""
    auth.require(Role.ADMIN, Role.LEAD)
    start, end = window(period, since, until, days, now=clock.now(), zone=desk_zone())
    only: dict[Dimension, str | int] = {
        dimension: value
        for dimension, value in (
            (Dimension.CHANNEL, channel), (Dimension.TEAM, team_id), (Dimension.AGENT, agent_id),
            (Dimension.CATEGORY, category),
        )
        if value is not None
    }  # fmt: skip
    rows = table(db, Scope(start, end, clock.now(), only), by)
    if format == "csv":
        name = f"otklik-health-{by.value}-{start.date()}-{end.date()}.csv"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        return Response(csv_text(rows), media_type="text/csv; charset=utf-8", headers=headers)
    return HealthOut(
        since=start, until=end, by=by.value, floor=RESOLUTION_FLOOR, rows=[HealthRowOut(**row) for row in rows]
    )


@router.get("/outlook", response_model=OutlookOut)
def outlook_view(db: ReportsDB, auth: AuthDep) -> OutlookOut:
    """Per channel, arrivals against resolutions over the last week and the backlog projected a week
    ahead with the day it breaches the resolution target; public complaints per ISO week; today's
    Erlang C staffing plan, hour by hour, for each live channel with a history."""
    auth.require(Role.ADMIN, Role.LEAD)
    zone = desk_zone()
    return outlook_out(outlook(db, clock.now(), zone), zone)


@router.get("/staffing", response_model=StaffingOut)
def staffing(
    db: ReportsDB,
    auth: AuthDep,
    arrivals_per_hour: Annotated[float | None, Query(ge=0, le=1_000_000)] = None,
    handle_seconds: Annotated[float | None, Query(gt=0, le=86_400)] = None,
    target_seconds: Annotated[float, Query(ge=0, le=86_400)] = LIVE_TARGET_SECONDS,
    target_share: Annotated[float, Query(gt=0, lt=1)] = LIVE_TARGET_SHARE,
    channel: Annotated[Channel | None, Query(description="learn what is not given from it")] = None,
) -> StaffingOut:
    """Erlang C: the smallest number of agents that takes ``target_share`` of conversations within
    ``target_seconds``. Without ``arrivals_per_hour`` or ``handle_seconds``, the channel's own history
    gives them: its busiest hour's arrivals over the last week and its median handle time."""
    auth.require(Role.ADMIN, Role.LEAD)
    now = clock.now()
    source = {"arrivals_per_hour": "given", "handle_seconds": "given"}
    if arrivals_per_hour is None or handle_seconds is None:
        if channel is None:
            missing = "handle_seconds" if arrivals_per_hour is not None else "arrivals_per_hour"
            raise InvalidInput("invalid_field", field=missing, reason="нужно значение или channel / a value or channel")
        if arrivals_per_hour is None:
            arrivals_per_hour = max(hourly_arrivals(db, channel.value, now, desk_zone()))
            source["arrivals_per_hour"] = "history"
        if handle_seconds is None:
            handle_seconds = handle_seconds_of(db, channel.value, now)
            source["handle_seconds"] = "history"
    try:
        result = agents_needed(
            arrivals_per_hour=arrivals_per_hour, handle_seconds=handle_seconds, target_seconds=target_seconds,
            target_share=target_share,
        )  # fmt: skip
    except ValueError as exc:  # a load no desk could staff: say so instead of a 500
        raise InvalidInput("invalid_field", field="arrivals_per_hour", reason=str(exc)) from None
    return StaffingOut(
        agents=result.agents, service_level=result.service_level, occupancy=result.occupancy,
        average_wait_seconds=result.average_wait_seconds, arrivals_per_hour=arrivals_per_hour,
        handle_seconds=handle_seconds, target_seconds=target_seconds, target_share=target_share, source=source,
    )  # fmt: skip


def handle_seconds_of(db: ReportsDB, channel: str, now: datetime) -> float:
    found = handle_seconds(db, channel, now)
    if found is None:
        raise InvalidInput(
            "invalid_field", field="handle_seconds",
            reason=f"у канала {channel} нет решённых обращений за 28 дней / no solved tickets on {channel} in 28 days",
        )  # fmt: skip
    return found
