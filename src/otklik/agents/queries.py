"""Reads of agents, teams and tokens."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.agents.models import Agent, ApiToken, Team
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
    row = session.scalars(
        select(ApiToken).where(ApiToken.token_hash == token_digest(token), ApiToken.revoked_at.is_(None))
    ).first()
    return row.agent if row else None


def principal_of(agent: Agent) -> Principal:
    return Principal(agent.id, agent.name, Role(agent.role), frozenset(team.id for team in agent.teams))


def list_agents(session: Session) -> list[Agent]:
    return list(session.scalars(select(Agent).order_by(Agent.id)))
