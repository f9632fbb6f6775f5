"""The bot's job: after intake stores a live-channel message it schedules ``bot.consider`` for the
ticket (one pending job per ticket, so a burst of messages is read as one question); the worker
runs the bot's turn inside the claiming transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from otklik.bot.actions import CONSIDER, do_take_turn
from otklik.bot.triage_link import Triager, default_triager
from otklik.core.jobs import Job, task
from otklik.tickets.models import Ticket

#: tests and installations may put their own triage in front of the bot
_TRIAGER: list[Triager] = []


def use_triager(triager: Triager | None) -> None:
    """Make the bot's job ask ``triager`` (None: triage's own model, the default)."""
    _TRIAGER.clear()
    if triager is not None:
        _TRIAGER.append(triager)


def current_triager() -> Triager:
    return _TRIAGER[0] if _TRIAGER else default_triager()


@task(CONSIDER, max_attempts=3)
def handle_consider(session: Session, job: Job) -> datetime | None:
    """The bot's turn on the ticket named in the job (nothing when the ticket is gone)."""
    ticket = session.get(Ticket, int(job.payload["ticket_id"]))
    if ticket is not None:
        do_take_turn(session, ticket, triager=current_triager())
    return None
