"""One person, one problem, one ticket: merging tickets and customers (and undoing both), and
the one-time linking code a customer sends back from another channel.

Rules (see docs/subsystems/links.md):

* tickets merge newer into older, within one customer, public with public and private
  with private; the duplicate ends ``closed`` with ``merged_into`` and its messages move;
* customers merge on an agent's word, on a linking code, or by themselves when both sides
  hold the same *verified* e-mail or phone; an unverified match is only offered;
* after a customer merge the joining rule is applied as if the two had always been one:
  when each side had exactly one open private ticket, they are the same problem and merge;
* every merge records what it moved, so ``undo`` puts exactly that back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from otklik.channels.base import InboundMessage
from otklik.core import audit
from otklik.core.actors import Actor, ActorKind
from otklik.core.errors import Conflict, NotFound
from otklik.customers.actions import check_identity
from otklik.customers.links import (
    do_attach_identity,
    do_move_identities,
    do_restore_identities,
    do_use_link_code,
    do_verify_identity,
    live_link_code,
    same_person_candidates,
)
from otklik.customers.models import Customer, CustomerMerge, Identity
from otklik.customers.queries import find_identity
from otklik.customers.rules import merge_is_automatic, parse_link_code
from otklik.messages.models import Message
from otklik.tickets.links import (
    dismissed,
    do_close_merged,
    do_follow_case_owner,
    do_link_went_public,
    do_reopen_merged,
    do_unlink_went_public,
)
from otklik.tickets.models import Ticket, TicketLink, TicketMerge
from otklik.tickets.rules import Status, merge_order


def live_customer(session: Session, customer: Customer) -> Customer:
    """The customer that carries on: a merged customer's survivor (followed to the end)."""
    seen = 0
    while customer.merged_into_id is not None and seen < 20:
        survivor = session.get(Customer, customer.merged_into_id)
        if survivor is None:
            break
        customer, seen = survivor, seen + 1
    return customer


def open_private_tickets(session: Session, customer_id: int) -> list[Ticket]:
    """The customer's tickets not yet closed and not public, newest first."""
    return list(
        session.scalars(
            select(Ticket)
            .where(Ticket.customer_id == customer_id, Ticket.status != Status.CLOSED.value, Ticket.is_public.is_(False))
            .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        ).unique()
    )


# ---- tickets --------------------------------------------------------------------------------


def do_merge_tickets(session: Session, first: Ticket, second: Ticket, *, actor: Actor, at: datetime) -> TicketMerge:
    """Merge two tickets of one customer: the newer joins the older, its messages move there.

    Emits ``ticket.merged`` (and ``ticket.status_changed`` for the duplicate) on both.
    """
    source_id, target_id = merge_order((first.created_at, first.id), (second.created_at, second.id))
    source, target = (first, second) if first.id == source_id else (second, first)
    assert target.id == target_id
    message_ids = list(session.scalars(select(Message.id).where(Message.ticket_id == source.id).order_by(Message.id)))
    snapshot = do_close_merged(session, source, target, actor=actor, at=at)
    if message_ids:
        session.execute(update(Message).where(Message.id.in_(message_ids)).values(ticket_id=target.id))
    snapshot["messages"] = message_ids
    record = TicketMerge(source_id=source.id, target_id=target.id, snapshot=snapshot, created_at=at)
    session.add(record)
    session.flush()
    return record


def do_undo_ticket_merge(session: Session, record: TicketMerge, *, actor: Actor, at: datetime) -> None:
    """Put a merged ticket back: its messages return to it and it is live again as it was.

    Emits ``ticket.merge_undone`` on both tickets.
    """
    if record.undone_at is not None:
        raise Conflict("merge_already_undone", merge_id=record.id)
    source = session.get(Ticket, record.source_id)
    target = session.get(Ticket, record.target_id)
    assert source is not None  # tickets are never deleted (RESTRICT)
    assert target is not None
    if source.status != Status.CLOSED.value or source.merged_into_id != target.id:
        raise Conflict("merge_overtaken", merge_id=record.id, ticket_id=source.id)
    message_ids = [int(i) for i in record.snapshot.get("messages", [])]
    if message_ids:
        session.execute(update(Message).where(Message.id.in_(message_ids)).values(ticket_id=source.id))
    do_reopen_merged(session, source, target, record.snapshot, actor=actor, at=at)
    record.undone_at = at


def get_ticket_merge(session: Session, merge_id: int) -> TicketMerge:
    record = session.get(TicketMerge, merge_id)
    if record is None:
        raise NotFound("merge_not_found", merge_id=merge_id)
    return record


