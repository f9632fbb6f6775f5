"""Reads of business calendars and SLA policies: the admin pages, and the active policies every
ticket clock is planned on (read once per transaction: ``core.txcache``)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.core.txcache import forget, per_transaction
from otklik.timers.models import CalendarRow, SlaPolicy
from otklik.timers.rules import BusinessCalendar
from otklik.timers.sla import Policy, parse_calendar

_ACTIVE = "otklik.timers.active_policies"


def list_calendars(session: Session) -> list[CalendarRow]:
    return list(session.scalars(select(CalendarRow).order_by(CalendarRow.name)))


def list_policies(session: Session) -> list[SlaPolicy]:
    """Every policy, active ones first, then by id (the order ``pick_policy`` is given)."""
    return list(session.scalars(select(SlaPolicy).order_by(SlaPolicy.active.desc(), SlaPolicy.id)).unique())


def active_policies(session: Session) -> list[Policy]:
    """The active SLA policies, parsed, in the order ``pick_policy`` is given (oldest first)."""
    return per_transaction(session, _ACTIVE, lambda: _read_active(session))


def forget_policies(session: Session) -> None:
    """A policy or calendar was created: the clocks planned next in this session see it."""
    forget(session, _ACTIVE)


def _read_active(session: Session) -> list[Policy]:
    rows = session.scalars(select(SlaPolicy).where(SlaPolicy.active.is_(True)).order_by(SlaPolicy.id))
    policies = []
    for row in rows:
        calendar = (
            parse_calendar(row.calendar.timezone, row.calendar.hours, row.calendar.holidays, row.calendar.always_open)
            if row.calendar is not None
            else BusinessCalendar.always()
        )
        policies.append(
            Policy(
                row.name,
                timedelta(minutes=row.first_response_minutes),
                timedelta(minutes=row.next_response_minutes),
                timedelta(minutes=row.resolution_minutes),
                calendar,
                urgency=row.urgency,
                category=row.category,
                org_tier=row.org_tier,
                id=row.id,
            )
        )
    return policies
