"""Routing: presence, shifts, skills, languages and capacity; transfers to a team, escalations,
and why each ticket went where it did."""

from __future__ import annotations

from fastapi import APIRouter

from otklik.agents.models import Agent, Team
from otklik.agents.queries import get_agent, list_agents
from otklik.agents.rules import Role
from otklik.api.deps import DB, AuthDep, PathId
from otklik.core import clock
from otklik.core.errors import NotFound
from otklik.routing import actions, presence, queries
from otklik.routing.schemas import (
    CapacityIn,
    DecisionOut,
    DecisionPage,
    EscalateIn,
    LanguagesIn,
    PresenceIn,
    ProfileOut,
    RoutedOut,
    ShiftIn,
    SkillsIn,
    TransferTeamIn,
)
from otklik.tickets.queries import access_ticket
from otklik.tickets.schemas import TicketOut

router = APIRouter(tags=["routing"])


def _profile(db: DB, agent: Agent) -> ProfileOut:
    [facts] = queries.facts_for(db, [agent])
    return ProfileOut.of(agent, queries.profile_of(db, agent.id), facts, clock.now())


def _managed(db: DB, auth: AuthDep, agent_id: int) -> Agent:
    auth.require(Role.LEAD, Role.ADMIN)
    agent = get_agent(db, agent_id)
    presence.check_manage_agent(auth.principal, agent)
    return agent


@router.get("/me/presence", response_model=ProfileOut)
def my_presence(db: DB, auth: AuthDep) -> ProfileOut:
    return _profile(db, auth.agent)


@router.put("/me/presence", response_model=ProfileOut)
def set_my_presence(body: PresenceIn, db: DB, auth: AuthDep) -> ProfileOut:
    """online | away | offline | on_leave; sending the same status again is a heartbeat."""
    presence.do_set_presence(db, auth.agent, body.status, actor=auth.actor)
    db.commit()
    return _profile(db, auth.agent)


@router.get("/routing/agents", response_model=list[ProfileOut])
def board(db: DB, auth: AuthDep) -> list[ProfileOut]:
    """Every active agent: presence, shift, load: who can take a ticket right now."""
    agents = [a for a in list_agents(db) if a.active]
    rows, facts, now = queries.profiles(db, [a.id for a in agents]), queries.facts_for(db, agents), clock.now()
    return [ProfileOut.of(a, rows.get(a.id), f, now) for a, f in zip(agents, facts, strict=True)]


@router.get("/agents/{agent_id}/routing", response_model=ProfileOut)
def agent_profile(agent_id: PathId, db: DB, auth: AuthDep) -> ProfileOut:
    return _profile(db, get_agent(db, agent_id))


@router.put("/agents/{agent_id}/presence", response_model=ProfileOut)
def set_presence(agent_id: PathId, body: PresenceIn, db: DB, auth: AuthDep) -> ProfileOut:
    """A lead marks a member of their team (say, on leave); their waiting tickets follow the status."""
    agent = _managed(db, auth, agent_id)
    presence.do_set_presence(db, agent, body.status, actor=auth.actor)
    db.commit()
    return _profile(db, agent)


@router.put("/agents/{agent_id}/shift", response_model=ProfileOut)
def set_shift(agent_id: PathId, body: ShiftIn, db: DB, auth: AuthDep) -> ProfileOut:
    agent = _managed(db, auth, agent_id)
    days = None if body.days is None else {str(day): list(spans) for day, spans in body.days.items()}
    presence.do_set_shift(db, agent, timezone=body.timezone, days=days, actor=auth.actor)
    db.commit()
    return _profile(db, agent)


@router.put("/agents/{agent_id}/skills", response_model=ProfileOut)
def set_skills(agent_id: PathId, body: SkillsIn, db: DB, auth: AuthDep) -> ProfileOut:
    agent = _managed(db, auth, agent_id)
    skills = {category.value: level for category, level in body.skills.items()}
    presence.do_set_skills_and_capacity(db, agent, skills=skills, actor=auth.actor)
    db.commit()
    return _profile(db, agent)


@router.put("/agents/{agent_id}/capacity", response_model=ProfileOut)
def set_capacity(agent_id: PathId, body: CapacityIn, db: DB, auth: AuthDep) -> ProfileOut:
    agent = _managed(db, auth, agent_id)
    presence.do_set_skills_and_capacity(db, agent, capacity=body.capacity, actor=auth.actor)
    db.commit()
    return _profile(db, agent)


@router.put("/agents/{agent_id}/languages", response_model=ProfileOut)
def set_languages(agent_id: PathId, body: LanguagesIn, db: DB, auth: AuthDep) -> ProfileOut:
    agent = _managed(db, auth, agent_id)
    presence.do_set_languages(db, agent, body.languages, actor=auth.actor)
    db.commit()
    return _profile(db, agent)


@router.post("/tickets/{ticket_id}/transfer-team", response_model=RoutedOut)
def transfer_team(ticket_id: PathId, body: TransferTeamIn, db: DB, auth: AuthDep) -> RoutedOut:
    """Hand the case to another team with a reason: its best free member takes it (its lead if none is free)."""
    ticket = access_ticket(db, auth.principal, ticket_id)
    team = db.get(Team, body.team_id)
    if team is None:
        raise NotFound("team_not_found", field="team_id", team=body.team_id)
    actions.check_transfer_to_team(auth.principal, ticket, team)
    routed = actions.do_transfer_to_team(db, ticket, team, reason=body.reason, actor=auth.actor)
    db.commit()
    return RoutedOut(ticket=TicketOut.of(ticket), code=routed.code, reason=routed.reason, alarm=routed.alarm)


@router.post("/tickets/{ticket_id}/escalate", response_model=RoutedOut)
def escalate(ticket_id: PathId, body: EscalateIn, db: DB, auth: AuthDep) -> RoutedOut:
    """Escalate to the lead of the ticket's team (an admin when there is none), with a reason."""
    ticket = access_ticket(db, auth.principal, ticket_id)
    routed = actions.do_escalate_to_lead(db, ticket, reason=body.reason, actor=auth.actor)
    db.commit()
    return RoutedOut(ticket=TicketOut.of(ticket), code=routed.code, reason=routed.reason, alarm=routed.alarm)


@router.get("/tickets/{ticket_id}/routing", response_model=DecisionPage)
def decisions(ticket_id: PathId, db: DB, auth: AuthDep) -> DecisionPage:
    """Every routing decision on the ticket, oldest first: to whom, from whom, why, and who else was considered."""
    access_ticket(db, auth.principal, ticket_id)
    return DecisionPage(items=[DecisionOut.of(e) for e in queries.list_decisions(db, ticket_id)])
