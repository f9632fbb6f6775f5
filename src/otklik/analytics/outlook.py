"""Where each channel is heading, read from its recent history: arrivals against resolutions and the
projected backlog, weekly public complaints, and an Erlang C staffing plan per hour for live channels.

* **Flow**: tickets created in the last ``FLOW_DAYS`` (fewer for a channel younger than that) against
  tickets resolved in them; the backlog is every ticket whose next move is ours now (new, open, on hold).
* **Breach**: the first coming day whose newcomer, waiting first in first out behind the projected
  backlog, would be resolved after the normal-urgency resolution target (on its SLA calendar).
* **Staffing**: arrivals per local hour of day averaged over the last ``STAFFING_DAYS`` (or the
  channel's life, if shorter); handle time the median from our first reply to the proposed solution
  over the last ``HANDLE_DAYS``; agents rostered: those who answered on the channel in those days and
  whose shift covers that hour today. An hour under one conversation an hour needs one agent if it
  has any (coverage, not queueing).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otklik.analytics.erlang import agents_needed
from otklik.analytics.forecast import Flow, Projection, Shortfall, growth, project, shortfalls
from otklik.analytics.metrics import RESOLVED, resolved_at, spreads
from otklik.analytics.rules import iso_week, week_start
from otklik.bot.actions import LIVE_CHANNELS
from otklik.core.db import seconds_between, utc_hour, without_jit
from otklik.messages.models import Direction, Message
from otklik.routing.models import RoutingProfile
from otklik.routing.queries import shift_calendar
from otklik.tickets.models import Ticket
from otklik.tickets.rules import Status
from otklik.timers.queries import active_policies
from otklik.timers.rules import add_business_time, is_open
from otklik.timers.sla import pick_policy

FLOW_DAYS = 7
#: the backlog: tickets whose next move is ours (new, open, or on hold with our promise)
OUR_MOVE = (Status.NEW.value, Status.OPEN.value, Status.ON_HOLD.value)
#: under one conversation an hour there is no steady queue for Erlang C to model: one agent on
#: shift covers an hour that has any conversation at all
QUEUE_RATE = 1.0
STAFFING_DAYS = 7
HANDLE_DAYS = 28
#: a live conversation is taken within a minute for 80 % of customers unless asked otherwise
LIVE_TARGET_SECONDS = 60
LIVE_TARGET_SHARE = 0.8
DAY = timedelta(days=1)


def _days_of(session: Session, channel: str, now: datetime, days: int) -> int:
    """``days``, or fewer whole days for a channel whose first ticket is more recent."""
    first = session.scalar(
        select(func.min(Ticket.created_at)).where(Ticket.channel == channel, Ticket.created_at >= now - days * DAY)
    )
    return 0 if first is None else min(days, math.ceil((now - first) / DAY))


def flows(session: Session, now: datetime, *, days: int = FLOW_DAYS) -> dict[str, Flow]:
    """Each channel with tickets in the last ``days`` or waiting now."""
    since = now - days * DAY
    live = Ticket.merged_into_id.is_(None)
    arrived = dict(
        session.execute(
            select(Ticket.channel, func.count()).where(live, Ticket.created_at >= since).group_by(Ticket.channel)
        ).all()
    )
    resolved = dict(
        session.execute(
            select(Ticket.channel, func.count())
            .where(live, Ticket.status.in_(RESOLVED), resolved_at() >= since, resolved_at() < now)
            .group_by(Ticket.channel)
        ).all()
    )
    backlog = dict(
        session.execute(
            select(Ticket.channel, func.count()).where(live, Ticket.status.in_(OUR_MOVE)).group_by(Ticket.channel)
        ).all()
    )
    channels = sorted(set(arrived) | set(resolved) | set(backlog))
    return {
        c: Flow(c, _days_of(session, c, now, days) or days, arrived.get(c, 0), resolved.get(c, 0), backlog.get(c, 0))
        for c in channels
    }


def resolution_target(session: Session) -> Callable[[datetime], datetime]:
    """When a normal-urgency ticket arriving at a moment is due to be resolved."""
    policy = pick_policy(active_policies(session), urgency="normal", category=None, org_tier=None)
    return lambda arrival: add_business_time(arrival, policy.resolution, policy.calendar)


def projections(session: Session, now: datetime) -> list[Projection]:
    target = resolution_target(session)
    return [project(flow, now, target) for flow in flows(session, now).values()]


@dataclass(frozen=True, slots=True)
class WeekCount:
    week: str
    start: datetime
    count: int
    complete: bool


def public_weeks(session: Session, now: datetime, *, weeks: int = 8) -> list[WeekCount]:
    """Public complaints opened per ISO week (UTC), oldest first; the current week last, incomplete."""
    current = week_start(now)
    starts = [current - timedelta(weeks=n) for n in range(weeks, -1, -1)]
    counts = []
    for start in starts:
        count = session.scalar(
            select(func.count()).where(
                Ticket.is_public.is_(True),
                Ticket.merged_into_id.is_(None),
                Ticket.created_at >= start,
                Ticket.created_at < start + timedelta(weeks=1),
            )
        )
        counts.append(WeekCount(iso_week(start), start, int(count or 0), complete=start < current))
    return counts


def public_growth(weeks: Sequence[WeekCount]) -> float | None:
    """The latest complete week's public complaints against the week before (0.4 = +40 %)."""
    complete = [w for w in weeks if w.complete]
    return growth(complete[-2].count, complete[-1].count) if len(complete) >= 2 else None


