"""One person, one problem: linking codes, verified addresses, customer and ticket merges, undo,
and the merges Otklik offers. Every change is audited by the actions behind it."""

from __future__ import annotations

from fastapi import APIRouter, Response

from otklik.api.deps import DB, AuthDep, PathId
from otklik.core import clock
from otklik.core.errors import InvalidInput, NotFound
from otklik.core.taxonomy import IdentityKind
from otklik.customers.links import do_create_link_code, do_verify_identity
from otklik.customers.queries import get_customer
from otklik.customers.schemas import CustomerOut, CustomerRef
from otklik.messages.actions import RECIPIENT_KIND
from otklik.messages.link_schemas import (
    CustomerMergeIn,
    CustomerMergeOut,
    CustomerSuggestionOut,
    CustomerSuggestions,
    LinkCodeIn,
    LinkCodeOut,
    TicketMergeIn,
    TicketMergeOut,
    TicketSuggestionOut,
    TicketSuggestions,
)
from otklik.messages.links import (
    customer_suggestions,
    do_merge_customers,
    do_merge_same_person,
    do_merge_tickets,
    do_undo_customer_merge,
    do_undo_ticket_merge,
    get_customer_merge,
    get_ticket_merge,
)
from otklik.tickets.links import do_dismiss, duplicate_suggestions
from otklik.tickets.queries import access_ticket

router = APIRouter(tags=["links"])


@router.post("/customers/{customer_id}/link-codes", status_code=201, response_model=LinkCodeOut)
def create_link_code(customer_id: PathId, body: LinkCodeIn, db: DB, auth: AuthDep) -> LinkCodeOut:
    """A one-time code sent to the customer through ``channel`` (queued; the worker sends it).
    Sent back from another channel, it links that address to this customer."""
    kind = RECIPIENT_KIND[body.channel]
    if kind is IdentityKind.WEB:
        raise InvalidInput("link_code_channel", field="channel", channel=body.channel.value)
    customer = get_customer(db, customer_id)
    code = do_create_link_code(
        db, customer, channel=body.channel.value, recipient_kind=kind, actor=auth.actor, at=clock.now()
    )
    db.commit()
    return LinkCodeOut.of(code)


@router.post("/customers/{customer_id}/identities/{identity_id}/verify", response_model=CustomerOut)
def verify_identity(customer_id: PathId, identity_id: PathId, db: DB, auth: AuthDep) -> CustomerOut:
    """An agent confirms the address is the customer's. A customer holding the same verified
    e-mail or phone is then the same person and is merged in (the older one carries on)."""
    customer = get_customer(db, customer_id)
    identity = next((i for i in customer.identities if i.id == identity_id), None)
    if identity is None:
        raise NotFound("identity_not_found", customer_id=customer_id, identity_id=identity_id)
    now = clock.now()
    do_verify_identity(db, identity, actor=auth.actor, at=now, how="agent")
    merges = do_merge_same_person(db, customer, actor=auth.actor, at=now)
    db.commit()
    return CustomerOut.of(get_customer(db, merges[-1].survivor_id) if merges else customer)


@router.post("/customers/{customer_id}/merge", status_code=201, response_model=CustomerMergeOut)
def merge_customers(customer_id: PathId, body: CustomerMergeIn, db: DB, auth: AuthDep) -> CustomerMergeOut:
    """Fold customer ``customer_id`` of the body into the one in the path (undo: ``/customer-merges/{id}/undo``)."""
    survivor, merged = get_customer(db, customer_id), get_customer(db, body.customer_id)
    record = do_merge_customers(db, survivor, merged, cause="agent", actor=auth.actor, at=clock.now())
    db.commit()
    return CustomerMergeOut.of(record)


@router.post("/customer-merges/{merge_id}/undo", response_model=CustomerMergeOut)
def undo_customer_merge(merge_id: PathId, db: DB, auth: AuthDep) -> CustomerMergeOut:
    """Put back exactly what the merge moved (identities, tickets, authorship, ticket merges)."""
    record = get_customer_merge(db, merge_id)
    do_undo_customer_merge(db, record, actor=auth.actor, at=clock.now())
    db.commit()
    return CustomerMergeOut.of(record)


@router.get("/customers/{customer_id}/merge-suggestions", response_model=CustomerSuggestions)
def customer_merge_suggestions(customer_id: PathId, db: DB, auth: AuthDep) -> CustomerSuggestions:
    """Customers sharing an e-mail or phone with this one that nobody has proven to be the same."""
    found = customer_suggestions(db, get_customer(db, customer_id))
    items = [CustomerSuggestionOut(customer=CustomerRef(id=c.id, name=c.name), reasons=r) for c, r in found]
    return CustomerSuggestions(items=items)


@router.post("/customers/{customer_id}/merge-suggestions/{other_id}/dismiss", status_code=204)
def dismiss_customer_suggestion(customer_id: PathId, other_id: PathId, db: DB, auth: AuthDep) -> Response:
    get_customer(db, customer_id)
    get_customer(db, other_id)
    do_dismiss(db, "customer", customer_id, other_id, actor=auth.actor, at=clock.now())
    db.commit()
    return Response(status_code=204)


@router.get("/tickets/{ticket_id}/merge-suggestions", response_model=TicketSuggestions)
def ticket_merge_suggestions(ticket_id: PathId, db: DB, auth: AuthDep) -> TicketSuggestions:
    """The customer's other open tickets that look like the same problem, with the reasons."""
    ticket = access_ticket(db, auth.principal, ticket_id)
    items = [
        TicketSuggestionOut(ticket_id=t.id, subject=t.subject, status=t.status, channel=t.channel, reasons=r)
        for t, r in duplicate_suggestions(db, ticket)
    ]
    return TicketSuggestions(items=items)


@router.post("/tickets/{ticket_id}/merge", status_code=201, response_model=TicketMergeOut)
def merge_tickets(ticket_id: PathId, body: TicketMergeIn, db: DB, auth: AuthDep) -> TicketMergeOut:
    """Merge two tickets of one customer (an accepted suggestion, or the agent's own finding):
    the newer closes as merged into the older, which gets its messages."""
    first = access_ticket(db, auth.principal, ticket_id)
    second = access_ticket(db, auth.principal, body.ticket_id)
    record = do_merge_tickets(db, first, second, actor=auth.actor, at=clock.now())
    db.commit()
    return TicketMergeOut.of(record)


@router.post("/tickets/{ticket_id}/merge-suggestions/{other_id}/dismiss", status_code=204)
def dismiss_ticket_suggestion(ticket_id: PathId, other_id: PathId, db: DB, auth: AuthDep) -> Response:
    ticket = access_ticket(db, auth.principal, ticket_id)
    if all(t.id != other_id for t, _ in duplicate_suggestions(db, ticket)):
        raise NotFound("not_duplicate_candidate", ticket_id=ticket_id, other_id=other_id)
    do_dismiss(db, "ticket", ticket_id, other_id, actor=auth.actor, at=clock.now())
    db.commit()
    return Response(status_code=204)


@router.post("/ticket-merges/{merge_id}/undo", response_model=TicketMergeOut)
def undo_ticket_merge(merge_id: PathId, db: DB, auth: AuthDep) -> TicketMergeOut:
    record = get_ticket_merge(db, merge_id)
    access_ticket(db, auth.principal, record.target_id)
    do_undo_ticket_merge(db, record, actor=auth.actor, at=clock.now())
    db.commit()
    return TicketMergeOut.of(record)
