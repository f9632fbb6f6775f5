"""API shapes for agents."""

from __future__ import annotations

from pydantic import BaseModel

from otklik.agents.models import Agent


class AgentRef(BaseModel):
    """How an agent appears next to a ticket: the name the customer sees."""

    id: int
    name: str

    @classmethod
    def of(cls, agent: Agent | None) -> AgentRef | None:
        return None if agent is None else cls(id=agent.id, name=agent.name)


class AgentOut(BaseModel):
    id: int
    email: str
    name: str
    role: str
    active: bool
    capacity: int
    teams: list[str]
    skills: dict[str, int]

    @classmethod
    def of(cls, agent: Agent) -> AgentOut:
        return cls(
            id=agent.id,
            email=agent.email,
            name=agent.name,
            role=agent.role,
            active=agent.active,
            capacity=agent.capacity,
            teams=[t.name for t in agent.teams],
            skills={s.category: s.level for s in agent.skills},
        )
