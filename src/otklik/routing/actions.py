"""The writes of routing on tickets: choosing and assigning an owner, moving tickets away from absent
owners, transfers to a team and escalations (the agent's own side is ``routing.presence``).

Every owner change goes through ``tickets.actions.do_assign`` (``ticket.assigned`` or
``ticket.transferred``, with the reason) and is explained by a ``ticket.routed`` audit row that
keeps the reason in ru and en, the facts and the best candidates. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from otklik.agents.actions import do_notify
from otklik.agents.models import Agent, Team
from otklik.agents.queries import leads_of_team
from otklik.agents.rules import Principal, Role
from otklik.core import audit, clock, jobs
from otklik.core.actors import Actor
from otklik.core.errors import Conflict, Forbidden, InvalidInput
from otklik.core.taxonomy import label
from otklik.messages.actions import do_announce_owner
from otklik.routing import queries
from otklik.routing.rules import (
    AgentFacts,
    Decision,
    State,
    TicketFacts,
    absence,
    absence_reason,
    choose,
    escalation_target,
    fallback_owner,
    fallback_reason,
    prefixed,
    should_reassign,
)
from otklik.routing.settings import get_routing_settings
from otklik.tickets import clocks
from otklik.tickets.actions import do_assign
from otklik.tickets.models import Ticket
from otklik.tickets.queries import lock_tickets_in_order
from otklik.tickets.rules import Status

ROUTING = Actor.system("routing")
#: job kinds (handlers in ``routing.tasks``)
ROUTE = "routing.route"
RETRY_PARKED = "routing.retry_parked"
OWNER_AWAY = "routing.owner_away"
SWEEP = "routing.sweep_absent"
#: one lock for every routing decision on PostgreSQL, so two workers never count the same free slot
_ROUTING_LOCK = 0x6F746B6C_726F7574


@dataclass(frozen=True, slots=True)
class Routed:
    """What a routing action did: the new owner (None: nobody at all could take it), why, and
    whether it was an alarm (nobody eligible: the ticket went to a lead or an admin)."""

    agent: Agent | None
    code: str
    reason: dict[str, str]
    alarm: bool = False


Wrap = Callable[[dict[str, str]], dict[str, str]]


def _as_is(reason: dict[str, str]) -> dict[str, str]:
    return reason


def _serialise(session: Session, ticket_ids: Sequence[int]) -> None:
    """Routing decisions queue behind each other on PostgreSQL (SQLite writers already do).

    The tickets being decided are locked first, in id order, and the routing lock last: every
    transaction takes ticket rows before the routing lock (the worker locks a batch's tickets before
    it runs it, ``core.jobs.before_batch`` in ``tickets.tasks``), so nobody holding the routing lock ever waits for a
    ticket another transaction holds while it waits for the routing lock."""
    if session.get_bind().dialect.name == "postgresql":
        lock_tickets_in_order(session, ticket_ids)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ROUTING_LOCK})


# ---- choosing and assigning ------------------------------------------------------------------


def do_route(
    session: Session,
    ticket: Ticket,
    *,
    category: str | None = None,
    urgency: str | None = None,
    actor: Actor = ROUTING,
    at: datetime | None = None,
) -> Routed:
    """Give an unowned ticket its owner (``routing.rules.choose``); when nobody is eligible, a
    lead or an admin takes it, is notified (``routing_alarm``) and the ticket is offered to a
    specialist again every few minutes. Emits ``ticket.assigned`` and ``ticket.routed``."""
    moment = at or clock.now()
    if ticket.assignee_id is not None:
        raise Conflict("routing_owned", ticket_id=ticket.id, name=ticket.assignee.name if ticket.assignee else "")
    _serialise(session, [ticket.id])
    facts = queries.ticket_facts(session, ticket, category=category, urgency=urgency)
    pool = queries.agent_pool(session)
    decision = choose(facts, pool.all(), moment)
    return _hand_over(session, ticket, facts, pool, decision, cause="route", actor=actor, at=moment)


def _hand_over(
    session: Session,
    ticket: Ticket,
    facts: TicketFacts,
    pool: queries.Pool,
    decision: Decision,
    *,
    cause: str,
    actor: Actor,
    at: datetime,
    wrap: Wrap = _as_is,
    keep_away: frozenset[int] = frozenset(),
    by_skill: bool = True,
) -> Routed:
    """Assign the decision's choice, or the fallback owner with an alarm; record why."""
    alarm = decision.chosen is None
    if decision.chosen is not None:
        target_facts: AgentFacts | None = decision.chosen.agent
        base = decision.reason
    else:
        exclude = keep_away | ({ticket.assignee_id} if ticket.assignee_id is not None else set())
        target_facts = fallback_owner(facts, pool.all(), at, exclude=frozenset(exclude), by_skill=by_skill)
        base = fallback_reason(facts, target_facts) if target_facts is not None else decision.reason
    if target_facts is None:
        return Routed(None, "nobody", wrap(base), alarm=True)
    target = pool.agents[target_facts.id]
    reason = wrap(base)
    previous = ticket.assignee
    do_assign(session, ticket, target, actor=actor, reason=reason["ru"], reason_en=reason["en"], at=at)
    do_announce_owner(session, ticket, at=at)
    pool.moved(to=target.id, away_from=previous.id if previous is not None else None)
    audit.record(
        session,
        actor=actor,
        action=queries.ROUTED,
        entity="ticket",
        entity_id=ticket.id,
        ticket_id=ticket.id,
        data=_decision_data(facts, decision, cause=cause, target=target, previous=previous, reason=reason, alarm=alarm),
        at=at,
    )
    if alarm:
        _raise_alarm(session, ticket, facts, target, at)
    return Routed(target, "nobody" if alarm else decision.code, reason, alarm=alarm)


