"""Reads for routing: agents as the rules see them, loads, the customer's last owner, decisions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, object_session

from otklik.agents.models import Agent
from otklik.core.audit import AuditEvent
from otklik.core.i18n import language_of
from otklik.routing.models import RoutingProfile
from otklik.routing.rules import LOAD_STATUSES, AgentFacts, Presence, TicketFacts
from otklik.tickets.models import Ticket
from otklik.tickets.rules import Status
from otklik.timers.rules import BusinessCalendar
from otklik.timers.sla import parse_calendar

#: the audit action of every routing decision (``GET /tickets/{id}/routing`` lists them)
ROUTED = "ticket.routed"
#: statuses in which a customer may be waiting on an owner who is away
WAITING_STATUSES = (Status.NEW.value, Status.OPEN.value)


def profiles(session: Session, agent_ids: Iterable[int]) -> dict[int, RoutingProfile]:
    ids = sorted(set(agent_ids))
    if not ids:
        return {}
    rows = session.scalars(select(RoutingProfile).where(RoutingProfile.agent_id.in_(ids)))
    return {row.agent_id: row for row in rows}


def profile_of(session: Session, agent_id: int) -> RoutingProfile | None:
    return session.get(RoutingProfile, agent_id)


def open_counts(session: Session, agent_ids: Iterable[int]) -> dict[int, int]:
    """Open tickets per owner (``LOAD_STATUSES``): what «3 of 8 open» counts."""
    ids = sorted(set(agent_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Ticket.assignee_id, func.count())
        .where(Ticket.status.in_(LOAD_STATUSES), Ticket.assignee_id.in_(ids))
        .group_by(Ticket.assignee_id)
    )
    return {int(agent_id): int(count) for agent_id, count in rows if agent_id is not None}


def shift_calendar(profile: RoutingProfile | None) -> BusinessCalendar | None:
    """The stored shift as a calendar; None when there is none (or it cannot be read)."""
    if profile is None or profile.shift is None:
        return None
    try:
        return parse_calendar(profile.timezone, profile.shift, [], False)
    except ValueError:
        return None  # stored by an older version in a form we no longer read: treated as no shift


def facts_of(agent: Agent, profile: RoutingProfile | None, open_count: int) -> AgentFacts:
    status = Presence(profile.status) if profile is not None and profile.status else None
    return AgentFacts(
        id=agent.id,
        name=agent.name,
        role=agent.role,
        active=agent.active,
        capacity=agent.capacity,
        open_count=open_count,
        skills={s.category: s.level for s in agent.skills},
        languages=frozenset(profile.languages) if profile is not None else frozenset({"ru"}),
        team_ids=frozenset(t.id for t in agent.teams),
        status=status,
        status_since=profile.status_since if profile is not None else None,
        shift=shift_calendar(profile),
    )


@dataclass
class Pool:
    """The active agents as routing sees them, read once per transaction and kept current as
    routing moves tickets in it (a worker round routes hundreds of tickets on one read)."""

    agents: dict[int, Agent]
    facts: dict[int, AgentFacts]

    def all(self) -> list[AgentFacts]:
        return list(self.facts.values())

    def moved(self, *, to: int, away_from: int | None) -> None:
        """A ticket went to ``to`` (from ``away_from``): their open counts follow."""
        if to in self.facts:
            self.facts[to] = replace(self.facts[to], open_count=self.facts[to].open_count + 1)
        if away_from is not None and away_from in self.facts:
            was = self.facts[away_from]
            self.facts[away_from] = replace(was, open_count=max(was.open_count - 1, 0))


_POOL = "otklik.routing.pool"


def agent_pool(session: Session) -> Pool:
    """Every active agent with skills, teams, presence, shift and load (five queries whatever the
    size of the desk), cached for the rest of the transaction.

    Within one transaction only routing changes loads (SQLite has one writer; on PostgreSQL routing
    holds its lock), and it updates the cache as it goes; a ticket solved elsewhere meanwhile only
    makes a count conservative. The next transaction (or savepoint) reads afresh.
    """
    # the innermost transaction: a worker's batch savepoint, so a batch rolled back and rerun job by
    # job (``core.jobs``) reads afresh instead of trusting counts its undone assignments raised
    current = session.get_nested_transaction() or session.get_transaction()
    cached = session.info.get(_POOL)
    if cached is not None and current is not None and cached[0] is current:
        pool: Pool = cached[1]
        return pool
    session.flush()  # loads count what this transaction has assigned so far, flushed or not
    agents = list(session.scalars(select(Agent).where(Agent.active.is_(True)).order_by(Agent.id)))
    pool = Pool({a.id: a for a in agents}, {f.id: f for f in facts_for(session, agents)})
    if current is not None:
        session.info[_POOL] = (current, pool)
    return pool


def facts_for(session: Session, agents: Sequence[Agent]) -> list[AgentFacts]:
    ids = [a.id for a in agents]
    rows = profiles(session, ids)
    loads = open_counts(session, ids)
    return [facts_of(a, rows.get(a.id), loads.get(a.id, 0)) for a in agents]


_OWNERS_MOVED = "otklik.routing.owners_moved"


@event.listens_for(Ticket.assignee_id, "set")
def _note_owner_change(ticket: Ticket, value: object, old: object, _initiator: object) -> None:
    """Remember whose tickets changed owner since the last flush (``previous_owner_id`` asks)."""
    session = object_session(ticket)
    if session is not None and value != old:
        session.info.setdefault(_OWNERS_MOVED, set()).add(ticket.customer_id)


@event.listens_for(Session, "after_flush")
def _owners_written(session: Session, _context: object) -> None:
    session.info.pop(_OWNERS_MOVED, None)


def previous_owner_id(session: Session, ticket: Ticket) -> int | None:
    """The owner of the customer's latest other ticket: a returning customer goes back to them.

    Routing reads without autoflush (``routing.tasks``); when one of this customer's tickets has
    changed owner in this session and is not written yet, it is written first so the read sees it.
    """
    if ticket.customer_id in session.info.get(_OWNERS_MOVED, ()):
        session.flush()
    return session.scalars(
        select(Ticket.assignee_id)
        .where(Ticket.customer_id == ticket.customer_id, Ticket.id != ticket.id, Ticket.assignee_id.is_not(None))
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(1)
    ).first()


def ticket_facts(
    session: Session, ticket: Ticket, *, category: str | None = None, urgency: str | None = None
) -> TicketFacts:
    """The ticket as the rules see it; ``category``/``urgency`` override the stored ones (triage's result)."""
    return TicketFacts(
        id=ticket.id,
        category=category or ticket.category,
        urgency=urgency or ticket.urgency,
        # the subject is the customer's first line (or their e-mail subject): their language
        language=language_of(ticket.subject, default=ticket.customer.lang or "ru"),
        previous_owner_id=previous_owner_id(session, ticket),
        owner_id=ticket.assignee_id,
        team_id=ticket.team_id,
    )


def waiting_owner_ids(session: Session) -> list[int]:
    """Owners with at least one customer waiting on them (new or open, waiting clock running)."""
    rows = session.scalars(
        select(Ticket.assignee_id)
        .where(
            Ticket.waiting_since.is_not(None),
            Ticket.status.in_(WAITING_STATUSES),
            Ticket.assignee_id.is_not(None),
        )
        .distinct()
    )
    return sorted(int(agent_id) for agent_id in rows if agent_id is not None)


def waiting_tickets_of(session: Session, agent_ids: Sequence[int], *, limit: int) -> list[Ticket]:
    """Their waiting tickets, urgent first, then the longest waiting."""
    if not agent_ids:
        return []
    urgent_first = (Ticket.urgency == "urgent").desc()
    return list(
        session.scalars(
            select(Ticket)
            .where(
                Ticket.assignee_id.in_(list(agent_ids)),
                Ticket.waiting_since.is_not(None),
                Ticket.status.in_(WAITING_STATUSES),
            )
            .order_by(urgent_first, Ticket.waiting_since, Ticket.id)
            .limit(limit)
        ).unique()
    )


def list_decisions(session: Session, ticket_id: int) -> list[AuditEvent]:
    """The ticket's routing decisions (``ticket.routed`` audit rows), oldest first."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.ticket_id == ticket_id, AuditEvent.action == ROUTED)
            .order_by(AuditEvent.id)
        )
    )


def agent_zone(session: Session, agent_id: int) -> str | None:
    """The zone the agent reads times in: their routing profile's (None: the desk's)."""
    return session.scalars(select(RoutingProfile.timezone).where(RoutingProfile.agent_id == agent_id)).first()
