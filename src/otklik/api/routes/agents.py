"""Agents: who I am, the team directory, and (admins) accounts and tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from otklik.agents import actions
from otklik.agents.queries import get_agent, list_agents
from otklik.agents.rules import Role
from otklik.agents.schemas import AgentOut
from otklik.agents.security import login_wait
from otklik.api.deps import DB, AuthDep, PathId
from otklik.core import clock
from otklik.core.config import get_settings
from otklik.core.errors import TooManyRequests
from otklik.core.schemas import StrictIn
from otklik.core.shared import Shared
from otklik.core.taxonomy import Category

router = APIRouter(tags=["agents"])


class AgentIn(StrictIn):
    email: str = Field(min_length=3, max_length=320, pattern="@")
    name: str = Field(min_length=1, max_length=200)
    role: Role
    password: str | None = Field(default=None, min_length=8, max_length=200)
    skills: dict[str, Annotated[int, Field(ge=1, le=3)]] = Field(  # 1 basic … 3 expert
        default_factory=dict, json_schema_extra={"propertyNames": {"enum": [c.value for c in Category]}}
    )
    teams: list[str] = Field(default_factory=list, max_length=20)
    capacity: int = Field(default=8, ge=1, le=100)  # as an update allows (it was 200 here, 100 there)


class LoginIn(StrictIn):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    token: str
    agent_id: int


@router.post("/auth/tokens", status_code=201, response_model=TokenOut)
def login(body: LoginIn, request: Request, db: DB) -> TokenOut:
    """Exchange an agent's email and password for a new API token (shown once). Attempts are limited
    per address and e-mail, right or wrong, from the same buckets as the login page: 429 with
    ``Retry-After`` past them."""
    shared: Shared = request.app.state.shared
    address = request.client.host if request.client else "unknown"
    wait = login_wait(shared.limiter, address, body.email, settings=get_settings(), now=clock.now())
    if wait:
        raise TooManyRequests("login_rate_limited", retry_after=wait)
    agent = actions.check_credentials(db, email=body.email, password=body.password)
    token = actions.do_create_token(db, agent, actor=actions.actor_of(agent), name="login")
    db.commit()
    return TokenOut(token=token, agent_id=agent.id)


@router.get("/me", response_model=AgentOut)
def me(auth: AuthDep) -> AgentOut:
    return AgentOut.of(auth.agent)


@router.get("/agents", response_model=list[AgentOut])
def directory(db: DB, auth: AuthDep) -> list[AgentOut]:
    """Every agent: transfers need to know who is there and what they handle."""
    return [AgentOut.of(a) for a in list_agents(db)]


@router.post("/agents", status_code=201, response_model=AgentOut)
def create(body: AgentIn, db: DB, auth: AuthDep) -> AgentOut:
    auth.require(Role.ADMIN)
    agent = actions.do_create_agent(
        db,
        email=body.email,
        name=body.name,
        role=body.role.value,
        password=body.password,
        skills=body.skills,
        teams=body.teams,
        capacity=body.capacity,
        actor=auth.actor,
    )
    db.commit()
    return AgentOut.of(agent)


@router.post("/agents/{agent_id}/tokens", status_code=201, response_model=TokenOut)
def create_token(agent_id: PathId, db: DB, auth: AuthDep) -> TokenOut:
    """A new token, shown once. Agents may mint their own; admins anyone's."""
    if agent_id != auth.agent.id:
        auth.require(Role.ADMIN)
    agent = get_agent(db, agent_id)
    token = actions.do_create_token(db, agent, actor=auth.actor, name="api")
    db.commit()
    return TokenOut(token=token, agent_id=agent.id)
