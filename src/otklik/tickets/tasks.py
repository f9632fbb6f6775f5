"""Timer handlers for tickets: SLA stages, promises coming due, auto-close, the customer's clock,
the backlog guard and the daily digest. Each re-reads the ticket and does nothing when the
timer has been overtaken by events (a stale timer is harmless by construction).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from otklik.agents.actions import do_notify
from otklik.agents.queries import admins, heads_of_support, leads_of_team
from otklik.channels.queries import inactivity_seconds
from otklik.core import audit, clock
from otklik.core.actors import Actor
from otklik.core.jobs import Job, before_batch, task
from otklik.tickets import clocks
from otklik.tickets.actions import do_auto_close, do_release_hold
from otklik.tickets.backlog import send_daily_digests, sweep_backlog
from otklik.tickets.models import Ticket
from otklik.tickets.queries import lock_tickets_in_order
from otklik.tickets.rules import Status
from otklik.timers.sla import AGE_LEVELS, Stage, Target

TIMER = Actor.system("timer")


def _tickets_named(payload: dict[str, Any]) -> list[int]:
    """The ticket a job is about, if its payload names one."""
    ticket_id = payload.get("ticket_id")
    return [int(ticket_id)] if isinstance(ticket_id, int | str) and str(ticket_id).isdigit() else []


# a worker's batch takes the rows of the tickets its jobs name, in id order, before anything else
# (``core.jobs.run_due``): the same order as intake and the routing lock
before_batch(_tickets_named, lock_tickets_in_order)


def _ticket(session: Session, job: Job) -> Ticket | None:
    ticket = session.get(Ticket, int(job.payload["ticket_id"]))
    if ticket is None or ticket.status == Status.CLOSED.value:
        return None
    return ticket


def _recipients(session: Session, ticket: Ticket, stage: Stage) -> list[int]:
    owner = [ticket.assignee_id] if ticket.assignee_id else []
    leads = [a.id for a in leads_of_team(session, ticket.team_id)]
    match stage:
        case Stage.WARN:
            return owner or leads or [a.id for a in admins(session)]
        case Stage.BREACH:
            return owner + leads or [a.id for a in admins(session)]
        case Stage.ESCALATE:
            return [a.id for a in admins(session)] + leads
    return owner


@task(clocks.SLA_STAGE)
def handle_sla_stage(session: Session, job: Job) -> datetime | None:
    """Warn the owner at 80%, tell the lead at breach, call the admin at 150%; then go quiet."""
    ticket = _ticket(session, job)
    target = Target(job.payload["target"])
    if ticket is None:
        return None
    due = clocks.live_due(ticket, target)
    if due is None or due.isoformat() != job.payload["due"]:
        return None  # the clock stopped or was retargeted; its successor (if any) carries on
    plan: list[list[str]] = job.payload["plan"]
    index = int(job.payload.get("next", 0))
    stage = Stage(plan[index][0])
    params: dict[str, Any] = {
        "ticket_id": ticket.id,
        "target": target.value,
        **clock.stamped("due", due),
        "owner": ticket.assignee.name if ticket.assignee else "—",
    }
    do_notify(
        session, _recipients(session, ticket, stage), kind=f"sla_{stage.value}", ticket_id=ticket.id, params=params
    )
    audit.record(
        session,
        actor=TIMER,
        action=f"ticket.sla_{stage.value}",
        entity="ticket",
        entity_id=ticket.id,
        ticket_id=ticket.id,
        data={"target": target.value, "due": due.isoformat()},
    )
    if index + 1 >= len(plan):
        return None
    job.payload = {**job.payload, "next": index + 1}
    return datetime.fromisoformat(plan[index + 1][1])


@task(clocks.HOLD_DUE)
def handle_hold_due(session: Session, job: Job) -> datetime | None:
    """The promised time has come: the ticket tops its owner's queue, and the owner is told."""
    ticket = _ticket(session, job)
    if ticket is None:
        return None
    promise = ticket.hold_promise or ""
    if do_release_hold(session, ticket):
        owner = [ticket.assignee_id] if ticket.assignee_id else []
        do_notify(
            session,
            owner,
            kind="follow_up_due",
            ticket_id=ticket.id,
            params={"ticket_id": ticket.id, "promise": promise},
        )
    return None


@task(clocks.AUTO_CLOSE)
def handle_auto_close(session: Session, job: Job) -> datetime | None:
    """Close a solved ticket whose customer stayed silent for the channel's whole window."""
    ticket = _ticket(session, job)
    if ticket is None or ticket.status != Status.SOLVED.value:
        return None
    quiet_since = max(t for t in (ticket.solved_at, ticket.last_public_reply_at) if t is not None)
    window = timedelta(seconds=inactivity_seconds(session, ticket.channel))
    due = quiet_since + window
    if clock.now() < due:
        return due  # the window grew (an admin changed it) or the agent added something
    do_auto_close(session, ticket)
    return None


@task(clocks.AGE)
def handle_age(session: Session, job: Job) -> datetime | None:
    """The customer's own clock: a day → the lead, a week → the head of support, a month → the admin."""
    ticket = _ticket(session, job)
    if ticket is None or ticket.first_customer_message_at is None:
        return None
    level = int(job.payload["level"])
    if ticket.age_escalation < level:
        ticket.age_escalation = level
        recipients = {
            1: lambda: [a.id for a in leads_of_team(session, ticket.team_id)] or [a.id for a in admins(session)],
            2: lambda: [a.id for a in heads_of_support(session)],
            3: lambda: [a.id for a in admins(session)],
        }[level]()
        days = AGE_LEVELS[level - 1][1].days
        owner = ticket.assignee.name if ticket.assignee else "—"
        params = {"ticket_id": ticket.id, "days": days, "owner": owner}
        do_notify(session, recipients, kind="customer_age", ticket_id=ticket.id, params=params)
        audit.record(
            session, actor=TIMER, action="ticket.age_escalated", entity="ticket", entity_id=ticket.id,
            ticket_id=ticket.id, data={"level": level, "days": days},
        )  # fmt: skip
    if level >= len(AGE_LEVELS):
        return None
    next_level, delta = AGE_LEVELS[level]
    job.payload = {**job.payload, "level": next_level}
    return ticket.first_customer_message_at + delta


@task("tickets.backlog_sweep", every=timedelta(minutes=1))
def handle_backlog_sweep(session: Session, job: Job) -> datetime | None:
    sweep_backlog(session, clock.now())
    return None


@task("tickets.daily_digest", every=timedelta(minutes=10))
def handle_daily_digest(session: Session, job: Job) -> datetime | None:
    send_daily_digests(session, clock.now())
    return None
