"""The triage job: a new ticket's first customer message is read by the model, its outside
numbers are stored, the answer is recorded and handed to routing (``otklik.triage.actions``).

Scheduled at intake (``messages.actions``, the TRIAGE HOOK line) before routing's own job, so a
worker claims it first and routing's pending job carries the answer on.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.core import clock
from otklik.core.config import get_settings
from otklik.core.jobs import Job, task
from otklik.messages.models import Direction, Message
from otklik.tickets.models import Ticket
from otklik.tickets.rules import Status
from otklik.triage.actions import TRIAGE_JOB, do_extract_references, do_hand_over, do_record_suggestion
from otklik.triage.model import get_model
from otklik.triage.settings import get_triage_settings

log = logging.getLogger("otklik.triage")
MAX_TEXT = 20_000  # the model reads the opening of a very long letter; references come from all of it


def ticket_text(session: Session, ticket: Ticket) -> str:
    """What the customer wrote first: the subject (when it says more than the first line) and the text."""
    message = session.scalars(
        select(Message)
        .where(Message.ticket_id == ticket.id, Message.direction == Direction.INBOUND.value)
        .order_by(Message.created_at, Message.id)
        .limit(1)
    ).first()
    if message is None:
        return ""
    subject = (message.subject or "").strip()
    if subject and not message.text.startswith(subject):
        return f"{subject}\n{message.text}"
    return message.text


@task(TRIAGE_JOB, max_attempts=3)
def handle_triage_ticket(session: Session, job: Job) -> datetime | None:
    """Triage one new ticket. Does nothing for a closed or vanished ticket or when switched off."""
    settings = get_triage_settings()
    ticket = session.get(Ticket, int(job.payload["ticket_id"]))
    if not settings.enabled or ticket is None or ticket.status == Status.CLOSED.value:
        return None
    text = ticket_text(session, ticket)
    if not text.strip():
        return None
    moment = clock.now()
    do_extract_references(session, ticket, text, at=moment)
    model = get_model()
    prediction = model.predict(text[:MAX_TEXT], threshold=settings.threshold)
    do_record_suggestion(session, ticket, prediction, model_id=model.model_id, at=moment)
    outcome = do_hand_over(session, ticket, prediction, routing=get_settings().routing_enabled, at=moment)
    log.info(
        "ticket %s: %s/%s (%.2f) → %s",
        ticket.id,
        prediction.category,
        prediction.urgency,
        prediction.confidence,
        outcome,
    )
    return None
