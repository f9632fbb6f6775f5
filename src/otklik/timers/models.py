"""Business calendars and SLA policies as admins configure them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from otklik.core.db import Base, BigIntPK, UTCDateTime


class CalendarRow(Base):
    """Working hours per weekday (local time), holidays and a time zone; or 24/7."""

    __tablename__ = "business_calendars"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    #: seven lists (Monday first) of ["HH:MM", "HH:MM"] intervals
    hours: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: ISO dates the desk is closed
    holidays: Mapped[list[str]] = mapped_column(JSON, default=list)
    always_open: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SlaPolicy(Base):
    """Targets in minutes of the calendar's open time; the most specific matching policy wins.

    ``urgency``, ``category`` and ``org_tier`` left empty match anything.
    """

    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    urgency: Mapped[str | None] = mapped_column(String(10))
    category: Mapped[str | None] = mapped_column(String(40))
    org_tier: Mapped[str | None] = mapped_column(String(20))
    first_response_minutes: Mapped[int] = mapped_column(Integer)
    next_response_minutes: Mapped[int] = mapped_column(Integer)
    resolution_minutes: Mapped[int] = mapped_column(Integer)
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("business_calendars.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    calendar: Mapped[CalendarRow | None] = relationship(lazy="joined")