def _decision_data(
    facts: TicketFacts,
    decision: Decision,
    *,
    cause: str,
    target: Agent,
    previous: Agent | None,
    reason: dict[str, str],
    alarm: bool,
) -> dict[str, Any]:
    excluded: dict[str, int] = {}
    for _, why in decision.excluded:
        excluded[why] = excluded.get(why, 0) + 1
    return {
        "cause": cause,
        "code": "nobody" if alarm else decision.code,
        "to": {"id": target.id, "name": target.name},
        "from": {"id": previous.id, "name": previous.name} if previous is not None else None,
        "reason": reason,
        "alarm": alarm,
        "facts": {
            "category": facts.category,
            "urgency": facts.urgency,
            "language": facts.language,
            "previous_owner_id": facts.previous_owner_id,
        },
        "candidates": [
            {
                "id": s.agent.id,
                "name": s.agent.name,
                "score": s.score,
                "match": s.match.value,
                "skill": s.skill,
                "level": s.level,
                "open": s.agent.open_count,
                "capacity": s.agent.capacity,
                "state": s.state.value,
                "returning": s.returning,
                "language_ok": s.language_ok,
            }
            for s in decision.ranked[:5]
        ],
        "excluded": excluded,
    }


def _raise_alarm(session: Session, ticket: Ticket, facts: TicketFacts, owner: Agent, at: datetime) -> None:
    """Nobody eligible: the one who took the ticket and its team's leads are told, and the ticket
    is offered to a specialist again until one takes it or the customer stops waiting."""
    category = facts.category
    params = {
        "ticket_id": ticket.id,
        "owner": owner.name,
        "category_ru": label(category, "ru") if category else "без категории",
        "category_en": label(category, "en") if category else "no category",
    }
    leads = [a.id for a in leads_of_team(session, ticket.team_id)]
    do_notify(session, [owner.id, *leads], kind="routing_alarm", ticket_id=ticket.id, params=params, at=at)
    retry = timedelta(seconds=get_routing_settings().parked_retry_seconds)
    jobs.schedule(
        session,
        RETRY_PARKED,
        {"ticket_id": ticket.id, "parked_with": owner.id},
        due_at=at + retry,
        key=clocks.key(ticket.id, "reroute"),
    )


