"""The desk's public answer to a public complaint (story 2): it names who already has the case,
gives its number and moves the conversation to the customer's private channel with a time. The
draft is checked like any public reply; read-only — posting it is an ordinary public reply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.agents.models import Agent
from otklik.core import clock
from otklik.core.errors import Conflict
from otklik.core.taxonomy import Channel
from otklik.messages.actions import reply_channel
from otklik.messages.models import Direction, Message
from otklik.quality.checker import Check, check_reply
from otklik.quality.drafts import compose
from otklik.quality.policy import Decision, decide
from otklik.quality.queries import stored_levels
from otklik.quality.text import detect_lang
from otklik.tickets.clocks import policy_for
from otklik.tickets.links import WENT_PUBLIC
from otklik.tickets.models import Ticket
from otklik.tickets.rules import Status
from otklik.timers.rules import add_business_time
from otklik.timers.sla import DEFAULT_TIMEZONE

MERGE_HOPS = 10


@dataclass(frozen=True, slots=True)
class PublicDraft:
    """The drafted answer to ``ticket`` (public): ``case`` is where the conversation continues
    (the linked private ticket, else the public one), ``owner`` its owner, ``channel`` the
    customer's private channel (None: they have none yet), ``due`` the promised time."""

    ticket: Ticket
    case: Ticket
    owner: Agent
    channel: str | None
    due: datetime
    timezone: str
    lang: str
    text: str
    check: Check
    decision: Decision


def private_case(session: Session, ticket: Ticket) -> Ticket | None:
    """The private ticket the public complaint ``ticket`` «went public» from: a live one first,
    the newest among equals; a merged one is followed to the ticket that carries it on."""
    found: list[Ticket] = []
    for link in ticket.links_out:
        if link.kind != WENT_PUBLIC:
            continue
        case = session.get(Ticket, link.to_ticket_id)
        for _ in range(MERGE_HOPS):
            if case is None or case.merged_into_id is None:
                break
            case = session.get(Ticket, case.merged_into_id)
        if case is not None and not case.is_public and case not in found:
            found.append(case)
    if not found:
        return None
    return max(found, key=lambda t: (t.status != Status.CLOSED.value, t.id))


def private_channel(session: Session, customer_id: int, case: Ticket | None) -> str | None:
    """Where the owner will write: where a reply on the private case goes, else the channel the
    customer last wrote from on any private ticket; None when they never wrote privately."""
    if case is not None and not case.is_public:
        return reply_channel(session, case)
    return session.scalars(
        select(Message.channel)
        .join(Ticket, Ticket.id == Message.ticket_id)
        .where(
            Ticket.customer_id == customer_id,
            Ticket.is_public.is_(False),
            Message.direction == Direction.INBOUND.value,
            Message.channel != Channel.PUBLIC.value,
        )
        .order_by(Message.id.desc())
        .limit(1)
    ).first()


def draft_public_answer(
    session: Session,
    ticket: Ticket,
    *,
    lang: str | None = None,
    message_lang: str | None = None,
    at: datetime | None = None,
) -> PublicDraft:
    """Draft the public answer to the public complaint ``ticket`` and check it.

    The time is now plus the case's SLA next-response target in its business hours
    (``tickets.clocks.policy_for`` — the same policy a private ticket of that urgency gets).
    ``lang`` defaults to the language of the complaint. 409 ``public_draft_not_public`` for a
    private ticket, ``public_draft_needs_owner`` while the case has no owner to name.
    """
    if not ticket.is_public:
        raise Conflict("public_draft_not_public", ticket_id=ticket.id)
    moment = at or clock.now()
    case = private_case(session, ticket) or ticket
    owner = case.assignee
    if owner is None:
        raise Conflict("public_draft_needs_owner", ticket_id=case.id)
    language = lang if lang in ("ru", "en") else detect_lang(_complaint(session, ticket))
    policy = policy_for(session, case)
    due = add_business_time(moment, policy.next_response, policy.calendar)
    # a policy without a calendar runs 24/7 in UTC: the customer is told the desk's local time
    zone = policy.calendar.timezone if policy.calendar.timezone != "UTC" else DEFAULT_TIMEZONE
    channel = private_channel(session, ticket.customer_id, case if case is not ticket else None)
    text = compose(
        owner=owner.name, ticket_id=case.id, channel=channel, due=due, now=moment, timezone=zone, lang=language
    )
    check = check_reply(text, public=True, lang=language, message_lang=message_lang or language)
    decision = decide(
        (f.code for f in check.flags), stored_levels(session, reply_channel(session, ticket)), public=True
    )
    return PublicDraft(ticket, case, owner, channel, due, zone, language, text, check, decision)


def _complaint(session: Session, ticket: Ticket) -> str:
    """The customer's latest words on the public ticket (for the draft's language)."""
    text = session.scalars(
        select(Message.text)
        .where(Message.ticket_id == ticket.id, Message.direction == Direction.INBOUND.value)
        .order_by(Message.id.desc())
        .limit(1)
    ).first()
    return text or ""
