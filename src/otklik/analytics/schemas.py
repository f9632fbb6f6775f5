"""API shapes of the parity figures (``GET /api/v1/analytics/channels``)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from otklik.analytics.forecast import Projection
from otklik.analytics.outlook import Outlook, Plan
from otklik.analytics.queries import Parity
from otklik.analytics.rules import Figures, WeekShare, public_answered_faster, went_public_growing


class FiguresOut(BaseModel):
    tickets: int
    answered: int
    median_first_response_seconds: float | None
    p90_first_response_seconds: float | None
    resolved: int
    resolution_rate: float | None

    @classmethod
    def of(cls, figures: Figures) -> FiguresOut:
        return cls(
            tickets=figures.tickets,
            answered=figures.answered,
            median_first_response_seconds=figures.median_first_response_seconds,
            p90_first_response_seconds=figures.p90_first_response_seconds,
            resolved=figures.resolved,
            resolution_rate=figures.resolution_rate,
        )


class ChannelOut(FiguresOut):
    channel: str
    public: bool


class WeekOut(BaseModel):
    week: str
    start: datetime
    customers: int
    base: int
    share: float
    complete: bool


class AlertsOut(BaseModel):
    public_faster: bool
    went_public_growing: bool


class ParityOut(BaseModel):
    """Each channel side by side, all public against all private tickets, the went-public share per
    ISO week, and whether each parity alert holds (see ``otklik.analytics.queries`` for definitions)."""

    since: datetime
    until: datetime
    channels: list[ChannelOut]
    public: FiguresOut
    private: FiguresOut
    went_public: list[WeekOut]
    alerts: AlertsOut

    @classmethod
    def of(cls, parity: Parity, weeks: list[WeekShare]) -> ParityOut:
        complete = [w for w in weeks if w.complete]
        growing = len(complete) >= 2 and went_public_growing(complete[-2], complete[-1])
        return cls(
            since=parity.since,
            until=parity.until,
            channels=[
                ChannelOut(channel=name, public=name == "public", **FiguresOut.of(f).model_dump())
                for name, f in parity.channels.items()
            ],
            public=FiguresOut.of(parity.public),
            private=FiguresOut.of(parity.private),
            went_public=[
                WeekOut(
                    week=w.week, start=w.start, customers=w.customers, base=w.base, share=w.share, complete=w.complete
                )
                for w in weeks
            ],
            alerts=AlertsOut(
                public_faster=public_answered_faster(parity.public, parity.private), went_public_growing=growing
            ),
        )


class HealthRowOut(BaseModel):
    """One group's figures (see ``otklik.analytics.metrics``): durations in seconds, rates 0–1."""

    key: str | None
    label: str | None
    volume: int
    answered: int
    first_response_median_seconds: float | None
    first_response_p90_seconds: float | None
    first_response_business_median_seconds: float | None
    first_response_business_p90_seconds: float | None
    next_response_median_seconds: float | None
    next_response_p90_seconds: float | None
    next_response_business_median_seconds: float | None
    next_response_business_p90_seconds: float | None
    resolution_median_seconds: float | None
    resolution_p90_seconds: float | None
    resolved: int
    resolution_rate: float | None
    confirmed: int
    confirmed_rate: float | None
    first_contact_rate: float | None
    reopened: int
    reopen_rate: float | None
    not_an_answer: int
    surveys: int
    ratings: int
    satisfaction: float | None
    said_solved_rate: float | None
    sla_first_response_rate: float | None
    sla_resolution_rate: float | None
    promises: int
    promises_kept: int
    promises_broken: int
    promises_pending: int
    promises_kept_rate: float | None
    replies_checked: int
    replies_flagged: int
    flag_rate: float | None
    overrides: int
    went_public: int
    went_public_rate: float | None
    escalations: int
    backlog_waiting: int
    backlog_day: int
    backlog_week: int
    backlog_month: int
    below_floor: bool = False


class HealthOut(BaseModel):
    """Support health per ``by`` over ``[since, until)``; ``floor`` is the resolution rate under
    which a channel is marked (satisfaction near zero below it)."""

    since: datetime
    until: datetime
    by: str
    floor: float
    rows: list[HealthRowOut]


class StaffingOut(BaseModel):
    """Erlang C: the smallest team reaching the target, and what it gives."""

    agents: int
    service_level: float
    occupancy: float
    average_wait_seconds: float
    arrivals_per_hour: float
    handle_seconds: float
    target_seconds: float
    target_share: float
    #: where each input came from: ``given`` or ``history`` (the channel's own)
    source: dict[str, str]


class ProjectionOut(BaseModel):
    channel: str
    days: int
    arrivals_per_day: float
    resolutions_per_day: float
    backlog: int
    growing: bool
    projected_backlog: list[float]
    wait_days: list[float | None]
    breach_day: int | None
    breach_date: date | None


class WeekCountOut(BaseModel):
    week: str
    start: datetime
    count: int
    complete: bool


class HourOut(BaseModel):
    hour: int
    arrivals_per_hour: float
    needed: int
    #: full-time equivalents on the channel: each agent on shift counts for their share of work here
    rostered: float


class ShortfallOut(BaseModel):
    start: int
    end: int
    missing: int


class PlanOut(BaseModel):
    channel: str
    handle_seconds: float
    target_seconds: float
    target_share: float
    hours: list[HourOut]
    shortfalls: list[ShortfallOut]


class OutlookOut(BaseModel):
    """Arrivals against resolutions and the projected backlog per channel; public complaints per ISO
    week with the latest complete week's growth; today's Erlang C plan per live channel."""

    now: datetime
    channels: list[ProjectionOut]
    public_weeks: list[WeekCountOut]
    public_growth: float | None
    staffing: list[PlanOut]


def _projection_out(p: Projection, today: date) -> ProjectionOut:
    return ProjectionOut(
        channel=p.flow.channel,
        days=p.flow.days,
        arrivals_per_day=round(p.flow.arrivals_per_day, 2),
        resolutions_per_day=round(p.flow.resolutions_per_day, 2),
        backlog=p.flow.backlog,
        growing=p.flow.growing,
        projected_backlog=list(p.backlog),
        wait_days=list(p.waits_days),
        breach_day=p.breach_day,
        breach_date=None if p.breach_day is None else today + timedelta(days=p.breach_day),
    )


def _plan_out(plan: Plan) -> PlanOut:
    return PlanOut(
        channel=plan.channel,
        handle_seconds=plan.handle_seconds,
        target_seconds=plan.target_seconds,
        target_share=plan.target_share,
        hours=[HourOut(hour=h.hour, arrivals_per_hour=h.arrivals_per_hour, needed=h.needed, rostered=h.rostered)
               for h in plan.hours],
        shortfalls=[ShortfallOut(start=s.start, end=s.end, missing=s.missing) for s in plan.shortfalls],
    )  # fmt: skip


def outlook_out(seen: Outlook, zone: ZoneInfo) -> OutlookOut:
    today = seen.now.astimezone(zone).date()
    weeks = [WeekCountOut(week=w.week, start=w.start, count=w.count, complete=w.complete) for w in seen.public_weeks]
    return OutlookOut(
        now=seen.now,
        channels=[_projection_out(p, today) for p in seen.projections],
        public_weeks=weeks,
        public_growth=seen.public_growth,
        staffing=[_plan_out(plan) for plan in seen.plans],
    )
