"""Intake of customer messages and the agent's replies and notes.

``do_receive_inbound`` is the single entry for every channel: identity →
ticket → message in the caller's transaction, idempotent on
``(channel, external_id)``. ``do_reply`` stores the message and its outbox row
together, so a ticket never says «answered» about an answer that does not exist.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from otklik.agents.actions import do_notify
from otklik.agents.models import Agent
from otklik.channels.actions import do_note_error, do_note_outbound
from otklik.channels.base import (
    MAX_ATTACHMENT_BYTES,
    ChannelNotConfigured,
    DeliveryResult,
    InboundMessage,
    OutboundMessage,
)
from otklik.channels.registry import CONVERSATION_ONLY, POSTED_BY_HAND
from otklik.core import audit, clock, outbox
from otklik.core.actors import Actor, ActorKind
from otklik.core.config import Settings, get_settings
from otklik.core.errors import Conflict, InvalidInput
from otklik.core.i18n import LANGS, language_of, translate
from otklik.core.taxonomy import Channel, IdentityKind
from otklik.customers.actions import check_identity, do_resolve_sender
from otklik.customers.links import do_count_sender
from otklik.customers.models import Identity
from otklik.customers.queries import find_identity
from otklik.customers.rules import RateWindow
from otklik.messages.journal import content_digest
from otklik.messages.links import do_redeem_link_code, open_private_tickets
from otklik.messages.models import Attachment, Delivery, Direction, Message, MessageSource
from otklik.messages.queries import get_by_external_id, thread_ticket
from otklik.tickets.actions import (
    agent_actor,
    customer_actor,
    do_add_reference,
    do_assign,
    do_hold,
    do_open_ticket,
    do_record_answer_delivered,
    do_record_answer_lost,
    do_record_bot_reply,
    do_record_customer_message,
    do_record_public_reply,
)
from otklik.tickets.links import do_follow_case_owner, do_link_went_public
from otklik.tickets.models import Ticket
from otklik.tickets.queries import find_active_ticket
from otklik.tickets.rules import Status, quoted_references

MAX_TEXT = 100_000
DELIVER = "message.deliver"
log = logging.getLogger("otklik.intake")
PUBLIC_SITE = Actor.system("public")

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
    #: the sender was over a rate limit: stored and shown, but nobody (the bot included) was woken
    over_rate: bool = False


NewTicketHook = Callable[[Session, Ticket], None]
StoredHook = Callable[[Session, Intake], None]
#: what a new ticket and a stored customer message set going in the domains above (routing, triage,
#: the bot). They subscribe when their ``tasks`` module is imported, which every process does at start
#: (``worker.registry.load``), so intake names none of their jobs and import-linter sees who depends on whom.
_ON_NEW_TICKET: list[NewTicketHook] = []
_ON_STORED: list[StoredHook] = []


def on_new_ticket(hook: NewTicketHook) -> NewTicketHook:
    """Run ``hook(session, ticket)`` in intake's transaction whenever a message opens a ticket."""
    _ON_NEW_TICKET.append(hook)
    return hook


