"""The append-only audit log: one row for every change, with actor and time.

Rows are never updated or deleted; database triggers (see the first migration)
refuse both, so the log stays honest even against a careless script.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from otklik.core import clock
from otklik.core.actors import Actor
from otklik.core.db import Base, BigIntPK, UTCDateTime


class AuditEvent(Base):
    """A recorded change: ``action`` is an event name such as ``ticket.status_changed``."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_ticket_id_id", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="RESTRICT"))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(60))
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_name: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None,
    ticket_id: int | None = None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one audit row in the caller's transaction."""
    event = AuditEvent(
        ticket_id=ticket_id,
        entity=entity,
        entity_id=entity_id,
        action=action,
        actor_kind=actor.kind.value,
        actor_id=actor.id,
        actor_name=actor.name,
        data=data or {},
        created_at=at or clock.now(),
    )
    session.add(event)
    return event


def list_for_ticket(session: Session, ticket_id: int, actions: tuple[str, ...] = ()) -> list[AuditEvent]:
    """A ticket's recorded changes (only ``actions`` when given), oldest first."""
    query = select(AuditEvent).where(AuditEvent.ticket_id == ticket_id)
    if actions:
        query = query.where(AuditEvent.action.in_(actions))
    return list(session.scalars(query.order_by(AuditEvent.id)))
