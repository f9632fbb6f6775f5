"""Intake of customer messages and the agent's replies and notes.

``do_receive_inbound`` is the single entry for every channel: identity →
ticket → message in the caller's transaction, idempotent on
``(channel, external_id)``. ``do_reply`` stores the message and its outbox row
together, so a ticket never says «answered» about an answer that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from otklik.agents.models import Agent
from otklik.core import audit, clock, outbox
from otklik.core.actors import Actor
from otklik.core.errors import Conflict, InvalidInput
from otklik.core.taxonomy import Channel, IdentityKind
from otklik.customers.actions import do_resolve_sender
from otklik.messages.models import Delivery, Direction, Message
from otklik.messages.queries import get_by_external_id
from otklik.tickets.actions import (
    agent_actor,
    customer_actor,
    do_open_ticket,
    do_record_customer_message,
    do_record_public_reply,
)
from otklik.tickets.models import Ticket
from otklik.tickets.queries import find_active_ticket
from otklik.tickets.rules import Status

MAX_TEXT = 100_000


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """A customer's message in the channel-neutral form every adapter produces."""

    channel: Channel
    external_id: str
    sender_kind: IdentityKind
    sender_value: str
    text: str
    display_name: str | None = None
    subject: str | None = None
    url: str | None = None
    sent_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Intake:
    """What intake did: the ticket and message, and whether it had them already."""

    ticket: Ticket
    message: Message
    duplicate: bool


def check_text(text: str, field: str = "text") -> str:
    stripped = text.strip()
    if not stripped:
        raise InvalidInput("text_empty", field=field)
    if len(stripped) > MAX_TEXT:
        raise InvalidInput(
            "invalid_field", field=field, reason=f"длиннее {MAX_TEXT} символов / over {MAX_TEXT} characters"
        )
    return stripped


def do_receive_inbound(session: Session, inbound: InboundMessage, *, at: datetime | None = None) -> Intake:
    """Store a customer's message on their active ticket on that channel, or a new one.

    A repeat of a stored ``(channel, external_id)`` returns the stored pair with
    ``duplicate=True`` and changes nothing. Emits ``message.received``.
    """
    existing = get_by_external_id(session, inbound.channel.value, inbound.external_id)
    if existing is not None:
        ticket = session.get(Ticket, existing.ticket_id)
        assert ticket is not None  # a message cannot outlive its ticket (FK, cascade)
        return Intake(ticket, existing, duplicate=True)
    moment = at or clock.now()
    text = check_text(inbound.text)
    intake_actor = Actor.system("intake")
    customer = do_resolve_sender(
        session,
        kind=inbound.sender_kind,
        value=inbound.sender_value,
        display_name=inbound.display_name,
        actor=intake_actor,
        at=moment,
    )
    who = customer_actor(customer)
    ticket = find_active_ticket(session, customer.id, inbound.channel.value)
    if ticket is None:
        subject = inbound.subject or text.split("\n", 1)[0][:120]
        ticket = do_open_ticket(
            session,
            customer=customer,
            channel=inbound.channel,
            subject=subject,
            actor=who,
            at=moment,
            is_public=inbound.channel is Channel.PUBLIC,
        )
    message = Message(
        ticket_id=ticket.id,
        direction=Direction.INBOUND.value,
        public=True,
        channel=inbound.channel.value,
        external_id=inbound.external_id,
        author_customer_id=customer.id,
        author_customer=customer,
        text=text,
        subject=inbound.subject,
        url=inbound.url,
        sent_at=inbound.sent_at,
        created_at=moment,
    )
    session.add(message)
    session.flush()
    do_record_customer_message(session, ticket, actor=who, at=moment)
    audit.record(
        session,
        actor=who,
        action="message.received",
        entity="message",
        entity_id=message.id,
        ticket_id=ticket.id,
        data={"channel": inbound.channel.value, "external_id": inbound.external_id},
        at=moment,
    )
    return Intake(ticket, message, duplicate=False)


def do_reply(
    session: Session, ticket: Ticket, *, agent: Agent, text: str, public: bool, at: datetime | None = None
) -> Message:
    """A public reply (stored, queued in the outbox, status follows) or an internal note.

    Emits ``message.replied`` or ``message.note_added``; a public reply also
    puts a ``message.deliver`` entry in the outbox.
    """
    moment = at or clock.now()
    body = check_text(text)
    if ticket.status == Status.CLOSED.value and public:
        raise Conflict("transition_not_allowed", action="public_reply", status=ticket.status)
    actor = agent_actor(agent)
    message = Message(
        ticket_id=ticket.id,
        direction=Direction.OUTBOUND.value,
        public=public,
        channel=ticket.channel,
        author_agent_id=agent.id,
        author_agent=agent,
        text=body,
        delivery_state=Delivery.QUEUED.value if public else None,
        created_at=moment,
    )
    session.add(message)
    session.flush()
    if public:
        outbox.enqueue(session, "message.deliver", {"message_id": message.id}, message_id=message.id)
        do_record_public_reply(session, ticket, agent=agent, actor=actor, at=moment)
    else:
        ticket.updated_at = moment
    audit.record(
        session,
        actor=actor,
        action="message.replied" if public else "message.note_added",
        entity="message",
        entity_id=message.id,
        ticket_id=ticket.id,
        at=moment,
    )
    return message
