"""Reads of agents, teams and tokens."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, lazyload

from otklik.agents.models import Agent, ApiToken, Notification, Team, TeamMembership
from otklik.agents.rules import Principal, Role
from otklik.agents.security import token_digest
from otklik.core.errors import NotFound


def get_agent(session: Session, agent_id: int) -> Agent:
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise NotFound("agent_not_found", agent=agent_id)
    return agent


def get_agent_by_email(session: Session, email: str) -> Agent:
    agent = session.scalars(select(Agent).where(Agent.email == email.strip().lower())).first()
    if agent is None:
        raise NotFound("agent_not_found", agent=email)
    return agent


def find_team(session: Session, name: str) -> Team | None:
    return session.scalars(select(Team).where(Team.name == name)).first()


def agent_for_token(session: Session, token: str) -> Agent | None:
    """The agent a live token belongs to, or None for an unknown or revoked token."""
    row = (
        session.scalars(
            select(ApiToken)
            .where(ApiToken.token_hash == token_digest(token), ApiToken.revoked_at.is_(None))
            # every request authenticates: the agent and their teams (the principal) in the one statement;
            # skills load when a handler reads them, not on each request
            .options(joinedload(ApiToken.agent).options(joinedload(Agent.teams), lazyload(Agent.skills)))
        )
        .unique()
        .first()
    )
    return row.agent if row else None


def principal_of(agent: Agent) -> Principal:
    return Principal(agent.id, agent.name, Role(agent.role), frozenset(team.id for team in agent.teams))


def list_agents(session: Session) -> list[Agent]:
    return list(session.scalars(select(Agent).order_by(Agent.id)))


def leads_of_team(session: Session, team_id: int | None) -> list[Agent]:
    """Active leads of the team (the escalation point for its tickets)."""
    if team_id is None:
        return []
    return list(
        session.scalars(
            select(Agent)
            .join(TeamMembership, TeamMembership.agent_id == Agent.id)
            .where(TeamMembership.team_id == team_id, Agent.role == Role.LEAD.value, Agent.active.is_(True))
            .order_by(Agent.id)
        )
    )


def admins(session: Session) -> list[Agent]:
    return list(
        session.scalars(select(Agent).where(Agent.role == Role.ADMIN.value, Agent.active.is_(True)).order_by(Agent.id))
    )


def heads_of_support(session: Session) -> list[Agent]:
    """Agents marked head of support; the admins when nobody is."""
    heads = list(
        session.scalars(
            select(Agent).where(Agent.is_head_of_support.is_(True), Agent.active.is_(True)).order_by(Agent.id)
        )
    )
    return heads or admins(session)


def list_notifications(session: Session, agent_id: int, *, unread_only: bool, limit: int) -> list[Notification]:
    query = select(Notification).where(Notification.agent_id == agent_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def get_notification(session: Session, agent_id: int, notification_id: int) -> Notification:
    note = session.get(Notification, notification_id)
    if note is None or note.agent_id != agent_id:
        raise NotFound("notification_not_found", notification_id=notification_id)
    return note


def list_teams(session: Session) -> list[Team]:
    return list(session.scalars(select(Team).order_by(Team.name)))