def do_retry_parked(session: Session, ticket: Ticket, *, parked_with: int, at: datetime | None = None) -> bool | None:
    """A ticket parked with a lead or an admin goes to a specialist who is free now.

    Returns True when it moved, False when nobody is free yet (try again later), None when
    there is nothing left to do (someone else took it, it was answered, or it closed).
    """
    moment = at or clock.now()
    if ticket.status == Status.CLOSED.value or ticket.assignee_id != parked_with or ticket.waiting_since is None:
        return None
    _serialise(session, [ticket.id])
    facts = queries.ticket_facts(session, ticket)
    pool = queries.agent_pool(session)
    decision = choose(facts, pool.all(), moment)
    if decision.chosen is None:
        return False

    def wrap(base: dict[str, str]) -> dict[str, str]:
        return prefixed({"ru": "освободился специалист", "en": "a specialist is free"}, base)

    _hand_over(session, ticket, facts, pool, decision, cause="unpark", actor=ROUTING, at=moment, wrap=wrap)
    return True


# ---- absent owners ---------------------------------------------------------------------------


def do_reassign_absent(
    session: Session, *, at: datetime | None = None, agent_ids: list[int] | None = None, limit: int | None = None
) -> int:
    """Move the waiting tickets of owners who are offline past the grace period, on leave, past
    their shift or deactivated to someone present (urgent first, then the longest waiting).
    ``agent_ids`` narrows it to those owners. The new owner is notified (``routing_reassigned``)
    and the customer sees the new name. Returns how many tickets moved."""
    moment = at or clock.now()
    settings = get_routing_settings()
    grace = timedelta(seconds=settings.away_grace_seconds)
    owner_ids = queries.waiting_owner_ids(session) if agent_ids is None else sorted(agent_ids)
    if not owner_ids:
        return 0
    owners = list(session.scalars(select(Agent).where(Agent.id.in_(owner_ids)).order_by(Agent.id)))
    absent = {f.id: state for f in queries.facts_for(session, owners) if (state := should_reassign(f, moment, grace))}
    if not absent:
        return 0
    waiting = queries.waiting_tickets_of(session, list(absent), limit=limit or settings.sweep_batch)
    _serialise(session, [t.id for t in waiting])
    moved = 0
    for ticket in waiting:
        previous = ticket.assignee
        assert previous is not None  # waiting_tickets_of reads owned tickets only
        if _move_away(session, ticket, previous, absent[previous.id], moment):
            moved += 1
    return moved


def _move_away(session: Session, ticket: Ticket, previous: Agent, state: State, at: datetime) -> bool:
    facts = queries.ticket_facts(session, ticket)
    pool = queries.agent_pool(session)
    decision = choose(facts, pool.all(), at, exclude=frozenset({previous.id}))

    def wrap(base: dict[str, str]) -> dict[str, str]:
        return absence_reason(previous.name, state, base, fallback=decision.chosen is None)

    routed = _hand_over(
        session, ticket, facts, pool, decision, cause="absent_owner", actor=ROUTING, at=at, wrap=wrap,
        keep_away=frozenset({previous.id}),
    )  # fmt: skip
    if routed.agent is None:
        return False
    gone = absence(previous.name, state)
    since = ticket.waiting_since or at
    params = {
        "ticket_id": ticket.id,
        "absence_ru": gone["ru"],
        "absence_en": gone["en"],
        **clock.stamped("since", since),
    }
    do_notify(session, [routed.agent.id], kind="routing_reassigned", ticket_id=ticket.id, params=params, at=at)
    return True


# ---- transfers and escalations ---------------------------------------------------------------


def check_reason(reason: str) -> str:
    stripped = reason.strip()
    if len(stripped) < 3:
        raise InvalidInput("invalid_field", field="reason", reason="не короче 3 символов / at least 3 characters")
    return stripped


def check_transfer_to_team(who: Principal, ticket: Ticket, team: Team) -> None:
    """The owner, an admin, or a lead of the ticket's or the receiving team may hand a ticket to
    a team; an unowned ticket (the shared pool) anyone who sees it."""
    if who.role is Role.ADMIN or ticket.assignee_id in (None, who.agent_id):
        return
    if who.role is Role.LEAD and who.team_ids & {team.id, ticket.team_id}:
        return
    raise Forbidden("transfer_team_forbidden", ticket_id=ticket.id)


