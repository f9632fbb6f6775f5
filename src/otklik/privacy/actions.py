"""Erasing a customer's words: on request (``do_forget_customer``) or when a channel's retention runs
out (``do_apply_retention``).

What is erased: every text on the tickets (messages, subjects, promises, survey comments, the bot's
questions, the checker's copies), files and original sources, quoted order numbers, the journal's
copies, the audit log's data for those tickets; for a forgotten customer also their name, addresses,
sign-in codes and links. What stays: the tickets' channel, category, urgency, status, owner and every
timestamp, so the support-health figures of the past do not change. Each run leaves one audit row
that counts what it erased and names nothing personal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from otklik.agents.models import Notification
from otklik.bot.models import BotTurn
from otklik.core import audit, clock, jobs
from otklik.core.actors import Actor, ActorKind
from otklik.core.audit import AuditEvent
from otklik.core.errors import Conflict, NotFound
from otklik.core.taxonomy import Channel
from otklik.customers.models import Customer, CustomerMerge, Identity, LinkCode, PortalLink, SenderRate
from otklik.messages.models import Attachment, JournalItem, Message, MessageSource
from otklik.privacy.rules import ERASED, FORGOTTEN_NAME, Retention, unsettled
from otklik.quality.models import QualityFeedback
from otklik.tickets.models import Ticket, TicketMerge, TicketReference, TicketSurvey

#: a run erases at most this many tickets per transaction step (bounded IN lists)
CHUNK = 500


@dataclass
class Erased:
    """What a run erased (or, in a dry run, would erase)."""

    customers: int = 0
    tickets: int = 0
    messages: int = 0
    files: int = 0
    identities: int = 0
    ticket_ids: list[int] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "customers": self.customers,
            "tickets": self.tickets,
            "messages": self.messages,
            "files": self.files,
            "identities": self.identities,
        }


def _erase_tickets(session: Session, ticket_ids: Sequence[int], erased: Erased) -> None:
    for start in range(0, len(ticket_ids), CHUNK):
        _erase_chunk(session, list(ticket_ids[start : start + CHUNK]), erased)


def _erase_chunk(session: Session, ids: list[int], erased: Erased) -> None:
    message_ids = list(session.scalars(select(Message.id).where(Message.ticket_id.in_(ids))))
    for message_id in message_ids:  # a reply not yet delivered would go out as the erasure mark
        jobs.cancel_prefix(session, f"message:{message_id}:")
    if message_ids:
        erased.files += _count(session.execute(delete(Attachment).where(Attachment.message_id.in_(message_ids))))
        erased.files += _count(session.execute(delete(MessageSource).where(MessageSource.message_id.in_(message_ids))))
        session.execute(delete(JournalItem).where(JournalItem.message_id.in_(message_ids)))
    session.execute(
        update(Message)
        .where(Message.ticket_id.in_(ids))
        .values(
            text=ERASED,
            subject=None,
            url=None,
            facts=None,
            delivery_error=None,
            sender_identity_id=None,
            external_id=None,
            placeholder=True,
        )
    )
    session.execute(
        update(Message)
        .where(Message.ticket_id.in_(ids), Message.delivery_state == "queued")
        .values(delivery_state="failed", delivery_error=ERASED)
    )
    session.execute(update(Ticket).where(Ticket.id.in_(ids)).values(subject=ERASED, hold_promise=None))
    session.execute(delete(TicketReference).where(TicketReference.ticket_id.in_(ids)))
    session.execute(delete(JournalItem).where(JournalItem.ticket_id.in_(ids)))
    session.execute(delete(Notification).where(Notification.ticket_id.in_(ids)))
    session.execute(update(TicketSurvey).where(TicketSurvey.ticket_id.in_(ids)).values(comment=None))
    session.execute(update(BotTurn).where(BotTurn.ticket_id.in_(ids)).values(question=ERASED))
    session.execute(
        update(QualityFeedback)
        .where(QualityFeedback.ticket_id.in_(ids))
        .values(reply=ERASED, customer_message=None, reason=None)
    )
    session.execute(
        update(TicketMerge)
        .where(or_(TicketMerge.source_id.in_(ids), TicketMerge.target_id.in_(ids)))
        .values(snapshot={"erased": True})
    )
    session.execute(update(AuditEvent).where(AuditEvent.ticket_id.in_(ids)).values(data={"erased": True}))
    erased.tickets += len(ids)
    erased.messages += len(message_ids)
    erased.ticket_ids.extend(ids)


def _messages_on(session: Session, ticket_ids: Sequence[int]) -> int:
    return sum(
        session.scalar(
            select(func.count()).select_from(Message).where(Message.ticket_id.in_(ticket_ids[i : i + CHUNK]))
        )
        or 0
        for i in range(0, len(ticket_ids), CHUNK)
    )


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _the_person(session: Session, customer_id: int) -> list[int]:
    """The customer and every record merged into them: one person."""
    people = [customer_id]
    frontier = [customer_id]
    while frontier:
        found = list(session.scalars(select(Customer.id).where(Customer.merged_into_id.in_(frontier))))
        found = [c for c in found if c not in people]
        people += found
        frontier = found
    return people


def do_forget_customer(
    session: Session, customer_id: int, *, actor: Actor, dry_run: bool = False, at: datetime | None = None
) -> Erased:
    """Erase everything personal of the customer (and the records merged into them). Refused while one
    of their tickets still waits for someone (``customer_has_open_tickets``)."""
    customer = session.get(Customer, customer_id)
    if customer is None or customer.name == FORGOTTEN_NAME:
        raise NotFound("customer_not_found", customer_id=customer_id)
    people = _the_person(session, customer_id)
    rows = session.execute(select(Ticket.id, Ticket.status).where(Ticket.customer_id.in_(people))).all()
    statuses = {row.id: row.status for row in rows}
    waiting = unsettled(statuses)
    if waiting:
        raise Conflict("customer_has_open_tickets", tickets=", ".join(f"#{t}" for t in waiting))
    identities = list(session.scalars(select(Identity).where(Identity.customer_id.in_(people))))
    erased = Erased(customers=len(people), identities=len(identities))
    if dry_run:
        erased.tickets = len(statuses)
        erased.messages = _messages_on(session, sorted(statuses))
        erased.ticket_ids = sorted(statuses)
        return erased
    moment = at or clock.now()
    _erase_tickets(session, sorted(statuses), erased)
    for identity in identities:
        session.execute(delete(SenderRate).where(SenderRate.kind == identity.kind, SenderRate.value == identity.value))
    session.execute(
        update(Message)
        .where(Message.sender_identity_id.in_([i.id for i in identities]))
        .values(sender_identity_id=None)
    )
    session.execute(delete(Identity).where(Identity.customer_id.in_(people)))
    session.execute(delete(LinkCode).where(LinkCode.customer_id.in_(people)))
    session.execute(delete(PortalLink).where(PortalLink.customer_id.in_(people)))
    session.execute(
        update(CustomerMerge)
        .where(or_(CustomerMerge.merged_id.in_(people), CustomerMerge.survivor_id.in_(people)))
        .values(moved={"erased": True})
    )
    session.execute(
        update(Customer)
        .where(Customer.id.in_(people))
        .values(name=FORGOTTEN_NAME, timezone=None, session_generation=Customer.session_generation + 1)
    )
    session.execute(
        update(AuditEvent)
        .where(AuditEvent.actor_kind == ActorKind.CUSTOMER.value, AuditEvent.actor_id.in_(people))
        .values(actor_name=FORGOTTEN_NAME, data={"erased": True})  # the one change the log allows (0017)
    )
    session.execute(
        update(AuditEvent)
        .where(AuditEvent.entity == "customer", AuditEvent.entity_id.in_(people))
        .values(data={"erased": True})
    )
    audit.record(
        session, actor=actor, action="customer.forgotten", entity="customer", entity_id=customer_id,
        data=erased.counts(), at=moment,
    )  # fmt: skip
    session.flush()
    return erased


def due_tickets(session: Session, retention: Retention, now: datetime) -> list[int]:
    """Closed tickets whose channel's retention has run out and whose words are still there."""
    found: list[int] = []
    for channel in Channel:
        keep = retention.keep_for(channel.value)
        if keep is None:
            continue
        found += session.scalars(
            select(Ticket.id).where(
                Ticket.channel == channel.value,
                Ticket.status == "closed",
                Ticket.closed_at <= now - keep,
                Ticket.subject != ERASED,
            )
        )
    return sorted(found)


def do_apply_retention(
    session: Session, retention: Retention, *, actor: Actor, dry_run: bool = False, at: datetime | None = None
) -> Erased:
    """Erase the words of every closed ticket past its channel's retention (``OTKLIK_RETENTION``)."""
    moment = at or clock.now()
    due = due_tickets(session, retention, moment)
    erased = Erased()
    if dry_run:
        erased.tickets = len(due)
        erased.ticket_ids = due
        erased.messages = _messages_on(session, due)
        return erased
    _erase_tickets(session, due, erased)
    if due:
        audit.record(
            session, actor=actor, action="retention.applied", entity="retention", entity_id=None,
            data={**erased.counts(), "policy": retention.days}, at=moment,
        )  # fmt: skip
    session.flush()
    return erased
