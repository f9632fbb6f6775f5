"""The one write path for tickets: every change goes through here and is audited.

Each ``do_*`` flushes nothing it does not need, never commits (the caller's
unit of work does), and records an audit event in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.agents.actions import actor_of
from otklik.agents.models import Agent
from otklik.agents.rules import Principal, can_assign
from otklik.core import audit, clock
from otklik.core.actors import Actor, ActorKind
from otklik.core.errors import Conflict, Forbidden, InvalidInput
from otklik.core.taxonomy import Category, Channel, Urgency
from otklik.customers.models import Customer
from otklik.tickets import clocks
from otklik.tickets.models import Ticket, TicketReference
from otklik.tickets.rules import (
    Action,
    Author,
    Facts,
    Status,
    TransitionRefused,
    next_status,
    status_after_undo,
)

REFERENCE_KINDS = ("order", "supply", "sku", "claim", "ticket", "other")


def facts_of(ticket: Ticket) -> Facts:
    """The ticket as the status machine sees it."""
    author = Author(ticket.last_public_author) if ticket.last_public_author else None
    return Facts(Status(ticket.status), ticket.assignee_id is not None, author)


def _next(ticket: Ticket, action: Action) -> Status:
    """The status ``action`` leads to, or ``Conflict`` naming why the machine refuses it."""
    try:
        return next_status(facts_of(ticket), action)
    except TransitionRefused as refused:
        raise Conflict(refused.reason, ticket_id=ticket.id, action=action.value, status=ticket.status) from refused


def _apply(session: Session, ticket: Ticket, action: Action, actor: Actor, at: datetime) -> Status:
    """Move ``ticket`` by ``action``; records ``ticket.status_changed`` when the status moves."""
    new = _next(ticket, action)
    old = ticket.status
    ticket.updated_at = at
    if new.value != old:
        ticket.status = new.value
        audit.record(
            session,
            actor=actor,
            action="ticket.status_changed",
            entity="ticket",
            entity_id=ticket.id,
            ticket_id=ticket.id,
            data={"from": old, "to": new.value, "cause": action.value},
            at=at,
        )
    return new


def do_transition(session: Session, ticket: Ticket, action: Action, *, actor: Actor, at: datetime) -> Status:
    """The one door through which a status changes outside this module (merges, in ``links``): the
    status machine of ``rules`` decides, ``ticket.status_changed`` is recorded."""
    return _apply(session, ticket, action, actor, at)


def do_undo_merge_status(
    session: Session, ticket: Ticket, saved: str, *, duplicate: bool, actor: Actor, at: datetime
) -> None:
    """Undoing a merge: ``ticket`` (the duplicate, or the ticket it joined) gets back the status the
    merge replaced, as ``rules.status_after_undo`` allows; ``ticket.status_changed`` is recorded."""
    try:
        new = status_after_undo(Status(ticket.status), Status(saved), duplicate=duplicate)
    except TransitionRefused as refused:
        raise Conflict(refused.reason, ticket_id=ticket.id, merge_id=ticket.merged_into_id) from refused
    old = ticket.status
    if new.value != old:
        ticket.status = new.value
        audit.record(
            session, actor=actor, action="ticket.status_changed", entity="ticket", entity_id=ticket.id,
            ticket_id=ticket.id, data={"from": old, "to": new.value, "cause": "merge_undone"}, at=at,
        )  # fmt: skip


def do_open_ticket(
    session: Session,
    *,
    customer: Customer,
    channel: Channel,
    subject: str,
    actor: Actor,
    at: datetime,
    is_public: bool = False,
) -> Ticket:
    """A new ticket in status ``new``. Emits ``ticket.created``."""
    ticket = Ticket(
        subject=subject[:300],
        status=Status.NEW.value,
        channel=channel.value,
        customer_id=customer.id,
        customer=customer,
        is_public=is_public,
        created_at=at,
        updated_at=at,
    )
    session.add(ticket)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="ticket.created",
        entity="ticket",
        entity_id=ticket.id,
        ticket_id=ticket.id,
        data={"status": ticket.status, "channel": channel.value},
        at=at,
    )
    return ticket


def do_record_customer_message(session: Session, ticket: Ticket, *, actor: Actor, at: datetime) -> None:
    """A stored customer message: reopens a waiting ticket, restarts «waiting for us»."""
    was = ticket.status
    _apply(session, ticket, Action.CUSTOMER_MESSAGE, actor, at)
    ticket.last_public_author = Author.CUSTOMER.value
    ticket.last_customer_message_at = at
    fresh = ticket.first_customer_message_at is None
    policy = None  # a new ticket's two SLA clocks share one choice of policy
    if fresh:
        ticket.first_customer_message_at = at
        policy = clocks.policy_for(session, ticket)
        clocks.start_resolution_clock(session, ticket, at, fresh=True, policy=policy)
        clocks.start_age_clock(session, ticket, at, fresh=True)
    clocks.start_response_clock(session, ticket, at, fresh=fresh, policy=policy)
    if was == Status.ON_HOLD.value:
        clocks.cancel_hold(session, ticket)
    if was == Status.SOLVED.value:
        clocks.cancel_auto_close(session, ticket)
        ticket.solved_at = None  # a message on a solved ticket reopens it, exactly as «не решено» does
    ticket.hold_until = None
    ticket.hold_promise = None


def do_record_public_reply(session: Session, ticket: Ticket, *, agent: Agent, actor: Actor, at: datetime) -> None:
    """A stored and queued public reply: the ticket now waits for the customer.

    The replying agent becomes the owner of an unowned ticket, so the customer
    always sees a name next to the answer. A reply fulfils an open promise.
    """
    _next(ticket, Action.PUBLIC_REPLY)  # refuse before anything changes
    if ticket.assignee_id is None:
        _set_owner(session, ticket, agent, actor=actor, at=at, reason="replied")
    was = ticket.status
    _apply(session, ticket, Action.PUBLIC_REPLY, actor, at)
    ticket.last_public_author = Author.AGENT.value
    ticket.last_public_reply_at = at
    if was == Status.ON_HOLD.value:
        clocks.cancel_hold(session, ticket)
    if was == Status.SOLVED.value:
        clocks.schedule_auto_close(session, ticket, at)  # the silence counts from the latest word
    ticket.hold_until = None
    ticket.hold_promise = None


def do_record_bot_reply(session: Session, ticket: Ticket, *, actor: Actor, at: datetime) -> None:
    """A public answer of the self-service bot (``otklik.bot``), stored and queued: the ticket
    waits for the customer, exactly as after an agent's reply, but nobody becomes its owner
    (a person takes it when the bot hands off). For the status machine it is our side's
    public word, so a lost delivery reopens the ticket as it would an agent's."""
    was = ticket.status
    _apply(session, ticket, Action.PUBLIC_REPLY, actor, at)
    ticket.last_public_author = Author.AGENT.value
    ticket.last_public_reply_at = at
    if was == Status.SOLVED.value:
        clocks.schedule_auto_close(session, ticket, at)


