"""The public side's use of intake: journal, build, then acknowledge; and which ticket a visitor may see.

Composition of domain actions and queries only; the rules live in ``messages``, ``customers``
and ``tickets``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.channels.base import InboundMessage
from otklik.channels.webvisitor import FormContacts, form_follow_up, form_inbound, new_visitor_id
from otklik.core.actors import Actor
from otklik.core.errors import Conflict
from otklik.core.taxonomy import Channel, IdentityKind
from otklik.customers.actions import do_add_identity
from otklik.customers.models import Customer, Identity
from otklik.customers.queries import find_identity
from otklik.messages import pipeline
from otklik.messages.models import Message
from otklik.tickets.models import Ticket
from otklik.tickets.queries import find_active_ticket
from otklik.web.errors import PublicError
from otklik.web.i18n import text


def store(
    session: Session, inbound: InboundMessage, then: Callable[[Ticket], None] | None = None
) -> tuple[Ticket, pipeline.Built]:
    """Journal (the acknowledgement), build, then ``then`` (more writes, committed): only then may we
    answer 2xx. The ticket the message is on; the refusal, or «still waiting», raised for the page."""
    done = pipeline.built(pipeline.receive_now(session, [inbound])[0])
    ticket = session.get(Ticket, done.ticket_id)
    assert ticket is not None  # built a moment ago; tickets are never deleted
    if then is not None and not done.duplicate:
        then(ticket)
        session.commit()
    return ticket, done


def attach_contacts(session: Session, customer: Customer, contacts: FormContacts) -> None:
    """The form's e-mail and phone become the new customer's unverified addresses when nobody
    else has them; someone else's stays in the message text only (merging is the agents' call)."""
    for kind, value in ((IdentityKind.EMAIL, contacts.email), (IdentityKind.PHONE, contacts.phone)):
        if value is None:
            continue
        try:
            with session.begin_nested():
                do_add_identity(
                    session, customer, kind=kind, value=value, verified=False, actor=Actor.system("webform")
                )
        except Conflict:
            continue


def submit_form(session: Session, *, text_: str, subject: str | None, contacts: FormContacts, lang: str) -> Ticket:
    """One form submission → its own new ticket (committed)."""
    labels = {key: text(f"contact.{key}", lang) for key in ("name", "email", "phone")}
    submission = new_visitor_id(secrets.token_bytes(16), form=True)
    inbound = form_inbound(submission, text_, contacts=contacts, labels=labels, subject=subject)
    ticket, _ = store(session, inbound, then=lambda ticket: attach_contacts(session, ticket.customer, contacts))
    return ticket


def access_visitor_ticket(session: Session, visitor_id: str, ticket_id: int | None) -> Ticket | None:
    """The visitor's ticket ``ticket_id`` (403 when it is not theirs or does not exist, alike, so
    ticket numbers cannot be probed); without an id, their open web chat, if any."""
    identity = find_identity(session, IdentityKind.WEB.value, visitor_id)
    if ticket_id is None:
        return find_active_ticket(session, identity.customer_id, Channel.WEBCHAT.value) if identity else None
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or identity is None or ticket.customer_id != identity.customer_id:
        raise PublicError(403, "visitor_ticket_forbidden")
    return ticket


def form_identity(session: Session, ticket: Ticket) -> Identity | None:
    """The web identity a form ticket was written from (a follow-up is written as it); None for a
    ticket that came from any other channel, which the customer answers there."""
    if ticket.channel != Channel.WEBFORM.value:
        return None
    return session.scalars(
        select(Identity)
        .join(Message, Message.sender_identity_id == Identity.id)
        .where(Message.ticket_id == ticket.id, Identity.kind == IdentityKind.WEB.value)
        .order_by(Message.id)
        .limit(1)
    ).first()


def follow_up(session: Session, ticket: Ticket, text_: str, *, message_key: str) -> Ticket:
    """The customer adds to a form ticket from its follow page (committed); returns the ticket the
    word joined (a new one when the ticket had closed). ``PublicError`` 403 when it has no form sender."""
    identity = form_identity(session, ticket)
    if identity is None:
        raise PublicError(403, "follow_reply_forbidden")
    inbound = form_follow_up(identity.value, text_, message_key=message_key, ticket_id=ticket.id)
    return store(session, inbound)[0]