def on_message_stored(hook: StoredHook) -> StoredHook:
    """Run ``hook(session, intake)`` in intake's transaction after each new customer message is stored."""
    _ON_STORED.append(hook)
    return hook


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

    The ticket is chosen by ``_ticket_for`` (the same problem joins its open ticket, on any
    channel). A repeat of a stored ``(channel, external_id)`` returns the stored pair with
    ``duplicate=True`` and changes nothing; an edit (``edit_of``) updates the original's text.
    A new message counts against its sender's rate limits; beyond them it is still stored on the
    sender's ticket (a flood is folded in, never dropped) but wakes nobody: no bot turn is
    scheduled for it (``Intake.over_rate``). A message that is exactly a live linking code first
    proves its sender is the code's customer (``messages.links.do_redeem_link_code``). Emits
    ``message.received`` (or ``message.edited``).
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
    sender = check_identity(inbound.sender_kind, inbound.sender_value)
    over = do_count_sender(session, inbound.sender_kind.value, sender, rate_windows(get_settings()), moment)
    do_redeem_link_code(session, inbound, at=moment)
    customer = do_resolve_sender(
        session,
        kind=inbound.sender_kind,
        value=inbound.sender_value,
        display_name=inbound.display_name,
        actor=Actor.system("intake"),
        at=moment,
    )
    who = customer_actor(customer)
    identity = find_identity(session, inbound.sender_kind.value, sender)
    verified = identity is not None and identity.verified
    ticket, quoted = _ticket_for(session, inbound, customer.id, text, verified=verified)
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
        for kind, value in quoted:  # shared with older tickets: the agent is offered the merge
            do_add_reference(session, ticket, kind=kind, value=value, actor=who, at=moment)
        _after_new_ticket(session, ticket)
    message = Message(
        ticket_id=ticket.id,
        direction=Direction.INBOUND.value,
        public=True,
        channel=inbound.channel.value,
        external_id=inbound.external_id,
        author_customer_id=customer.id,
        author_customer=customer,
        sender_identity_id=identity.id if identity is not None else None,
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
    if ticket.is_public:
        _link_public(session, ticket, inbound, moment)
    audit.record(
        session,
        actor=who,
        action="message.received",
        entity="message",
        entity_id=message.id,
        ticket_id=ticket.id,
        data={"channel": inbound.channel.value, "external_id": inbound.external_id}
        | ({"over_rate": f"{over.window.limit}/{over.window.name}"} if over else {}),
        at=moment,
    )
    intake = Intake(ticket, message, duplicate=False, over_rate=over is not None)
    for hook in _ON_STORED:  # the bot's turn on a live channel (otklik.bot.tasks)
        hook(session, intake)
    return intake


def keyed_by_content(session: Session, inbound: InboundMessage) -> InboundMessage:
    """``inbound`` as intake should key it: a channel id already stored for a *different* message
    (mail clients, lists and spammers reuse Message-IDs) gets an id of its own derived from the
    content, so the new message is stored rather than dropped as a repeat; a true repeat (same
    subject and text) keeps the id and stays a duplicate."""
    stored = get_by_external_id(session, inbound.channel.value, inbound.external_id)
    if stored is None or (stored.text, stored.subject or None) == (inbound.text.strip(), inbound.subject or None):
        return inbound
    return replace(inbound, external_id=f"{inbound.external_id[:180]}#{content_digest(inbound)}")


def _after_new_ticket(session: Session, ticket: Ticket) -> None:
    """What a new ticket sets going, in intake's own transaction: routing's job (otklik.routing.tasks)
    has triage read it and names an owner; with routing off, triage's own job (otklik.triage.tasks)
    reads it; with both off, nothing runs and people take tickets from the shared queue."""
    for hook in _ON_NEW_TICKET:
        hook(session, ticket)


def rate_windows(settings: Settings) -> tuple[RateWindow, ...]:
    """The per-sender limits in force: a minute and a UTC day."""
    return (RateWindow("minute", 60, settings.rate_per_minute), RateWindow("day", 86_400, settings.rate_per_day))


def _ticket_for(
    session: Session, inbound: InboundMessage, customer_id: int, text: str, *, verified: bool
) -> tuple[Ticket | None, list[tuple[str, str]]]:
    """The open ticket this message continues, else None and the outside numbers it quotes
    from several open tickets (the new ticket keeps them, so the agent is offered a merge).

    The same problem joins its ticket whatever the channel: in order, the ticket of the
    message this one answers (``thread_refs``), the ticket whose number it quotes, the one
    open ticket whose order/supply/claim number it quotes, the customer's only open ticket,
    else their latest open ticket on this channel. A ticket on another channel is a candidate
    only between verified addresses (this sender's, and one that wrote on that ticket): an
    unverified address may be a shared family or company account, and two people's problems
    must not become one. A closed ticket is never reopened by a new message (a merged one is
    followed to the ticket it joined). Public posts join only the author's public ticket: a
    public complaint is its own ticket, linked to the private one.
    """
    public = inbound.channel is Channel.PUBLIC
    for candidate in (
        thread_ticket(session, inbound.channel.value, inbound.thread_refs),
        session.get(Ticket, inbound.ticket_hint) if inbound.ticket_hint else None,
    ):
        live = _carried_on(session, candidate)
        if live is not None and live.customer_id == customer_id and live.is_public == public:
            return live, []
    candidates = [
        t
        for t in session.scalars(
            select(Ticket)
            .where(Ticket.customer_id == customer_id, Ticket.status != Status.CLOSED.value, Ticket.is_public == public)
            .order_by(Ticket.updated_at.desc(), Ticket.id.desc())
        ).unique()
        if t.channel == inbound.channel.value or (verified and _heard_verified(session, t))
    ]
    quoting = [(t, quoted_references(text, [r.value for r in t.references])) for t in candidates]
    quoting = [(t, values) for t, values in quoting if values]
    if len(quoting) == 1:
        return quoting[0][0], []
    if len(candidates) == 1:
        return candidates[0], []
    same_channel = find_active_ticket(session, customer_id, inbound.channel.value)
    if same_channel is not None and same_channel.is_public == public:
        return same_channel, []
    quoted = sorted({(r.kind, r.value) for t, values in quoting for r in t.references if r.value in values})
    return None, quoted


def _link_public(session: Session, ticket: Ticket, inbound: InboundMessage, at: datetime) -> None:
    """A public post by a customer with open private cases: each case «went public» (once)."""
    posted = min(inbound.sent_at or at, at)
    privates = open_private_tickets(session, ticket.customer_id)
    for private in privates:
        do_link_went_public(session, ticket, private, posted_at=posted, actor=PUBLIC_SITE, at=at)
    do_follow_case_owner(session, ticket, privates, actor=PUBLIC_SITE, at=at)


def _heard_verified(session: Session, ticket: Ticket) -> bool:
    """Whether a verified address of the customer has written on ``ticket``."""
    found = session.scalars(
        select(Message.id)
        .join(Identity, Identity.id == Message.sender_identity_id)
        .where(Message.ticket_id == ticket.id, Identity.verified.is_(True), Identity.customer_id == ticket.customer_id)
        .limit(1)
    ).first()
    return found is not None


def _carried_on(session: Session, ticket: Ticket | None) -> Ticket | None:
    """``ticket`` if it is open; a merged ticket's survivor; None for a closed one."""
    for _ in range(10):
        if ticket is None or ticket.status != Status.CLOSED.value:
            return ticket
        if ticket.merged_into_id is None:
            return None
        ticket = session.get(Ticket, ticket.merged_into_id)
    return None


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
    message = _store_outbound(session, ticket, text=body, public=public, agent=agent, at=moment)
    if public:
        if message.channel not in POSTED_BY_HAND:  # there the answer counts once it is posted
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


def do_desk_reply(
    session: Session,
    ticket: Ticket,
    *,
    text: str,
    public: bool,
    actor: Actor,
    at: datetime | None = None,
    facts: dict[str, Any] | None = None,
) -> Message:
    """A message the desk writes itself, with no agent as author: the self-service bot's answer
    (public: queued through the outbox like any reply; the ticket waits for the customer and nobody
    becomes its owner, ``tickets.actions.do_record_bot_reply``) or its hand-off note (internal).
    ``facts``: what a note says, structured, for readers in another language (``Message.facts``).
    The caller records its own event (``bot.answered``, ``bot.handed_off``)."""
    moment = at or clock.now()
    body = text.strip()[:MAX_TEXT]
    if not body:
        raise InvalidInput("text_empty", field="text")
    message = _store_outbound(session, ticket, text=body, public=public, agent=None, at=moment)
    message.facts = facts
    if public:
        do_record_bot_reply(session, ticket, actor=actor, at=moment)
    else:
        ticket.updated_at = moment
    return message


#: ``Message.facts["notice"]`` of the desk's notice naming the owner (not an answer: see ``do_announce_owner``)
OWNER_NOTICE = "owner"


def is_notice(message: Message) -> bool:
    """A desk notice (who owns the case), not an answer: its delivery moves no status and no SLA clock."""
    return bool(message.facts and message.facts.get("notice"))


def do_announce_owner(session: Session, ticket: Ticket, *, at: datetime | None = None) -> Message | None:
    """Tell a messenger customer, in the conversation, who now owns their case («Вашим обращением
    занимается Марина»), once per owner; a customer of the portal, the widget or e-mail reads it on
    their page. Not an answer: the ticket's status, its SLA clocks and its first response stay as they
    were (``is_notice``). Returns the queued notice, or None when none is due."""
    owner = ticket.assignee
    if owner is None or ticket.status == Status.CLOSED.value:
        return None
    latest = _latest_inbound(session, ticket)
    channel = latest.channel if latest else ticket.channel  # where the notice goes, as reply_channel says
    if channel not in CONVERSATION_ONLY:
        return None
    told = session.scalars(
        select(Message)
        .where(Message.ticket_id == ticket.id, Message.direction == Direction.OUTBOUND.value,
               Message.author_agent_id.is_(None), Message.public.is_(True))
        .order_by(Message.id.desc())
    )  # fmt: skip
    last = next((m for m in told if is_notice(m)), None)
    if last is not None and last.facts is not None and last.facts.get("owner_id") == owner.id:
        return None
    known = ticket.customer.lang if ticket.customer.lang in LANGS else "ru"
    lang = language_of(latest.text if latest else None, default=known)  # the language they wrote in
    moment = at or clock.now()
    text = translate("notice.owner", lang, name=owner.name)
    message = _store_outbound(session, ticket, text=text, public=True, agent=None, at=moment, channel=channel)
    message.facts = {"notice": OWNER_NOTICE, "owner_id": owner.id}
    return message


def _store_outbound(
    session: Session,
    ticket: Ticket,
    *,
    text: str,
    public: bool,
    agent: Agent | None,
    at: datetime,
    channel: str | None = None,
) -> Message:
    """Our message on ``ticket``, stored; a public one goes to the customer's latest channel (``channel``
    when the caller has already looked it up) and into the outbox (``message.deliver``), a note stays on
    the ticket's own channel."""
    if channel is None:
        channel = reply_channel(session, ticket) if public or agent is not None else ticket.channel
    message = Message(
        ticket_id=ticket.id,
        direction=Direction.OUTBOUND.value,
        public=public,
        channel=channel,
        author_agent_id=agent.id if agent is not None else None,
        author_agent=agent,
        text=text,
        delivery_state=Delivery.QUEUED.value if public else None,
        created_at=at,
    )
    session.add(message)
    session.flush()
    if public:
        outbox.enqueue(session, DELIVER, {"message_id": message.id}, message_id=message.id)
    return message


def reply_channel(session: Session, ticket: Ticket) -> str:
    """Where a reply goes: the channel the customer last wrote from on this ticket (a merged
    ticket holds several), else the ticket's own channel."""
    latest = _latest_inbound(session, ticket)
    return latest.channel if latest else ticket.channel


def _latest_inbound(session: Session, ticket: Ticket) -> Row[str, str] | None:
    """The channel and words of the customer's latest message on ``ticket``."""
    return session.execute(
        select(Message.channel, Message.text)
        .where(Message.ticket_id == ticket.id, Message.direction == Direction.INBOUND.value)
        .order_by(Message.id.desc())
        .limit(1)
    ).first()


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
    """«Проверяю слот, 5 минут»: a public reply that is also a promise with its own timer
    (``do_promise`` with a due time ``minutes`` ahead)."""
    moment = at or clock.now()
    if not 1 <= minutes <= 24 * 60:
        raise InvalidInput("invalid_field", field="follow_up_minutes", reason="1–1440")
    if not public:
        reason = "обещание видит клиент: нужен публичный ответ / a promise is for the customer: reply publicly"
        raise InvalidInput("invalid_field", field="follow_up_minutes", reason=reason)
    return do_promise(session, ticket, agent=agent, text=text, until=moment + timedelta(minutes=minutes), at=moment)


def check_promise(text: str, until: datetime, at: datetime | None = None) -> str:
    """The promise's words and time, refused before anything is checked or stored (422 naming
    ``promise`` or ``until``)."""
    moment = at or clock.now()
    if until <= moment:
        raise InvalidInput("hold_in_past", field="until", now=moment.isoformat(timespec="seconds"))
    return check_text(text, field="promise")


def do_promise(
    session: Session, ticket: Ticket, *, agent: Agent, text: str, until: datetime, at: datetime | None = None
) -> Message:
    """A promise the customer hears: the agent's words go out as a public reply on the ticket's
    channel (stored, queued, delivered like any reply, so every SLA fact of a reply holds), and the
    ticket waits on us (``on_hold``) until ``until``, when it returns to the top of the owner's queue.
    A promise nobody told the customer is the «we'll contact you in a month» our users left their
    old desks over. The caller checks ``text`` with the reply checker first."""
    moment = at or clock.now()
    words = check_promise(text, until, moment)
    message = do_reply(session, ticket, agent=agent, text=words, public=True, at=moment)
    if ticket.assignee_id is None:  # a reply posted by hand names no owner yet: the one who promised owns it
        do_assign(session, ticket, agent, actor=agent_actor(agent), reason="promised", at=moment)
        do_announce_owner(session, ticket, at=moment)
    do_hold(session, ticket, until=until, promise=message.text, actor=agent_actor(agent), at=moment)
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
            Message.channel == message.channel,  # a merged ticket also holds other channels' ids
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


def do_await_confirmation(session: Session, message: Message, note: str) -> None:
    """The channel took the reply to be posted by a person: it stays ``queued``, saying so."""
    message.delivery_error = note[:2000]


def do_confirm_posted(
    session: Session, message: Message, *, url: str, agent: Agent, at: datetime | None = None
) -> None:
    """An agent posted a waiting reply by hand at ``url``: now, and only now, it is ``sent`` and the
    ticket waits for the customer (until then it said we still owe an answer)."""
    if message.direction != Direction.OUTBOUND.value or not message.public:
        raise Conflict("posted_not_a_reply", message_id=message.id)
    if message.delivery_state != Delivery.QUEUED.value:
        raise Conflict("posted_not_waiting", message_id=message.id, state=message.delivery_state or "")
    cleaned = url.strip()
    if not cleaned.startswith(("https://", "http://")) or len(cleaned) > 2000:
        raise InvalidInput("invalid_field", field="url", reason="нужна ссылка на публикацию / a link to the post")
    message.url = cleaned
    moment = at or clock.now()
    audit.record(
        session, actor=agent_actor(agent), action="message.posted_by_hand", entity="message", entity_id=message.id,
        ticket_id=message.ticket_id, data={"url": cleaned}, at=moment,
    )  # fmt: skip
    ticket = session.get(Ticket, message.ticket_id)
    assert ticket is not None
    if message.channel in POSTED_BY_HAND:
        do_record_public_reply(session, ticket, agent=agent, actor=agent_actor(agent), at=moment)
    do_record_delivery(session, message, DeliveryResult(True, external_id=cleaned), at=moment)


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
        if not is_notice(message):
            wait = do_record_answer_delivered(session, ticket, answered_at=message.created_at, at=moment)
            if wait is not None:
                message.wait_seconds, message.wait_business_seconds = wait.seconds, wait.business_seconds
        do_note_outbound(session, message.channel, at=moment)
    else:
        message.delivery_state = Delivery.FAILED.value
        message.delivery_error = (result.error or "unknown error")[:2000]
        if not is_notice(message):
            do_record_answer_lost(session, ticket, answered_at=message.created_at, at=moment)
        do_note_error(
            session, message.channel, message.delivery_error, credentials=result.credentials_rejected, at=moment
        )
        owner = [ticket.assignee_id] if ticket.assignee_id and not is_notice(message) else []
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
