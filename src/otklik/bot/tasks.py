"""The bot's job: when intake stores a message on a live channel, ``bot.consider`` is scheduled for the
ticket (one pending job per ticket, so a burst of messages is read as one question); the worker runs
the bot's turn inside the claiming transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from otklik.bot.actions import CONSIDER, LIVE_CHANNELS, bot_turn_key, do_take_turn
from otklik.bot.triage_link import Triager, default_triager
from otklik.core import jobs
from otklik.core.jobs import Job, task
from otklik.messages.actions import Intake, on_message_stored
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


@on_message_stored
def consider_live_message(session: Session, intake: Intake) -> None:
    """A message on a live channel wakes the bot once per burst (a keyed job, moved on by each new
    message); one over the sender's rate limit wakes nobody."""
    if intake.message.channel in LIVE_CHANNELS and not intake.over_rate:  # Channel is a StrEnum
        ticket_id = intake.ticket.id
        jobs.schedule(session, CONSIDER, {"ticket_id": ticket_id}, key=bot_turn_key(ticket_id))


@task(CONSIDER, max_attempts=3)
def handle_consider(session: Session, job: Job) -> datetime | None:
    """The bot's turn on the ticket named in the job (nothing when the ticket is gone)."""
    ticket = session.get(Ticket, int(job.payload["ticket_id"]))
    if ticket is not None:
        do_take_turn(session, ticket, triager=current_triager())
    return None
