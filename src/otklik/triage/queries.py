"""Reading what agents decided: the category and urgency they gave a ticket, with the text of
the customer's first message, for the next training run."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.core.actors import ActorKind
from otklik.core.audit import AuditEvent
from otklik.messages.models import Direction, Message

TRIAGED = "ticket.triaged"
SUGGESTED = "ticket.triage_suggested"


@dataclass(frozen=True, slots=True)
class AgentLabel:
    """An agent's last word on a ticket's category and urgency. ``suggested`` is what triage had
    said (None when it never ran); ``corrected`` is whether the agent changed it."""

    ticket_id: int
    text: str
    category: str
    urgency: str
    suggested: tuple[str, str] | None

    @property
    def corrected(self) -> bool:
        return self.suggested is not None and self.suggested != (self.category, self.urgency)


def agent_labels(session: Session, limit: int = 100_000) -> list[AgentLabel]:
    """Every ticket an agent triaged (their latest ``ticket.triaged``), with its first customer message."""
    rows = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == TRIAGED, AuditEvent.actor_kind == ActorKind.AGENT.value)
        .order_by(AuditEvent.id)
        .limit(limit)
    )
    latest: dict[int, tuple[str, str]] = {}
    for event in rows:
        to = event.data.get("to") or {}
        if event.ticket_id is not None and to.get("category") and to.get("urgency"):
            latest[event.ticket_id] = (str(to["category"]), str(to["urgency"]))
    if not latest:
        return []
    first_text = _first_messages(session, list(latest))
    suggested = _suggestions(session, list(latest))
    return [
        AgentLabel(ticket_id, first_text[ticket_id], category, urgency, suggested.get(ticket_id))
        for ticket_id, (category, urgency) in latest.items()
        if first_text.get(ticket_id)
    ]


def first_words(session: Session, ticket_id: int) -> str:
    """What the customer wrote first: the subject (when it says more than the first line) and the
    text. Two columns of one row, not the message with its files and author."""
    row = session.execute(
        select(Message.subject, Message.text)
        .where(Message.ticket_id == ticket_id, Message.direction == Direction.INBOUND.value)
        .order_by(Message.created_at, Message.id)
        .limit(1)
    ).first()
    if row is None:
        return ""
    subject, text = (row[0] or "").strip(), row[1] or ""
    if subject and not text.startswith(subject):
        return f"{subject}\n{text}"
    return text


def _first_messages(session: Session, ticket_ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in _chunks(ticket_ids):
        messages = session.scalars(
            select(Message)
            .where(Message.ticket_id.in_(chunk), Message.direction == Direction.INBOUND.value)
            .order_by(Message.created_at, Message.id)
        )
        for message in messages:
            found.setdefault(message.ticket_id, message.text)
    return found


def _suggestions(session: Session, ticket_ids: list[int]) -> dict[int, tuple[str, str]]:
    found: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(ticket_ids):
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == SUGGESTED, AuditEvent.ticket_id.in_(chunk))
            .order_by(AuditEvent.id)
        )
        for event in events:
            if event.ticket_id is not None:
                found[event.ticket_id] = (str(event.data.get("category")), str(event.data.get("urgency")))
    return found


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]
