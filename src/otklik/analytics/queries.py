"""Channel parity, read from the tickets as they stand (no rollup tables).

* **Tickets in a window**: created in ``[since, until)``, merged duplicates left out (their
  messages and clocks live on in the ticket they joined).
* **Time to first response**: ``first_response_at − first_customer_message_at`` — our first
  public reply that reached the customer (a failed delivery does not count); median and nearest-
  rank p90 over the answered tickets.
* **Resolution rate**: the share of the window's tickets that are ``solved`` (a solution proposed
  after our last public word, awaiting the customer) or ``closed`` (confirmed, or silent past the
  channel's window).
* **Went public**: per ISO week (UTC), the customers whose private ticket got a «went public» link
  that week, over the customers with a private ticket open at some point of that week (created
  before the week ended, not closed before it began).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from otklik.agents.models import Notification
from otklik.analytics.rules import Figures, TicketFacts, WeekShare, figures, iso_week, week_start
from otklik.core.db import without_jit
from otklik.core.taxonomy import Channel
from otklik.tickets.links import WENT_PUBLIC
from otklik.tickets.models import Ticket, TicketLink
from otklik.tickets.rules import Status

RESOLVED = (Status.SOLVED.value, Status.CLOSED.value)
WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Parity:
    """Each channel's figures over ``[since, until)``, and all public against all private tickets."""

    since: datetime
    until: datetime
    channels: dict[str, Figures]
    public: Figures
    private: Figures


def ticket_facts(session: Session, *, since: datetime, until: datetime) -> list[TicketFacts]:
    without_jit(session)
    rows = session.execute(
        select(
            Ticket.channel, Ticket.is_public, Ticket.status, Ticket.first_customer_message_at, Ticket.first_response_at
        ).where(Ticket.created_at >= since, Ticket.created_at < until, Ticket.merged_into_id.is_(None))
    )
    return [
        TicketFacts(channel, bool(public), first, answered, status in RESOLVED)
        for channel, public, status, first, answered in rows
    ]


def channel_parity(session: Session, *, since: datetime, until: datetime) -> Parity:
    """Every channel of the taxonomy (none left out for having no tickets), side by side."""
    facts = ticket_facts(session, since=since, until=until)
    by_channel: dict[str, list[TicketFacts]] = defaultdict(list)
    for row in facts:
        by_channel[row.channel].append(row)
    channels = {channel.value: figures(by_channel.get(channel.value, [])) for channel in Channel}
    for other in sorted(set(by_channel) - set(channels)):  # a channel added since the taxonomy was written
        channels[other] = figures(by_channel[other])
    return Parity(
        since, until, channels, figures(r for r in facts if r.public), figures(r for r in facts if not r.public)
    )


def went_public_weeks(session: Session, *, now: datetime, weeks: int) -> list[WeekShare]:
    """The last ``weeks`` complete ISO weeks, oldest first, then the current week so far
    (``complete`` False)."""
    current = week_start(now)
    starts = [current - WEEK * n for n in range(weeks, -1, -1)]
    first, end = starts[0], current + WEEK
    went: dict[datetime, set[int]] = defaultdict(set)
    linked = session.execute(
        select(TicketLink.created_at, Ticket.customer_id)
        .join(Ticket, Ticket.id == TicketLink.to_ticket_id)
        .where(TicketLink.kind == WENT_PUBLIC, TicketLink.created_at >= first, TicketLink.created_at < end)
    )
    for created_at, customer_id in linked:
        went[week_start(created_at)].add(customer_id)
    open_private = session.execute(
        select(Ticket.customer_id, Ticket.created_at, Ticket.closed_at).where(
            Ticket.is_public.is_(False),
            Ticket.created_at < end,
            or_(Ticket.closed_at.is_(None), Ticket.closed_at >= first),
        )
    ).all()
    shares = []
    for start in starts:
        stop = start + WEEK
        base = {c for c, created, closed in open_private if created < stop and (closed is None or closed >= start)}
        shares.append(WeekShare(iso_week(start), start, len(went[start] & base), len(base), complete=start < current))
    return shares


def alerted(session: Session, kind: str, week: str, *, since: datetime, **about: str) -> bool:
    """Whether a notification of ``kind`` about ``week`` (and ``about``, e.g. a channel) was sent
    (to anyone) since ``since``."""
    rows = session.scalars(
        select(Notification.params).where(Notification.kind == kind, Notification.created_at >= since)
    )
    return any(params.get("week") == week and all(params.get(k) == v for k, v in about.items()) for params in rows)


def team_ids_of_channel(session: Session, channel: str, since: datetime) -> list[int]:
    """The teams that had tickets on ``channel`` created since ``since``."""
    return list(
        session.scalars(
            select(Ticket.team_id)
            .where(Ticket.channel == channel, Ticket.created_at >= since, Ticket.team_id.is_not(None))
            .distinct()
            .order_by(Ticket.team_id)
        )
    )
