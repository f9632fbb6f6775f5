"""Routing jobs: the owner of a new ticket (read by triage first when triage is on), parked tickets
offered to specialists again, absent owners' waiting tickets moved, and the sweep that finds them.

``routing.route`` is the one job a new ticket gets at intake. With ``{"ticket_id"}`` alone it has
triage read the ticket (``triage.actions.do_read_ticket``: references, the model's answer), routes
on that answer and records the triage, which ``tickets.actions.do_triage`` allows only once the
ticket has its owner. A payload that already carries ``category``, ``urgency`` (and ``queue``:
``general`` for a low-confidence result) is a hand-over given from outside: the model is not asked.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session, joinedload, lazyload

from otklik.core import clock, jobs
from otklik.core.actors import Actor
from otklik.core.config import get_settings
from otklik.core.jobs import Job, task
from otklik.core.taxonomy import Category, Urgency
from otklik.customers.models import Customer
from otklik.messages.actions import on_new_ticket
from otklik.routing.actions import (
    OWNER_AWAY,
    RETRY_PARKED,
    ROUTE,
    SWEEP,
    do_reassign_absent,
    do_retry_parked,
    do_route,
)
from otklik.routing.settings import get_routing_settings
from otklik.tickets.actions import do_triage
from otklik.tickets.models import Ticket
from otklik.tickets.rules import Status
from otklik.triage.actions import do_read_ticket

TRIAGE = Actor.system("triage")
GENERAL_QUEUE = "general"
_CATEGORIES = frozenset(c.value for c in Category)
_URGENCIES = frozenset(u.value for u in Urgency)


#: routing reads none of a ticket's references, links or its customer's addresses: they load only if asked for
_LEAN = (
    lazyload(Ticket.references),
    lazyload(Ticket.links_out),
    lazyload(Ticket.links_in),
    joinedload(Ticket.customer, innerjoin=True).lazyload(Customer.identities),
)


def _live_ticket(session: Session, job: Job) -> Ticket | None:
    ticket = session.get(Ticket, int(job.payload["ticket_id"]), options=_LEAN)
    if ticket is None or ticket.status == Status.CLOSED.value:
        return None
    return ticket


@on_new_ticket
def route_new_ticket(session: Session, ticket: Ticket) -> None:
    """With routing on, every new ticket gets one routing job in intake's transaction (one key per
    ticket, so it is routed once)."""
    if get_settings().routing_enabled:
        jobs.schedule(session, ROUTE, {"ticket_id": ticket.id}, key=f"ticket:{ticket.id}:route", fresh=True)


@task(ROUTE)
def handle_route(session: Session, job: Job) -> datetime | None:
    """Give a new ticket its owner; record triage's result once it has one.

    Its reads do not flush: a worker's batch of new tickets writes its audit rows, references and
    owners in one flush at the end instead of one per ticket (half of what routing cost). The reads
    that could see another ticket's unflushed change say so themselves (``routing.queries``).
    """
    with session.no_autoflush:
        return _route_new(session, job)


def _route_new(session: Session, job: Job) -> datetime | None:
    settings = get_settings()
    ticket = _live_ticket(session, job)
    if ticket is None or not settings.routing_enabled:
        return None
    payload = job.payload
    if settings.triage_enabled and not payload.get("category") and ticket.triaged_at is None:
        read = do_read_ticket(session, ticket, at=clock.now())
        if read is not None:
            payload = {**payload, "category": read.category, "urgency": read.urgency, "queue": read.queue}
    confident = payload.get("queue") != GENERAL_QUEUE
    category = str(payload["category"]) if confident and payload.get("category") else None
    urgency = str(payload["urgency"]) if payload.get("urgency") else None
    if ticket.assignee_id is None:
        do_route(session, ticket, category=category, urgency=urgency)
    triaged = category in _CATEGORIES and urgency in _URGENCIES
    if triaged and category and urgency and ticket.triaged_at is None and ticket.assignee_id is not None:
        do_triage(session, ticket, category=Category(category), urgency=Urgency(urgency), owner=None, actor=TRIAGE)
    return None


@task(RETRY_PARKED)
def handle_retry_parked(session: Session, job: Job) -> datetime | None:
    """A ticket parked with a lead (nobody was free): a specialist who is free now takes it."""
    ticket = _live_ticket(session, job)
    if ticket is None:
        return None
    now = clock.now()
    moved = do_retry_parked(session, ticket, parked_with=int(job.payload["parked_with"]), at=now)
    if moved is False:
        return now + timedelta(seconds=get_routing_settings().parked_retry_seconds)
    return None


@task(OWNER_AWAY)
def handle_owner_away(session: Session, job: Job) -> datetime | None:
    """An agent went offline (the grace period is over) or on leave: their waiting tickets move."""
    do_reassign_absent(session, agent_ids=[int(job.payload["agent_id"])])
    return None


@task(SWEEP, every=timedelta(minutes=1))
def handle_sweep_absent(session: Session, job: Job) -> datetime | None:
    """Every minute: owners past their shift, offline or on leave while customers wait on them."""
    if get_settings().routing_enabled:
        do_reassign_absent(session)
    return None