def do_transfer_to_team(
    session: Session, ticket: Ticket, team: Team, *, reason: str, actor: Actor, at: datetime | None = None
) -> Routed:
    """Hand the ticket to the best present member of ``team`` (its lead when none is free), with
    the person's reason; the messages and the audit history stay with the ticket. Emits
    ``ticket.transferred`` (or ``ticket.assigned``), ``ticket.routed``; notifies the new owner."""
    moment = at or clock.now()
    why = check_reason(reason)
    if ticket.status == Status.CLOSED.value:
        raise Conflict("transition_not_allowed", action="transfer", status=ticket.status)
    _serialise(session, [ticket.id])
    stored = queries.ticket_facts(session, ticket)
    facts = TicketFacts(
        stored.id, stored.category, stored.urgency, stored.language, stored.previous_owner_id, stored.owner_id, team.id
    )
    pool = queries.agent_pool(session)
    decision = choose(facts, pool.all(), moment, within_team=team.id)

    def wrap(base: dict[str, str]) -> dict[str, str]:
        return prefixed({"ru": f"в команду «{team.name}»: {why}", "en": f"to team «{team.name}»: {why}"}, base)

    routed = _hand_over(
        session, ticket, facts, pool, decision, cause="transfer_team", actor=actor, at=moment, wrap=wrap,
        by_skill=False,
    )  # fmt: skip
    if routed.agent is None:
        raise Conflict("team_nobody", team=team.name)
    ticket.team_id, ticket.team = team.id, team  # handed to the team, whoever in it (or above it) holds it
    if not routed.alarm:
        params = {"ticket_id": ticket.id, "team": team.name, "reason": why, "by": actor.name}
        do_notify(session, [routed.agent.id], kind="routing_transferred", ticket_id=ticket.id, params=params, at=moment)
    return routed


def _owner(ticket: Ticket) -> frozenset[int]:
    return frozenset({ticket.assignee_id}) if ticket.assignee_id is not None else frozenset()


def do_escalate_to_lead(
    session: Session, ticket: Ticket, *, reason: str, actor: Actor, at: datetime | None = None
) -> Routed:
    """The ticket goes to a lead of its team (an admin when there is none, or when the lead is
    the one escalating), with the reason; the lead is notified. Emits ``ticket.transferred``
    and ``ticket.routed``."""
    moment = at or clock.now()
    why = check_reason(reason)
    if ticket.status == Status.CLOSED.value:
        raise Conflict("transition_not_allowed", action="escalate", status=ticket.status)
    _serialise(session, [ticket.id])
    facts = queries.ticket_facts(session, ticket)
    pool = queries.agent_pool(session)
    team_id = ticket.team_id
    if team_id is None and ticket.assignee is not None and ticket.assignee.teams:
        team_id = ticket.assignee.teams[0].id
    keep_away = _owner(ticket) | ({actor.id} if actor.id is not None else set())
    lead = escalation_target(pool.all(), moment, team_id=team_id, exclude=frozenset(keep_away))
    if lead is None:
        raise Conflict("escalation_nobody", ticket_id=ticket.id)
    target = pool.agents[lead.id]
    title = {"ru": "руководителю" if lead.role == "lead" else "администратору", "en": lead.role}
    reason_text = {
        "ru": f"эскалация {title['ru']}: {why} — {lead.name}",
        "en": f"escalated to the {title['en']}: {why} — {lead.name}",
    }
    previous = ticket.assignee
    do_assign(session, ticket, target, actor=actor, reason=reason_text["ru"], reason_en=reason_text["en"], at=moment)
    do_announce_owner(session, ticket, at=moment)
    pool.moved(to=target.id, away_from=previous.id if previous is not None else None)
    data: dict[str, Any] = {
        "cause": "escalate",
        "code": "escalated",
        "to": {"id": target.id, "name": target.name},
        "from": {"id": previous.id, "name": previous.name} if previous is not None else None,
        "reason": reason_text,
        "alarm": False,
        "facts": {"category": facts.category, "urgency": facts.urgency, "language": facts.language},
        "candidates": [],
        "excluded": {},
    }
    audit.record(
        session, actor=actor, action=queries.ROUTED, entity="ticket", entity_id=ticket.id, ticket_id=ticket.id,
        data=data, at=moment,
    )  # fmt: skip
    params = {"ticket_id": ticket.id, "reason": why, "by": actor.name}
    do_notify(session, [target.id], kind="routing_escalated", ticket_id=ticket.id, params=params, at=moment)
    return Routed(target, "escalated", reason_text)
