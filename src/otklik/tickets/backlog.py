"""The backlog guard: nobody's wait goes unseen.

Reminders repeat inside the team's business hours (never at 3 a.m. for a team that
is off) until someone answers; once a working day each team's leads get a digest
of every breached and aging ticket, oldest first.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from otklik.agents.actions import do_notify
from otklik.agents.models import Team
from otklik.agents.queries import admins, leads_of_team
from otklik.core import clock
from otklik.tickets.clocks import policy_for
from otklik.tickets.models import Ticket
from otklik.tickets.rules import Status
from otklik.timers.models import CalendarRow
from otklik.timers.rules import BusinessCalendar, is_open
from otklik.timers.sla import default_office, parse_calendar

REMIND_EVERY = timedelta(minutes=30)
AGING_AFTER = timedelta(days=1)
SWEEP_LIMIT = 500
DIGEST_LIST = 20


def _breached(now: datetime) -> ColumnElement[bool]:
    return and_(
        Ticket.waiting_since.is_not(None),
        Ticket.status != Status.CLOSED.value,
        or_(
            and_(Ticket.first_response_at.is_(None), Ticket.first_response_due_at < now),
            and_(Ticket.first_response_at.is_not(None), Ticket.next_response_due_at < now),
        ),
    )


def team_calendar(session: Session, team: Team | None) -> BusinessCalendar | None:
    if team is None or team.calendar_id is None:
        return None
    row = session.get(CalendarRow, team.calendar_id)
    return parse_calendar(row.timezone, row.hours, row.holidays, row.always_open) if row else None


def sweep_backlog(session: Session, now: datetime) -> int:
    """Remind the owners of breached tickets whose team is at work; returns how many were reminded."""
    rows = session.scalars(
        select(Ticket)
        .where(_breached(now), or_(Ticket.last_reminded_at.is_(None), Ticket.last_reminded_at <= now - REMIND_EVERY))
        .order_by(Ticket.waiting_since)
        .limit(SWEEP_LIMIT)
    )
    reminded = 0
    for ticket in rows:
        calendar = team_calendar(session, ticket.team) or policy_for(session, ticket).calendar
        if not is_open(now, calendar):
            continue
        due = ticket.first_response_due_at if ticket.first_response_at is None else ticket.next_response_due_at
        recipients = (
            [ticket.assignee_id] if ticket.assignee_id else [a.id for a in leads_of_team(session, ticket.team_id)]
        )
        params = {
            "ticket_id": ticket.id,
            **clock.stamped("since", ticket.waiting_since),
            **clock.stamped("due", due),
        }
        do_notify(
            session,
            recipients or [a.id for a in admins(session)],
            kind="backlog_reminder",
            ticket_id=ticket.id,
            params=params,
        )
        ticket.last_reminded_at = now
        reminded += 1
    return reminded


def send_daily_digests(session: Session, now: datetime) -> int:
    """Each team's first open hour of the day: its leads get the breached and aging list."""
    sent = 0
    for team in session.scalars(select(Team).order_by(Team.id)):
        calendar = team_calendar(session, team) or default_office()
        local_day = now.astimezone(calendar.zone).date()
        if team.last_digest_on == local_day or not is_open(now, calendar):
            continue
        team.last_digest_on = local_day
        breached = list(session.scalars(select(Ticket.id).where(Ticket.team_id == team.id, _breached(now))))
        aging = list(
            session.scalars(
                select(Ticket.id)
                .where(
                    Ticket.team_id == team.id,
                    Ticket.status != Status.CLOSED.value,
                    Ticket.first_customer_message_at < now - AGING_AFTER,
                )
                .order_by(Ticket.first_customer_message_at)
            )
        )
        if not breached and not aging:
            continue
        oldest_first = list(dict.fromkeys(aging + breached))[:DIGEST_LIST]
        recipients = [a.id for a in leads_of_team(session, team.id)] or [a.id for a in admins(session)]
        params = {
            "team": team.name,
            "breached": len(breached),
            "aging": len(aging),
            "tickets": ", ".join(f"#{i}" for i in oldest_first),
            "ticket_ids": oldest_first,
        }
        do_notify(session, recipients, kind="daily_digest", params=params)
        sent += 1
    return sent
