"""The triage job, for when routing is switched off: a new ticket's first customer message is read
(``otklik.triage.actions.do_read_ticket``) and the answer recorded on a ticket that has an owner.

With routing on, routing's job alone reads the ticket first (``otklik.routing.tasks``): one job per new
ticket, so triage costs intake no second claim.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from otklik.core import clock, jobs
from otklik.core.config import get_settings
from otklik.core.jobs import Job, task
from otklik.messages.actions import on_new_ticket
from otklik.tickets.models import Ticket
from otklik.tickets.rules import Status
from otklik.triage.actions import TRIAGE_JOB, do_hand_over, do_read_ticket

log = logging.getLogger("otklik.triage")


@on_new_ticket
def triage_new_ticket(session: Session, ticket: Ticket) -> None:
    """With routing off and triage on, a new ticket gets triage's own job in intake's transaction."""
    settings = get_settings()
    if settings.triage_enabled and not settings.routing_enabled:
        jobs.schedule(session, TRIAGE_JOB, {"ticket_id": ticket.id}, fresh=True)


@task(TRIAGE_JOB, max_attempts=3)
def handle_triage_ticket(session: Session, job: Job) -> datetime | None:
    """Triage one new ticket. Does nothing for a closed or vanished ticket or when switched off."""
    settings = get_settings()
    ticket = session.get(Ticket, int(job.payload["ticket_id"]))
    if not settings.triage_enabled or ticket is None or ticket.status == Status.CLOSED.value:
        return None
    moment = clock.now()
    prediction = do_read_ticket(session, ticket, at=moment)
    if prediction is None:
        return None
    outcome = do_hand_over(session, ticket, prediction, routing=settings.routing_enabled, at=moment)
    log.info(
        "ticket %s: %s/%s (%.2f) → %s",
        ticket.id,
        prediction.category,
        prediction.urgency,
        prediction.confidence,
        outcome,
    )
    return None
