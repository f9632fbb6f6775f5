"""Reads of messages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.messages.models import Message
from otklik.tickets.models import Ticket


def get_by_external_id(session: Session, channel: str, external_id: str) -> Message | None:
    return session.scalars(
        select(Message).where(Message.channel == channel, Message.external_id == external_id)
    ).first()


def list_messages(session: Session, ticket_id: int, *, after_id: int = 0, limit: int = 200) -> list[Message]:
    """A ticket's timeline in order, ``limit`` at a time after ``after_id``."""
    return list(
        session.scalars(
            select(Message)
            .where(Message.ticket_id == ticket_id, Message.id > after_id)
            .order_by(Message.id)
            .limit(limit)
        ).unique()
    )


def thread_ticket(session: Session, channel: str, refs: tuple[str, ...]) -> Ticket | None:
    """The ticket of the newest message among ``refs`` (the ids a reply says it answers)."""
    if not refs:
        return None
    message = session.scalars(
        select(Message).where(Message.channel == channel, Message.external_id.in_(refs)).order_by(Message.id.desc())
    ).first()
    return session.get(Ticket, message.ticket_id) if message else None