def do_record_answer_delivered(
    session: Session, ticket: Ticket, *, answered_at: datetime, at: datetime
) -> clocks.Wait | None:
    """A public reply written at ``answered_at`` reached the customer: their wait ends.

    Only a confirmed delivery stops the response clock; a reply that failed never does.
    Returns the wait it ended, if one was running.
    """
    stopped = clocks.stop_response_clock(session, ticket, answered_at)
    if stopped is not None:
        ticket.updated_at = max(ticket.updated_at, at)
    return stopped


def do_record_answer_lost(session: Session, ticket: Ticket, *, answered_at: datetime, at: datetime) -> None:
    """A public reply written at ``answered_at`` failed for good. If it was the latest one,
    the ticket stops claiming an answer: back to ``open`` with its owner, who is told."""
    if ticket.last_public_reply_at != answered_at or ticket.last_public_author != Author.AGENT.value:
        return
    _apply(session, ticket, Action.DELIVERY_FAILED, Actor.system("delivery"), at)
    ticket.last_public_author = None  # no answer stands: proposing a solution needs a new one
    if ticket.status == Status.OPEN.value:
        ticket.solved_at = None
        clocks.cancel_auto_close(session, ticket)


def check_assign(who: Principal, ticket: Ticket, target: Agent) -> None:
    """Refuses assignments the acting agent has no right to make, or that cannot hold."""
    if not target.active:
        raise InvalidInput("agent_unavailable", field="agent", name=target.name)
    target_teams = frozenset(team.id for team in target.teams)
    if not can_assign(
        who, target_agent_id=target.id, target_team_ids=target_teams, current_owner_id=ticket.assignee_id
    ):
        raise Forbidden("assign_forbidden")


