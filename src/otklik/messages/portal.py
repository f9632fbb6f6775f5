"""The customer portal's view of a conversation: the public timeline (never an internal note), and
whether the customer may escalate, which depends on when they last got a substantive answer.

A substantive answer is an agent's public reply that did not fail and was not a holding reply
(«проверяю, 5 минут» — stored at the very moment of its promise, ``ticket.held``); the bot's
answers do not count either. ``do_customer_escalate`` re-checks everything before it writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.agents.models import Agent
from otklik.core.actors import Actor
from otklik.core.audit import AuditEvent
from otklik.core.errors import Conflict
from otklik.messages.models import Delivery, Direction, Message
from otklik.tickets import clocks
from otklik.tickets.models import Ticket, TicketEscalation
from otklik.tickets.portal import ack_deadline, do_escalate, escalation_lead, latest_escalation
from otklik.tickets.rules import EscalationFacts, EscalationReason, Said, Status, escalation_reason, owed_since
from otklik.timers.sla import Target

#: the longest conversation a portal page shows (the newest messages)
TIMELINE_LIMIT = 500


def public_timeline(session: Session, ticket_id: int, *, limit: int = TIMELINE_LIMIT) -> list[Message]:
    """The messages the customer may read, oldest first: public ones only."""
    newest = (
        select(Message)
        .where(Message.ticket_id == ticket_id, Message.public.is_(True))
        .order_by(Message.id.desc())
        .limit(limit)
    )
    return sorted(session.scalars(newest).unique(), key=lambda m: m.id)


def _holding_moments(session: Session, ticket_id: int) -> set[datetime]:
    return set(
        session.scalars(
            select(AuditEvent.created_at).where(AuditEvent.ticket_id == ticket_id, AuditEvent.action == "ticket.held")
        )
    )


def said_by(message: Message, holding: set[datetime]) -> Said:
    """How the «no substantive answer» rule counts one public message."""
    if message.direction == Direction.INBOUND.value:
        return Said.CUSTOMER
    if (
        message.author_agent_id is None
        or message.delivery_state == Delivery.FAILED.value
        or message.created_at in holding
    ):
        return Said.OTHER
    return Said.ANSWER


def escalation_facts(session: Session, ticket: Ticket) -> EscalationFacts:
    """The ticket as the escalation rule sees it (``tickets.rules.escalation_reason``)."""
    timeline = session.scalars(
        select(Message).where(Message.ticket_id == ticket.id, Message.public.is_(True)).order_by(Message.id)
    )
    holding = _holding_moments(session, ticket.id)
    since = owed_since((m.created_at, said_by(m, holding)) for m in timeline)
    latest = latest_escalation(session, ticket.id)
    return EscalationFacts(
        status=Status(ticket.status),
        response_due=clocks.live_due(ticket, Target.RESPONSE),
        resolution_due=clocks.live_due(ticket, Target.RESOLUTION) if ticket.status != Status.SOLVED.value else None,
        hold_until=ticket.hold_until,
        owed_since=since,
        open_escalation=latest is not None and latest.acknowledged_at is None,
        last_acknowledged_at=latest.acknowledged_at if latest is not None else None,
    )


@dataclass(frozen=True, slots=True)
class EscalationOffer:
    """The customer may escalate now: why, who will look, and by when they acknowledge."""

    reason: EscalationReason
    lead: Agent
    ack_due: datetime


def escalation_offer(
    session: Session, ticket: Ticket, *, at: datetime, quiet: timedelta, ack_hours: float
) -> EscalationOffer | None:
    """What the escalate button promises, or None when it is not offered."""
    reason = escalation_reason(escalation_facts(session, ticket), at, quiet)
    if reason is None:
        return None
    lead = escalation_lead(session, ticket)
    if lead is None:
        return None
    return EscalationOffer(reason, lead, ack_deadline(session, ticket, at, ack_hours))


def do_customer_escalate(
    session: Session, ticket: Ticket, *, actor: Actor, at: datetime, quiet: timedelta, ack_hours: float
) -> TicketEscalation:
    """The customer pressed «escalate»: allowed only as ``escalation_offer`` says, at this moment.
    Emits ``ticket.escalated_by_customer`` (see ``tickets.portal.do_escalate``)."""
    offer = escalation_offer(session, ticket, at=at, quiet=quiet, ack_hours=ack_hours)
    if offer is None:
        raise Conflict("escalation_not_allowed", ticket_id=ticket.id)
    return do_escalate(session, ticket, reason=offer.reason, lead=offer.lead, ack_due=offer.ack_due, actor=actor, at=at)