@dataclass(frozen=True, slots=True)
class Hour:
    """One local hour of today: arrivals expected, agents Erlang C needs, agents rostered."""

    hour: int
    arrivals_per_hour: float
    needed: int
    rostered: float


@dataclass(frozen=True, slots=True)
class Plan:
    channel: str
    handle_seconds: float
    target_seconds: float
    target_share: float
    hours: tuple[Hour, ...]

    @property
    def shortfalls(self) -> list[Shortfall]:
        return shortfalls([h.needed for h in self.hours], [h.rostered for h in self.hours])


def hourly_arrivals(session: Session, channel: str, now: datetime, zone: ZoneInfo) -> list[float]:
    """Tickets opened per local hour of day, averaged over the days counted."""
    days = _days_of(session, channel, now, STAFFING_DAYS)
    per_hour = [0.0] * 24
    if not days:
        return per_hour
    rows = session.execute(
        select(utc_hour(Ticket.created_at), func.count())
        .where(Ticket.channel == channel, Ticket.merged_into_id.is_(None), Ticket.created_at >= now - days * DAY)
        .group_by(utc_hour(Ticket.created_at))
    )
    offset = round((now.astimezone(zone).utcoffset() or timedelta()).total_seconds() / 3600)
    for hour, count in rows:
        per_hour[(int(hour) + offset) % 24] += count / days
    return per_hour


def handle_seconds(session: Session, channel: str, now: datetime) -> float | None:
    """Median time from our first reply to the proposed solution, over the channel's recent tickets."""
    seconds = seconds_between(Ticket.first_response_at, Ticket.solved_at)
    found = spreads(
        session,
        Ticket.channel,
        seconds,
        [Ticket.channel == channel, Ticket.created_at >= now - HANDLE_DAYS * DAY, Ticket.solved_at.is_not(None)],
    )
    spread = found.get(channel)
    return spread.median if spread and spread.median and spread.median > 0 else None


def rostered(session: Session, now: datetime, zone: ZoneInfo) -> dict[str, list[float]]:
    """Per channel, per local hour of today, the agents on it in full-time equivalents: each agent on
    shift then counts for the share of their public replies of the last days that went to that channel
    (the WhatsApp agent 1.0; a colleague who answered one WhatsApp chat among fifty e-mails 0.02).
    Read once for every channel."""
    rows = session.execute(
        select(Message.author_agent_id, Message.channel, func.count())
        .where(
            Message.direction == Direction.OUTBOUND.value,
            Message.public.is_(True),
            Message.author_agent_id.is_not(None),
            Message.created_at >= now - STAFFING_DAYS * DAY,
        )
        .group_by(Message.author_agent_id, Message.channel)
    )
    replies = [(agent, channel, count) for agent, channel, count in rows if agent is not None]
    totals: dict[int, int] = {}
    for agent, _, count in replies:
        totals[agent] = totals.get(agent, 0) + count
    profiles = session.scalars(select(RoutingProfile).where(RoutingProfile.agent_id.in_(totals)))
    midnight = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    moments = [midnight + timedelta(hours=h, minutes=30) for h in range(24)]
    shifts = {p.agent_id: shift for p in profiles if (shift := shift_calendar(p)) is not None}
    on_shift = {agent: [is_open(at, shift) for at in moments] for agent, shift in shifts.items()}
    hours: dict[str, list[float]] = {}
    for agent, channel, count in replies:
        if agent in on_shift:
            mine = hours.setdefault(channel, [0.0] * 24)
            for h, working in enumerate(on_shift[agent]):
                mine[h] += count / totals[agent] if working else 0.0
    return {channel: [round(value, 2) for value in row] for channel, row in hours.items()}


def staffing_plan(
    session: Session,
    channel: str,
    now: datetime,
    zone: ZoneInfo,
    on_shift: list[float],
    *,
    target_seconds: float = LIVE_TARGET_SECONDS,
    target_share: float = LIVE_TARGET_SHARE,
) -> Plan | None:
    """Today's hours of a channel against ``on_shift`` (its ``rostered`` hours); None when its history
    has no handle time yet."""
    handle = handle_seconds(session, channel, now)
    if handle is None:
        return None
    arrivals = hourly_arrivals(session, channel, now, zone)

    def needed(rate: float) -> int:
        if rate < QUEUE_RATE:
            return 1 if rate > 0 else 0
        return agents_needed(
            arrivals_per_hour=rate, handle_seconds=handle, target_seconds=target_seconds, target_share=target_share
        ).agents

    hours = tuple(Hour(hour, round(rate, 2), needed(rate), on_shift[hour]) for hour, rate in enumerate(arrivals))
    return Plan(channel, handle, target_seconds, target_share, hours)


def live_plans(session: Session, now: datetime, zone: ZoneInfo) -> list[Plan]:
    staffed = rostered(session, now, zone)
    nobody = [0.0] * 24
    plans = (
        staffing_plan(session, channel.value, now, zone, staffed.get(channel.value, nobody))
        for channel in sorted(LIVE_CHANNELS)
    )
    return [plan for plan in plans if plan is not None]


@dataclass(frozen=True, slots=True)
class Outlook:
    now: datetime
    projections: list[Projection]
    public_weeks: list[WeekCount]
    plans: list[Plan]

    @property
    def public_growth(self) -> float | None:
        return public_growth(self.public_weeks)


def outlook(session: Session, now: datetime, zone: ZoneInfo) -> Outlook:
    without_jit(session)
    return Outlook(now, projections(session, now), public_weeks(session, now), live_plans(session, now, zone))