# ---- customers ------------------------------------------------------------------------------


def do_merge_customers(
    session: Session,
    survivor: Customer,
    merged: Customer,
    *,
    cause: str,
    actor: Actor,
    at: datetime,
    verify: frozenset[int] = frozenset(),
) -> CustomerMerge:
    """Fold ``merged`` into ``survivor``: identities, tickets and the authorship of messages move;
    then, when each had exactly one open private ticket, those two merge (the same problem).

    Emits ``customer.merged``, ``ticket.customer_changed`` per moved ticket, and ``ticket.merged``.
    """
    mine = open_private_tickets(session, survivor.id)
    theirs = open_private_tickets(session, merged.id)
    record = do_move_identities(session, survivor, merged, verify=set(verify), actor=actor, at=at, cause=cause)
    tickets = list(session.scalars(select(Ticket).where(Ticket.customer_id == merged.id).order_by(Ticket.id)).unique())
    for ticket in tickets:
        ticket.customer_id = survivor.id
        ticket.customer = survivor
        _ticket_event(session, actor, ticket, at, "ticket.customer_changed", previous=merged.id, merge_id=record.id)
    message_ids = list(
        session.scalars(select(Message.id).where(Message.author_customer_id == merged.id).order_by(Message.id))
    )
    if message_ids:
        session.execute(update(Message).where(Message.id.in_(message_ids)).values(author_customer_id=survivor.id))
    ticket_merges = []
    if len(mine) == 1 and len(theirs) == 1:
        ticket_merges.append(do_merge_tickets(session, mine[0], theirs[0], actor=actor, at=at).id)
    record.moved = {
        **record.moved,
        "tickets": [t.id for t in tickets],
        "messages": message_ids,
        "ticket_merges": ticket_merges,
        "went_public": _link_public_posts(session, survivor.id, actor=actor, at=at),
    }
    session.flush()
    return record


def _link_public_posts(session: Session, customer_id: int, *, actor: Actor, at: datetime) -> list[dict[str, Any]]:
    """Once two customers are one, each of their open public posts is about the open private
    cases it came after, as if it had arrived from the merged customer: linked «went public»
    (the case's urgency rises) and owned by the case's owner. Returns what undo takes back."""
    privates = open_private_tickets(session, customer_id)
    made: list[dict[str, Any]] = []
    publics = session.scalars(
        select(Ticket)
        .where(Ticket.customer_id == customer_id, Ticket.status != Status.CLOSED.value, Ticket.is_public.is_(True))
        .order_by(Ticket.id)
    ).unique()
    for public in publics:
        posted = public.first_customer_message_at or public.created_at
        earlier = [t for t in privates if (t.first_customer_message_at or t.created_at) <= posted]
        for private in earlier:
            urgency = private.urgency
            link = do_link_went_public(session, public, private, posted_at=posted, actor=actor, at=at)
            if link is not None:
                made.append({"link": link.id, "urgency": urgency})
        do_follow_case_owner(session, public, earlier, actor=actor, at=at)
    return made


def do_undo_customer_merge(session: Session, record: CustomerMerge, *, actor: Actor, at: datetime) -> None:
    """Exactly what the merge moved goes back: its ticket merges are undone, then the tickets,
    the messages' authorship and the identities (with their old verified flags) return.
    What happened after the merge (new tickets, new messages) stays with the survivor.

    Emits ``ticket.merge_undone``, ``ticket.customer_changed`` and ``customer.merge_undone``.
    """
    if record.undone_at is not None:
        raise Conflict("merge_already_undone", merge_id=record.id)
    merged = session.get(Customer, record.merged_id)
    assert merged is not None
    for merge_id in reversed(record.moved.get("ticket_merges", [])):
        ticket_merge = get_ticket_merge(session, int(merge_id))
        if ticket_merge.undone_at is None:
            do_undo_ticket_merge(session, ticket_merge, actor=actor, at=at)
    for ticket_id in record.moved.get("tickets", []):
        ticket = session.get(Ticket, int(ticket_id))
        if ticket is not None:
            ticket.customer_id = merged.id
            ticket.customer = merged
            _ticket_event(
                session, actor, ticket, at, "ticket.customer_changed", previous=record.survivor_id, merge_id=record.id
            )
    message_ids = [int(i) for i in record.moved.get("messages", [])]
    if message_ids:
        session.execute(update(Message).where(Message.id.in_(message_ids)).values(author_customer_id=merged.id))
    for made in reversed(record.moved.get("went_public", [])):
        link = session.get(TicketLink, int(made["link"]))
        if link is not None:
            do_unlink_went_public(session, link, urgency=str(made["urgency"]), actor=actor, at=at)
    do_restore_identities(session, record, actor=actor, at=at)


