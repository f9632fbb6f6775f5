"""Reply-quality tables: each channel's reply policy, and the agents' overrides and dismissals of
checker flags, kept as labelled examples for the checker's evaluation (``otklik quality eval
--with-feedback``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from otklik.core.db import Base, BigIntPK, UTCDateTime


class QualityPolicy(Base):
    """An admin's choice of ``warn`` or ``block`` per flag on one channel; no row means the defaults."""

    __tablename__ = "quality_policies"

    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    #: flag code → "warn" | "block", every code of the taxonomy
    levels: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[int | None] = mapped_column(BigInteger)


class QualityFeedback(Base):
    """An agent disagreed with the checker, with a reason: sent a blocked reply anyway
    (``override``) or set aside flags that only warned (``dismissal``).

    ``flags`` are the checker's findings on ``reply`` at the time (``code``, ``start``, ``end``,
    ``text``, ``level``); ``disputed`` the codes the agent overrode or dismissed. As a labelled
    example the reply's gold flags are ``flags`` minus ``disputed``.
    """

    __tablename__ = "quality_feedback"
    __table_args__ = (
        Index("ix_quality_feedback_ticket_id", "ticket_id"),
        Index("ix_quality_feedback_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    decision: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text)
    reply: Mapped[str] = mapped_column(Text)
    customer_message: Mapped[str | None] = mapped_column(Text)
    flags: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    disputed: Mapped[list[str]] = mapped_column(JSON, default=list)
    lang: Mapped[str] = mapped_column(String(5))
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    channel: Mapped[str | None] = mapped_column(String(20))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