def do_assign(
    session: Session,
    ticket: Ticket,
    target: Agent,
    *,
    actor: Actor,
    reason: str = "",
    reason_en: str = "",
    at: datetime | None = None,
) -> None:
    """Make ``target`` the owner (a transfer when someone owned it). Emits ``ticket.assigned``.
    ``reason_en``: the reason in English when it was composed in both languages (routing's)."""
    moment = at or clock.now()
    if ticket.assignee_id == target.id:
        raise Conflict("transfer_to_self", name=target.name)
    _next(ticket, Action.ASSIGN)  # refuse (a closed ticket) before the owner changes and is audited
    _set_owner(session, ticket, target, actor=actor, at=moment, reason=reason, reason_en=reason_en)
    _apply(session, ticket, Action.ASSIGN, actor, moment)


def _set_owner(
    session: Session, ticket: Ticket, target: Agent, *, actor: Actor, at: datetime, reason: str, reason_en: str = ""
) -> None:
    previous = ticket.assignee
    ticket.assignee_id = target.id
    ticket.assignee = target
    team_ids = [team.id for team in target.teams]
    if team_ids and ticket.team_id not in team_ids:
        ticket.team_id = team_ids[0]
        ticket.team = target.teams[0]
    ticket.updated_at = at
    audit.record(
        session,
        actor=actor,
        action="ticket.transferred" if previous else "ticket.assigned",
        entity="ticket",
        entity_id=ticket.id,
        ticket_id=ticket.id,
        data={
            "from": {"id": previous.id, "name": previous.name} if previous else None,
            "to": {"id": target.id, "name": target.name},
            "team_id": ticket.team_id,
            "reason": reason,
        }
        | ({"reason_en": reason_en} if reason_en else {}),
        at=at,
    )


def do_triage(
    session: Session,
    ticket: Ticket,
    *,
    category: Category,
    urgency: Urgency,
    owner: Agent | None,
    actor: Actor,
    at: datetime | None = None,
) -> None:
    """Set category and urgency. A triaged ticket always has a named owner, so one
    must exist already or be given. Emits ``ticket.triaged``."""
    moment = at or clock.now()
    if ticket.status == Status.CLOSED.value:
        raise Conflict("transition_not_allowed", action="triage", status=ticket.status)
    if ticket.assignee_id is None:
        if owner is None:
            raise InvalidInput("triage_needs_owner", field="assignee_id", ticket_id=ticket.id)
        do_assign(session, ticket, owner, actor=actor, reason="triage", at=moment)
    old = {"category": ticket.category, "urgency": ticket.urgency}
    ticket.category = category.value
    ticket.urgency = urgency.value
    ticket.triaged_at = ticket.triaged_at or moment
    ticket.updated_at = moment
    if old != {"category": ticket.category, "urgency": ticket.urgency}:
        clocks.retarget(session, ticket)
    audit.record(
        session,
        actor=actor,
        action="ticket.triaged",
        entity="ticket",
        entity_id=ticket.id,
        ticket_id=ticket.id,
        data={"from": old, "to": {"category": category.value, "urgency": urgency.value}},
        at=moment,
    )


def do_propose_solution(session: Session, ticket: Ticket, *, actor: Actor, at: datetime | None = None) -> None:
    """``solved``: allowed only when the last public message is the agent's."""
    moment = at or clock.now()
    was = ticket.status
    _apply(session, ticket, Action.PROPOSE_SOLUTION, actor, moment)
    ticket.solved_at = moment
    if was == Status.ON_HOLD.value:
        clocks.cancel_hold(session, ticket)
    ticket.hold_until = None
    ticket.hold_promise = None
    clocks.schedule_auto_close(session, ticket, moment)


