"""The transactional outbox: side effects are rows written with the change that causes them.

A reply is "queued" the moment its outbox row commits together with the
message; the worker (a later stage) delivers it and records the outcome.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from otklik.core import clock
from otklik.core.db import Base, BigIntPK, UTCDateTime


class OutboxState(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class OutboxEntry(Base):
    """One side effect waiting to happen (``topic`` names it, e.g. ``message.deliver``)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_due_at", "state", "due_at"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    topic: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(20), default=OutboxState.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


def enqueue(
    session: Session,
    topic: str,
    payload: dict[str, Any],
    *,
    message_id: int | None = None,
    due_at: datetime | None = None,
) -> OutboxEntry:
    """Add a side effect to the caller's transaction; it exists only if that commits."""
    moment = clock.now()
    entry = OutboxEntry(
        topic=topic,
        payload=payload,
        message_id=message_id,
        state=OutboxState.PENDING.value,
        attempts=0,
        due_at=due_at or moment,
        created_at=moment,
    )
    session.add(entry)
    return entry
