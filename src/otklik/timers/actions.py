"""Writes of business calendars and SLA policies (admins)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.core import audit, clock
from otklik.core.actors import Actor
from otklik.core.errors import Conflict, InvalidInput, NotFound
from otklik.timers.models import CalendarRow, SlaPolicy
from otklik.timers.queries import forget_policies
from otklik.timers.sla import parse_calendar


def do_create_calendar(
    session: Session,
    *,
    name: str,
    timezone: str,
    hours: list[Any],
    holidays: list[str],
    always_open: bool,
    actor: Actor,
    at: datetime | None = None,
) -> CalendarRow:
    """A named calendar; malformed hours, dates or zones are a 422 naming what is wrong."""
    try:
        calendar = parse_calendar(timezone, hours, holidays, always_open)
    except (ValueError, TypeError) as exc:
        raise InvalidInput("invalid_field", field="hours", reason=str(exc)) from None
    if not always_open and not any(calendar.hours):  # every SLA on it would wait for an opening never due
        raise InvalidInput("invalid_field", field="hours", reason="ни одного рабочего часа / not one working hour")
    if session.scalars(select(CalendarRow.id).where(CalendarRow.name == name)).first() is not None:
        raise Conflict("invalid_field", field="name", reason=f"календарь «{name}» уже есть / already exists")
    moment = at or clock.now()
    row = CalendarRow(
        name=name, timezone=timezone, hours=hours, holidays=holidays, always_open=always_open, created_at=moment
    )
    session.add(row)
    session.flush()
    forget_policies(session)
    audit.record(session, actor=actor, action="calendar.created", entity="calendar", entity_id=row.id, at=moment)
    return row


def do_create_policy(
    session: Session,
    *,
    name: str,
    urgency: str | None,
    category: str | None,
    org_tier: str | None,
    first_response_minutes: int,
    next_response_minutes: int,
    resolution_minutes: int,
    calendar_id: int | None,
    actor: Actor,
    at: datetime | None = None,
) -> SlaPolicy:
    """An SLA policy; applies to tickets whose targets start after it exists."""
    if calendar_id is not None and session.get(CalendarRow, calendar_id) is None:
        raise NotFound("invalid_field", field="calendar_id", reason=f"нет календаря {calendar_id} / no calendar")
    moment = at or clock.now()
    row = SlaPolicy(
        name=name,
        urgency=urgency,
        category=category,
        org_tier=org_tier,
        first_response_minutes=first_response_minutes,
        next_response_minutes=next_response_minutes,
        resolution_minutes=resolution_minutes,
        calendar_id=calendar_id,
        active=True,
        created_at=moment,
    )
    session.add(row)
    session.flush()
    forget_policies(session)
    audit.record(session, actor=actor, action="sla_policy.created", entity="sla_policy", entity_id=row.id, at=moment)
    return row
