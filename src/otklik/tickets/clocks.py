"""The timers a ticket owns, set and cleared in the same transaction as the change behind them.

Each clock is at most one pending job, named by a key (``ticket:<id>:<clock>``):

* ``sla:response`` — while the customer waits for us (first, then each next response);
* ``sla:resolution`` — from the first message to the solution;
* ``hold`` — the promise an agent made; ``auto_close`` — a solved ticket's inactivity window;
* ``age`` — the customer's own clock (1 day, 7 days, 30 days), which no hold pauses.

SLA and age jobs walk through their stages by rescheduling themselves (see ``tickets.tasks``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from otklik.channels.queries import inactivity_seconds
from otklik.core import jobs
from otklik.tickets.models import Ticket
from otklik.timers.queries import active_policies
from otklik.timers.rules import BusinessCalendar, business_time_between
from otklik.timers.sla import AGE_LEVELS, Policy, Stage, Target, pick_policy, stages

SLA_STAGE = "ticket.sla_stage"
HOLD_DUE = "ticket.hold_due"
AUTO_CLOSE = "ticket.auto_close"
AGE = "ticket.age"


def key(ticket_id: int, clock: str) -> str:
    return f"ticket:{ticket_id}:{clock}"


def policy_for(session: Session, ticket: Ticket) -> Policy:
    organisation = ticket.customer.organisation
    return pick_policy(
        active_policies(session),
        urgency=ticket.urgency,
        category=ticket.category,
        org_tier=organisation.sla_tier if organisation else None,
    )


def live_due(ticket: Ticket, target: Target) -> datetime | None:
    """The running due time of ``target``, or None when that clock is stopped."""
    if target is Target.RESOLUTION:
        return ticket.resolution_due_at
    if ticket.waiting_since is None:
        return None
    return ticket.first_response_due_at if ticket.first_response_at is None else ticket.next_response_due_at


def _schedule_target(
    session: Session,
    ticket: Ticket,
    target: Target,
    start: datetime,
    duration: timedelta,
    policy: Policy,
    *,
    fresh: bool,
    running: datetime | None = None,
) -> datetime:
    """Plan ``target``'s stages from ``start``; ``running``: the due time of the clock already
    planned on this same policy, whose job is left as it is when the plan comes out the same."""
    plan = stages(start, duration, policy.calendar)
    due = plan[1][1]
    if running == due:
        return running
    jobs.schedule(
        session,
        SLA_STAGE,
        {"ticket_id": ticket.id, "target": target.value, "due": due.isoformat(), "plan": _plan_json(plan), "next": 0},
        due_at=plan[0][1],
        key=key(ticket.id, f"sla:{target.value}"),
        fresh=fresh,
    )
    return due


def _plan_json(plan: list[tuple[Stage, datetime]]) -> list[list[str]]:
    return [[stage.value, when.isoformat()] for stage, when in plan]


def start_response_clock(
    session: Session, ticket: Ticket, at: datetime, *, fresh: bool = False, policy: Policy | None = None
) -> None:
    """The customer now waits for us (unless they already were: the earlier wait keeps counting).

    ``policy``: the ticket's policy when the caller has already picked it (it reads every SLA policy).
    """
    if ticket.waiting_since is not None:
        return
    ticket.waiting_since = at
    _schedule_response(session, ticket, policy or policy_for(session, ticket), fresh=fresh)


def _schedule_response(
    session: Session, ticket: Ticket, policy: Policy, *, fresh: bool = False, same_policy: bool = False
) -> None:
    """``same_policy``: the running clock was planned on ``policy`` (a retarget that kept it)."""
    assert ticket.waiting_since is not None
    first = ticket.first_response_at is None
    running = None
    if same_policy:
        running = ticket.first_response_due_at if first else ticket.next_response_due_at
    ticket.sla_policy_id = policy.id
    duration = policy.first_response if first else policy.next_response
    due = _schedule_target(
        session, ticket, Target.RESPONSE, ticket.waiting_since, duration, policy, fresh=fresh, running=running
    )
    if first:
        ticket.first_response_due_at = due
    else:
        ticket.next_response_due_at = due


@dataclass(frozen=True, slots=True)
class Wait:
    """A customer's wait that a reply ended: calendar seconds and the SLA calendar's open seconds."""

    seconds: int
    business_seconds: int


def _waited(calendar: BusinessCalendar, start: datetime, end: datetime) -> Wait:
    business = business_time_between(start, end, calendar)
    return Wait(round((end - start).total_seconds()), round(business.total_seconds()))


def stop_response_clock(session: Session, ticket: Ticket, answered_at: datetime) -> Wait | None:
    """A public reply reached the customer: the wait that began before it is over; returns that
    wait (None when the reply ended none). The first response is a fact of its own: it stands even
    when a hold paused the wait before the reply's delivery was confirmed (a reply, then «проверяю,
    напишу до 13:00»)."""
    asked, since = ticket.first_customer_message_at, ticket.waiting_since
    first = ticket.first_response_at is None and asked is not None and answered_at >= asked
    ending = since is not None and answered_at >= since
    if not (first or ending):
        return None
    calendar = policy_for(session, ticket).calendar  # one policy lookup for both waits
    if first and asked is not None:
        ticket.first_response_at = answered_at
        ticket.first_response_business_seconds = _waited(calendar, asked, answered_at).business_seconds
    if not ending or since is None:
        return None
    wait = _waited(calendar, since, answered_at)
    ticket.waiting_since = None
    ticket.next_response_due_at = None
    jobs.cancel(session, key(ticket.id, f"sla:{Target.RESPONSE.value}"))
    return wait


def pause_response_clock(session: Session, ticket: Ticket) -> None:
    """A promise with a due time was made: the response target waits for it (the age clock does not)."""
    if ticket.waiting_since is None:
        return
    ticket.waiting_since = None
    ticket.next_response_due_at = None
    if ticket.first_response_at is None:
        ticket.first_response_due_at = None
    jobs.cancel(session, key(ticket.id, f"sla:{Target.RESPONSE.value}"))


def start_resolution_clock(
    session: Session,
    ticket: Ticket,
    at: datetime,
    *,
    fresh: bool = False,
    policy: Policy | None = None,
    same_policy: bool = False,
) -> None:
    policy = policy or policy_for(session, ticket)
    running = ticket.resolution_due_at if same_policy else None
    ticket.sla_policy_id = policy.id
    ticket.resolution_due_at = _schedule_target(
        session, ticket, Target.RESOLUTION, at, policy.resolution, policy, fresh=fresh, running=running
    )


def retarget(session: Session, ticket: Ticket) -> None:
    """Urgency or category changed: the running targets follow the new policy from their start.
    A target whose plan comes out the same (the same policy still applies) keeps its job as it is."""
    policy = policy_for(session, ticket)
    same = ticket.sla_policy_id == policy.id
    if ticket.waiting_since is not None:
        _schedule_response(session, ticket, policy, same_policy=same)
    if ticket.resolution_due_at is not None and ticket.first_customer_message_at is not None:
        start_resolution_clock(session, ticket, ticket.first_customer_message_at, policy=policy, same_policy=same)


def start_age_clock(session: Session, ticket: Ticket, first_message_at: datetime, *, fresh: bool = False) -> None:
    level, delta = AGE_LEVELS[0]
    jobs.schedule(
        session, AGE, {"ticket_id": ticket.id, "level": level}, due_at=first_message_at + delta,
        key=key(ticket.id, "age"), fresh=fresh,
    )  # fmt: skip


def schedule_hold(session: Session, ticket: Ticket) -> None:
    assert ticket.hold_until is not None
    jobs.schedule(session, HOLD_DUE, {"ticket_id": ticket.id}, due_at=ticket.hold_until, key=key(ticket.id, "hold"))


def cancel_hold(session: Session, ticket: Ticket) -> None:
    jobs.cancel(session, key(ticket.id, "hold"))


def schedule_auto_close(session: Session, ticket: Ticket, since: datetime) -> datetime:
    """A solved ticket closes after the channel's inactivity window of customer silence."""
    due = since + timedelta(seconds=inactivity_seconds(session, ticket.channel))
    jobs.schedule(session, AUTO_CLOSE, {"ticket_id": ticket.id}, due_at=due, key=key(ticket.id, "auto_close"))
    return due


def cancel_auto_close(session: Session, ticket: Ticket) -> None:
    jobs.cancel(session, key(ticket.id, "auto_close"))


def stop_all(session: Session, ticket: Ticket) -> None:
    """A closed ticket owes nobody anything: every clock stops."""
    ticket.waiting_since = None
    ticket.next_response_due_at = None
    jobs.cancel_prefix(session, f"ticket:{ticket.id}:")
