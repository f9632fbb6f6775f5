"""Applying triage to a ticket: its outside numbers become searchable references, a quoted ticket
of the same customer is linked, and the model's answer is recorded as a suggestion.

Triage never picks an owner (routing does) and never sets the category of an unowned ticket:
«a triaged ticket always has an owner». With routing on, routing's job for a new ticket reads it
here first (``do_read_ticket``) and routes on the answer: one job, one ticket load. With routing
switched off, triage's own job records the answer with ``do_triage`` on a ticket that has an owner.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from otklik.core import audit, jobs
from otklik.core.actors import Actor
from otklik.core.taxonomy import Category, Urgency
from otklik.tickets.actions import do_add_reference, do_triage
from otklik.tickets.models import Ticket
from otklik.triage.model import Prediction, get_model
from otklik.triage.queries import SUGGESTED, first_words
from otklik.triage.rules import extract_references
from otklik.triage.settings import get_triage_settings

TRIAGE_ACTOR = Actor.system("triage")
#: the job that triages a new ticket while routing is off (with routing on, routing's job reads it)
TRIAGE_JOB = "triage.ticket"
ROUTE_JOB = "routing.route"
#: the model reads the opening of a very long letter; references come from all of it
MAX_TEXT = 20_000


def triage_job_key(ticket_id: int) -> str:
    return f"ticket:{ticket_id}:triage"


def route_job_key(ticket_id: int) -> str:
    """Routing's own key for its job (``otklik.messages.actions``): triage moves that job, never adds a twin."""
    return f"ticket:{ticket_id}:route"


def do_extract_references(session: Session, ticket: Ticket, text: str, *, at: datetime) -> list[tuple[str, str]]:
    """Store the order, supply, SKU, claim and ticket numbers ``text`` quotes; returns those added.

    A quoted ticket number becomes a ``ticket`` reference (the link) only when that ticket exists,
    is not this one and belongs to the same customer: another customer's case is never revealed
    or tied to this one. Emits ``ticket.reference_added`` for each new reference.
    """
    added = []
    for kind, value in extract_references(text):
        if kind == "ticket":
            quoted = session.get(Ticket, int(value))
            if quoted is None or quoted.id == ticket.id or quoted.customer_id != ticket.customer_id:
                continue
        if do_add_reference(session, ticket, kind=kind, value=value, actor=TRIAGE_ACTOR, at=at) is not None:
            added.append((kind, value))
    return added


def do_read_ticket(session: Session, ticket: Ticket, *, at: datetime) -> Prediction | None:
    """Read a new ticket's first message: its references are stored and the model's answer is
    recorded (``ticket.triage_suggested``) and returned. None when there is nothing to read."""
    text = first_words(session, ticket.id)
    if not text.strip():
        return None
    do_extract_references(session, ticket, text, at=at)
    model = get_model()
    prediction = model.predict(text[:MAX_TEXT], threshold=get_triage_settings().threshold)
    do_record_suggestion(session, ticket, prediction, model_id=model.model_id, at=at)
    return prediction


def suggestion_data(prediction: Prediction, model_id: str) -> dict[str, Any]:
    return {
        "category": prediction.category,
        "urgency": prediction.urgency,
        "confidence": prediction.confidence,
        "urgency_confidence": prediction.urgency_confidence,
        "queue": prediction.queue,
        "signals": list(prediction.signals),
        "source": prediction.source,
        "model": model_id,
    }


def do_record_suggestion(
    session: Session, ticket: Ticket, prediction: Prediction, *, model_id: str, at: datetime
) -> None:
    """Record what the model said about ``ticket``. Emits ``ticket.triage_suggested``."""
    audit.record(
        session,
        actor=TRIAGE_ACTOR,
        action=SUGGESTED,
        entity="ticket",
        entity_id=ticket.id,
        ticket_id=ticket.id,
        data=suggestion_data(prediction, model_id),
        at=at,
    )


def do_hand_over(session: Session, ticket: Ticket, prediction: Prediction, *, routing: bool, at: datetime) -> str:
    """Pass the answer on; returns what happened: ``routing``, ``triaged``, ``kept`` or ``general``.

    With routing on, routing's pending job for the ticket gets the answer (or a new one is
    scheduled when it already ran): routing picks the owner, then records the triage. With
    routing off, an owned ticket is triaged here; an unowned one keeps the suggestion only.
    A low-confidence answer is handed over as ``queue: general``: the ticket is not misrouted.
    """
    if ticket.triaged_at is not None:
        return "kept"  # a person (or an earlier run) triaged it already: their word stands
    if routing:
        waiting = jobs.pending(session, route_job_key(ticket.id))
        if waiting is not None and waiting.payload.get("category"):
            return "kept"  # routing's job already carries a triage result (given by a person): it stands
        payload = {
            "ticket_id": ticket.id,
            "category": prediction.category,
            "urgency": prediction.urgency,
            "queue": prediction.queue,
            "confidence": prediction.confidence,
        }
        jobs.schedule(session, ROUTE_JOB, payload, key=route_job_key(ticket.id))
        return "routing"
    if not prediction.routed:
        return "general"
    if ticket.assignee_id is None:
        return "kept"
    do_triage(
        session,
        ticket,
        category=Category(prediction.category),
        urgency=Urgency(prediction.urgency),
        owner=None,
        actor=TRIAGE_ACTOR,
        at=at,
    )
    return "triaged"