def do_hold(
    session: Session, ticket: Ticket, *, until: datetime, promise: str, actor: Actor, at: datetime | None = None
) -> None:
    """``on_hold`` with a promise the customer sees and a due time. Emits ``ticket.held``."""
    moment = at or clock.now()
    if until <= moment:
        raise InvalidInput("hold_in_past", field="until", now=moment.isoformat(timespec="seconds"))
    promise = promise.strip()
    if not promise:
        raise InvalidInput("invalid_field", field="promise", reason="пусто / empty")
    _apply(session, ticket, Action.HOLD, actor, moment)
    ticket.hold_until = until
    ticket.hold_promise = promise
    clocks.schedule_hold(session, ticket)
    clocks.pause_response_clock(session, ticket)
    audit.record(
        session,
        actor=actor,
        action="ticket.held",
        entity="ticket",
        entity_id=ticket.id,
        ticket_id=ticket.id,
        data={"until": until.isoformat(), "promise": promise},
        at=moment,
    )


def do_release_hold(session: Session, ticket: Ticket, *, at: datetime | None = None) -> bool:
    """The promise is due: back to ``open`` at the top of the owner's queue.

    Returns False (and changes nothing) when the hold was already superseded.
    """
    moment = at or clock.now()
    if ticket.status != Status.ON_HOLD.value or ticket.hold_until is None or ticket.hold_until > moment:
        return False
    _apply(session, ticket, Action.HOLD_DUE, Actor.system("timer"), moment)
    ticket.requeued_at = moment
    clocks.start_response_clock(session, ticket, moment)  # the promise is due: now we owe an answer
    return True


def do_customer_verdict(
    session: Session, ticket: Ticket, *, solved: bool, actor: Actor, at: datetime | None = None
) -> None:
    """The customer says «решено» (closes) or «не решено» (reopens with the same owner)."""
    moment = at or clock.now()
    if solved:
        _apply(session, ticket, Action.CONFIRM, actor, moment)
        ticket.closed_at = moment
        clocks.stop_all(session, ticket)
    else:
        _apply(session, ticket, Action.REJECT_SOLUTION, actor, moment)
        ticket.solved_at = None
        clocks.cancel_auto_close(session, ticket)
        clocks.start_response_clock(session, ticket, moment)


def do_reopen(session: Session, ticket: Ticket, *, actor: Actor, at: datetime | None = None) -> None:
    """An agent takes back a proposed solution."""
    _apply(session, ticket, Action.REOPEN, actor, at or clock.now())
    ticket.solved_at = None
    clocks.cancel_auto_close(session, ticket)


def do_auto_close(session: Session, ticket: Ticket, *, at: datetime | None = None) -> None:
    """``solved`` → ``closed`` after the channel's inactivity window (called by the timer)."""
    moment = at or clock.now()
    _apply(session, ticket, Action.AUTO_CLOSE, Actor.system("inactivity"), moment)
    ticket.closed_at = moment
    clocks.stop_all(session, ticket)


def do_follow_channel_window(session: Session, channel: str) -> int:
    """After an admin changed ``channel``'s inactivity window, every solved ticket there follows it."""
    solved = session.scalars(select(Ticket).where(Ticket.channel == channel, Ticket.status == Status.SOLVED.value))
    moved = 0
    for ticket in solved:
        quiet_since = max(t for t in (ticket.solved_at, ticket.last_public_reply_at, ticket.updated_at) if t)
        clocks.schedule_auto_close(session, ticket, quiet_since)
        moved += 1
    return moved


def do_add_reference(
    session: Session, ticket: Ticket, *, kind: str, value: str, actor: Actor, at: datetime | None = None
) -> TicketReference | None:
    """Attach an outside number; returns None when the ticket has it already."""
    moment = at or clock.now()
    if kind not in REFERENCE_KINDS:
        raise InvalidInput("invalid_field", field="kind", reason=f"one of {', '.join(REFERENCE_KINDS)}")
    value = value.strip()
    if not value or len(value) > 100:
        raise InvalidInput("invalid_field", field="value", reason="1–100 символов / characters")
    if any(ref.kind == kind and ref.value == value for ref in ticket.references):
        return None
    reference = TicketReference(ticket_id=ticket.id, kind=kind, value=value, created_at=moment)
    ticket.references.append(reference)
    ticket.updated_at = moment
    audit.record(
        session,
        actor=actor,
        action="ticket.reference_added",
        entity="ticket",
        entity_id=ticket.id,
        ticket_id=ticket.id,
        data={"kind": kind, "value": value},
        at=moment,
    )
    return reference


def agent_actor(agent: Agent) -> Actor:
    return actor_of(agent)


def customer_actor(customer: Customer) -> Actor:
    return Actor(ActorKind.CUSTOMER, customer.id, customer.name)
