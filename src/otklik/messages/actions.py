"""Intake of customer messages and the agent's replies and notes.

``do_receive_inbound`` is the single entry for every channel: identity →
ticket → message in the caller's transaction, idempotent on
``(channel, external_id)``. ``do_reply`` stores the message and its outbox row
together, so a ticket never says «answered» about an answer that does not exist.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.agents.actions import do_notify
from otklik.agents.models import Agent
from otklik.channels.actions import do_note_error, do_note_inbound, do_note_outbound
from otklik.channels.base import (
    MAX_ATTACHMENT_BYTES,
    ChannelNotConfigured,
    DeliveryResult,
    InboundMessage,
    OutboundMessage,
)
from otklik.core import audit, clock, outbox
from otklik.core.actors import Actor, ActorKind
from otklik.core.errors import Conflict, DomainError, InvalidInput
from otklik.core.taxonomy import Channel, IdentityKind
from otklik.customers.actions import do_resolve_sender
from otklik.messages.models import Attachment, Delivery, Direction, Message, MessageSource
from otklik.messages.queries import get_by_external_id, thread_ticket
from otklik.tickets.actions import (
    agent_actor,
    customer_actor,
    do_hold,
    do_open_ticket,
    do_record_answer_delivered,
    do_record_answer_lost,
    do_record_customer_message,
    do_record_public_reply,
)
from otklik.tickets.models import Ticket
from otklik.tickets.queries import find_active_ticket
from otklik.tickets.rules import Status

MAX_TEXT = 100_000
DELIVER = "message.deliver"

#: which of a customer's identities a reply on each channel goes to
RECIPIENT_KIND = {
    Channel.EMAIL: IdentityKind.EMAIL,
    Channel.TELEGRAM: IdentityKind.TELEGRAM,
    Channel.VK: IdentityKind.VK,
    Channel.WHATSAPP: IdentityKind.WHATSAPP,
    Channel.VIBER: IdentityKind.VIBER,
    Channel.WEBCHAT: IdentityKind.WEB,
    Channel.WEBFORM: IdentityKind.WEB,
    Channel.PUBLIC: IdentityKind.PUBLIC_HANDLE,
}


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
    """Store a customer's message on the ticket it belongs to, or on a new one.

    The ticket is, in order: the one whose message this answers (``thread_refs``),
    the customer's own ticket they quoted (``ticket_hint``), their active ticket on
    this channel, else a new one. A repeat of a stored ``(channel, external_id)``
    returns the stored pair with ``duplicate=True`` and changes nothing; an edit
    (``edit_of``) updates the original's text. Emits ``message.received``
    (or ``message.edited``).
    """
    existing = get_by_external_id(session, inbound.channel.value, inbound.external_id)
    if existing is not None:
        ticket = session.get(Ticket, existing.ticket_id)
        assert ticket is not None  # a message cannot outlive its ticket (FK, cascade)
        return Intake(ticket, existing, duplicate=True)
    moment = at or clock.now()
    text = check_text(inbound.text)
    if inbound.edit_of is not None:
        original = get_by_external_id(session, inbound.channel.value, inbound.edit_of)
        if original is not None:
            return _edit(session, original, inbound, text, moment)
    customer = do_resolve_sender(
        session,
        kind=inbound.sender_kind,
        value=inbound.sender_value,
        display_name=inbound.display_name,
        actor=Actor.system("intake"),
        at=moment,
    )
    who = customer_actor(customer)
    ticket = _ticket_for(session, inbound, customer.id)
    if ticket is None:
        ticket = do_open_ticket(
            session,
            customer=customer,
            channel=inbound.channel,
            subject=inbound.subject or text.split("\n", 1)[0][:120],
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
        placeholder=inbound.placeholder,
        created_at=moment,
    )
    session.add(message)
    session.flush()
    _keep_files(session, message, inbound, moment)
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


def do_receive_batch(session: Session, inbounds: tuple[InboundMessage, ...]) -> list[Intake | DomainError]:
    """Take in every message of one webhook call, each in its own savepoint.

    One message that cannot be stored (bad sender address, empty text) is reported and
    skipped; it never costs the good messages around it. Health is noted per channel.
    """
    results: list[Intake | DomainError] = []
    for inbound in inbounds:
        try:
            with session.begin_nested():
                results.append(do_receive_inbound(session, inbound))
        except DomainError as refused:
            do_note_error(session, inbound.channel.value, f"{inbound.external_id}: {refused.message('en')}")
            results.append(refused)
    if any(isinstance(r, Intake) for r in results):
        do_note_inbound(session, inbounds[0].channel.value)
    return results


def _ticket_for(session: Session, inbound: InboundMessage, customer_id: int) -> Ticket | None:
    """The open ticket this message continues; a closed one is never reopened by a new message."""
    for candidate in (
        thread_ticket(session, inbound.channel.value, inbound.thread_refs),
        session.get(Ticket, inbound.ticket_hint) if inbound.ticket_hint else None,
    ):
        if candidate is not None and candidate.customer_id == customer_id and candidate.status != Status.CLOSED.value:
            return candidate
    return find_active_ticket(session, customer_id, inbound.channel.value)


def _keep_files(session: Session, message: Message, inbound: InboundMessage, at: datetime) -> None:
    for file in inbound.attachments:
        if len(file.data) > MAX_ATTACHMENT_BYTES:
            continue  # the adapter has already said so in the text; oversized bytes are never stored
        session.add(
            Attachment(
                message_id=message.id,
                filename=file.filename[:255] or "file",
                content_type=file.content_type[:120] or "application/octet-stream",
                size=len(file.data),
                sha256=hashlib.sha256(file.data).hexdigest(),
                data=file.data,
                created_at=at,
            )
        )
    if inbound.source is not None:
        session.add(
            MessageSource(
                message_id=message.id,
                content_type=inbound.source_type or "application/octet-stream",
                content=inbound.source,
            )
        )


def _edit(session: Session, original: Message, inbound: InboundMessage, text: str, at: datetime) -> Intake:
    """The customer edited a message: the text changes, the audit log keeps the old one."""
    ticket = session.get(Ticket, original.ticket_id)
    assert ticket is not None
    before = original.text
    original.text = text
    original.edited_at = at
    ticket.updated_at = at
    audit.record(
        session,
        actor=Actor(ActorKind.CUSTOMER, original.author_customer_id, "customer"),
        action="message.edited",
        entity="message",
        entity_id=original.id,
        ticket_id=ticket.id,
        data={"before": before, "external_id": inbound.external_id},
        at=at,
    )
    return Intake(ticket, original, duplicate=False)


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
        outbox.enqueue(session, DELIVER, {"message_id": message.id}, message_id=message.id)
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


def do_holding_reply(
    session: Session,
    ticket: Ticket,
    *,
    agent: Agent,
    text: str,
    minutes: int,
    public: bool = True,
    at: datetime | None = None,
) -> Message:
    """«Проверяю слот, 5 минут»: a public reply that is also a promise with its own timer.

    The reply is stored and queued; the ticket then waits on us (``on_hold``) until the
    promised time, when it returns to the top of the owner's queue.
    """
    moment = at or clock.now()
    if not 1 <= minutes <= 24 * 60:
        raise InvalidInput("invalid_field", field="follow_up_minutes", reason="1–1440")
    if not public:
        reason = "обещание видит клиент: нужен публичный ответ / a promise is for the customer: reply publicly"
        raise InvalidInput("invalid_field", field="follow_up_minutes", reason=reason)
    message = do_reply(session, ticket, agent=agent, text=text, public=True, at=moment)
    do_hold(
        session, ticket, until=moment + timedelta(minutes=minutes), promise=message.text, actor=agent_actor(agent),
        at=moment,
    )  # fmt: skip
    return message


def outbound_for(session: Session, message: Message) -> OutboundMessage:
    """The reply as its channel adapter needs it: the recipient's address and the thread ids.

    Raises ``ChannelNotConfigured`` when the customer has no address on that channel.
    """
    ticket = session.get(Ticket, message.ticket_id)
    assert ticket is not None
    kind = RECIPIENT_KIND[Channel(message.channel)].value
    address = next((i.value for i in ticket.customer.identities if i.kind == kind), None)
    if address is None and kind != IdentityKind.WEB.value:
        raise ChannelNotConfigured(f"у клиента нет адреса {kind} / the customer has no {kind} address")
    inbound_ids = session.scalars(
        select(Message.external_id)
        .where(
            Message.ticket_id == ticket.id,
            Message.direction == Direction.INBOUND.value,
            Message.external_id.is_not(None),
            Message.id < message.id,
        )
        .order_by(Message.id)
    ).all()
    return OutboundMessage(
        message_id=message.id,
        ticket_id=ticket.id,
        channel=message.channel,
        recipient=address or f"ticket:{ticket.id}",
        text=message.text,
        subject=ticket.subject,
        agent_name=message.author_agent.name if message.author_agent else "",
        reply_to_external_ids=tuple(i for i in inbound_ids if i),
    )


def do_record_delivery(
    session: Session, message: Message, result: DeliveryResult, *, at: datetime | None = None
) -> None:
    """What the channel said about a reply. ``sent`` ends the customer's wait; ``failed`` is
    shown on the message and sent to the ticket's owner. Emits ``message.delivered`` or
    ``message.delivery_failed``."""
    moment = at or clock.now()
    ticket = session.get(Ticket, message.ticket_id)
    assert ticket is not None
    if result.sent:
        message.delivery_state = Delivery.SENT.value
        message.delivery_error = None
        if result.external_id and message.external_id is None:
            message.external_id = result.external_id[:200]
        do_record_answer_delivered(session, ticket, answered_at=message.created_at, at=moment)
        do_note_outbound(session, message.channel, at=moment)
    else:
        message.delivery_state = Delivery.FAILED.value
        message.delivery_error = (result.error or "unknown error")[:2000]
        do_record_answer_lost(session, ticket, answered_at=message.created_at, at=moment)
        do_note_error(
            session, message.channel, message.delivery_error, credentials=result.credentials_rejected, at=moment
        )
        owner = [ticket.assignee_id] if ticket.assignee_id else []
        do_notify(
            session,
            owner,
            kind="delivery_failed",
            ticket_id=ticket.id,
            params={"ticket_id": ticket.id, "error": message.delivery_error, "message_id": message.id},
            at=moment,
        )
    audit.record(
        session,
        actor=Actor.system("delivery"),
        action="message.delivered" if result.sent else "message.delivery_failed",
        entity="message",
        entity_id=message.id,
        ticket_id=ticket.id,
        data={"external_id": result.external_id, "error": result.error},
        at=moment,
    )
