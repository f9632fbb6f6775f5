"""Reads of business calendars and SLA policies (the admin pages)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.timers.models import CalendarRow, SlaPolicy


def list_calendars(session: Session) -> list[CalendarRow]:
    return list(session.scalars(select(CalendarRow).order_by(CalendarRow.name)))


def list_policies(session: Session) -> list[SlaPolicy]:
    """Every policy, active ones first, then by id (the order ``pick_policy`` is given)."""
    return list(session.scalars(select(SlaPolicy).order_by(SlaPolicy.active.desc(), SlaPolicy.id)).unique())