def get_customer_merge(session: Session, merge_id: int) -> CustomerMerge:
    record = session.get(CustomerMerge, merge_id)
    if record is None:
        raise NotFound("merge_not_found", merge_id=merge_id)
    return record


def _ticket_event(session: Session, actor: Actor, ticket: Ticket, at: datetime, action: str, **data: Any) -> None:
    audit.record(session, actor=actor, action=action, entity="ticket", entity_id=ticket.id, ticket_id=ticket.id,
                 data={"customer_id": ticket.customer_id, **data}, at=at)  # fmt: skip


def do_merge_same_person(session: Session, customer: Customer, *, actor: Actor, at: datetime) -> list[CustomerMerge]:
    """Merge every other customer that holds the same verified e-mail or phone as a verified
    address of ``customer`` (the older customer survives). Unverified matches are only offered
    (``customer_suggestions``). Emits what ``do_merge_customers`` emits."""
    merges: list[CustomerMerge] = []
    current = live_customer(session, customer)
    for _ in range(10):  # each merge may reveal no more; ten is far beyond any real person
        pair = next(
            (
                (mine, other)
                for mine, other in same_person_candidates(session, current)
                if merge_is_automatic(mine.verified, other.verified)
            ),
            None,
        )
        if pair is None:
            break
        other_customer = session.get(Customer, pair[1].customer_id)
        assert other_customer is not None
        survivor, merged = sorted((current, other_customer), key=lambda c: (c.created_at, c.id))
        merges.append(do_merge_customers(session, survivor, merged, cause="verified_address", actor=actor, at=at))
        current = survivor
    return merges


def customer_suggestions(session: Session, customer: Customer) -> list[tuple[Customer, list[str]]]:
    """Other customers who share an e-mail or phone with ``customer`` but are not proven to be the
    same person (an unverified side): offered to the agent, minus those dismissed."""
    found: dict[int, list[str]] = {}
    for mine, other in same_person_candidates(session, customer):
        if merge_is_automatic(mine.verified, other.verified):
            continue  # merged by itself the moment the second side was verified
        if dismissed(session, "customer", customer.id, other.customer_id):
            continue
        found.setdefault(other.customer_id, []).append(f"{other.kind}:{other.value}")
    people = []
    for customer_id, reasons in found.items():
        other_customer = session.get(Customer, customer_id)
        if other_customer is not None:
            people.append((other_customer, reasons))
    return people


# ---- linking codes at intake -----------------------------------------------------------------


def do_redeem_link_code(session: Session, inbound: InboundMessage, *, at: datetime) -> Identity | None:
    """When a message is exactly a live linking code, its sender is proven to be the code's customer:
    the address is attached (verified), its former customer merged in, the code spent; the address
    the code was delivered to is proven as well. Returns the
    verified identity, or None when the message is not a live code (it is then an ordinary message).

    Emits ``customer.identity_verified`` or ``customer.identity_added``, ``customer.link_code_used``
    and, when two customers become one, what ``do_merge_customers`` emits.
    """
    code_text = parse_link_code(inbound.text)
    if code_text is None:
        return None
    code = live_link_code(session, code_text, at)
    if code is None:
        return None
    owner = session.get(Customer, code.customer_id)
    assert owner is not None  # codes cascade with their customer
    owner = live_customer(session, owner)
    actor = Actor(ActorKind.CUSTOMER, owner.id, owner.name)
    value = check_identity(inbound.sender_kind, inbound.sender_value)
    identity = find_identity(session, inbound.sender_kind.value, value)
    if identity is None:
        identity = do_attach_identity(session, owner, kind=inbound.sender_kind, value=value, actor=actor, at=at)
    elif identity.customer_id == owner.id:
        do_verify_identity(session, identity, actor=actor, at=at, how="link_code")
    else:
        other = live_customer(session, identity.customer)
        if other.id != owner.id:
            do_merge_customers(session, owner, other, cause="link_code", actor=actor, at=at)
        do_verify_identity(session, identity, actor=actor, at=at, how="link_code")
    if code.delivery_state == "sent":  # it reached that address and came back: the address is hers too
        recipient = next((i for i in owner.identities if i.value == code.recipient), None)
        if recipient is not None:
            do_verify_identity(session, recipient, actor=actor, at=at, how="link_code")
    do_use_link_code(session, code, identity, actor=actor, at=at)
    session.expire(owner, ["identities"])
    do_merge_same_person(session, owner, actor=actor, at=at)
    return identity
