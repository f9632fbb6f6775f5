"""The routing profile of an agent: presence, shift in their own time zone, languages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from otklik.core.db import Base, UTCDateTime


class RoutingProfile(Base):
    """One row per agent who has said something about their presence, shift or languages.

    No row (or ``status`` None) means «unknown»: such an agent takes new tickets only within
    a shift and never has tickets taken away for being absent. ``shift`` holds seven lists of
    ``["HH:MM", "HH:MM"]`` intervals, Monday first, in ``timezone``; None = no shift.
    """

    __tablename__ = "routing_profiles"

    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    #: online | away | offline | on_leave; None = never said
    status: Mapped[str | None] = mapped_column(String(10))
    status_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    shift: Mapped[list[Any] | None] = mapped_column(JSON)
    languages: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["ru"])
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
