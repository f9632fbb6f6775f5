"""Reads of messages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.agents.rules import Principal
from otklik.core.text import search_stems
from otklik.messages.models import Message
from otklik.tickets.models import Ticket
from otklik.tickets.queries import visible_to


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


def list_messages_before(
    session: Session, ticket_id: int, *, before_id: int | None = None, limit: int = 200
) -> tuple[list[Message], bool]:
    """The latest ``limit`` messages of a ticket (before ``before_id`` when given), oldest first,
    and whether older ones exist: a long timeline is read from its end, one window at a time."""
    query = select(Message).where(Message.ticket_id == ticket_id)
    if before_id is not None:
        query = query.where(Message.id < before_id)
    rows = list(session.scalars(query.order_by(Message.id.desc()).limit(limit + 1)).unique())
    return list(reversed(rows[:limit])), len(rows) > limit


def search_messages(session: Session, who: Principal, q: str, *, limit: int = 50) -> list[Message]:
    """Messages holding every word of ``q`` in any form and order (by stem: «поставку» finds
    «поставка»), case-insensitive, on tickets ``who`` may see, newest first."""
    stems = search_stems(q)
    if not stems:
        return []
    words = [Message.text.icontains(stem, autoescape=True) for stem in stems]
    return list(
        session.scalars(
            select(Message)
            .join(Ticket, Ticket.id == Message.ticket_id)
            .where(visible_to(who), *words)
            .order_by(Message.id.desc())
            .limit(limit)
        ).unique()
    )
