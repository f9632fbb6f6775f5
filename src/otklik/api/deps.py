"""Typed dependencies: the database session, the caller's language and identity."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from pydantic import AfterValidator
from sqlalchemy.orm import Session, sessionmaker

from otklik.agents.actions import actor_of
from otklik.agents.models import Agent
from otklik.agents.queries import agent_for_token, principal_of
from otklik.agents.rules import Principal, Role
from otklik.core.actors import Actor
from otklik.core.db import request_session
from otklik.core.errors import Forbidden, Unauthorized
from otklik.core.i18n import pick_lang
from otklik.core.schemas import MAX_ID, refuse_nul


def get_db(request: Request) -> Iterator[Session]:
    """A session per request; handlers commit explicitly, anything uncommitted rolls back."""
    yield from request_session(request.app.state.session_factory)


def get_session_factory(request: Request) -> sessionmaker[Session]:
    """The app's sessions, for work that outlives the request's own (what runs after the answer)."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


def get_reports_db(request: Request, db: Annotated[Session, Depends(get_db)]) -> Iterator[Session]:
    """The session reports read with: on the read replica when ``OTKLIK_REPORTS_DATABASE_URL`` names one
    (heavy aggregates stay off the primary that intake writes to), else the request's own."""
    yield from request_session(request.app.state.reports_session_factory, db)


def get_lang(request: Request) -> str:
    return pick_lang(request.headers.get("accept-language"))


@dataclass(frozen=True, slots=True)
class Auth:
    """The authenticated agent behind a request."""

    agent: Agent
    principal: Principal

    @property
    def actor(self) -> Actor:
        return actor_of(self.agent)

    def require(self, *roles: Role) -> None:
        if self.principal.role not in roles:
            raise Forbidden("role_required", role=" / ".join(r.value for r in roles))


DB = Annotated[Session, Depends(get_db)]
SessionFactory = Annotated[sessionmaker[Session], Depends(get_session_factory)]
ReportsDB = Annotated[Session, Depends(get_reports_db)]
Lang = Annotated[str, Depends(get_lang)]
# Numbers and words from the URL, refused with a 422 before they could upset the database driver.
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
Search = Annotated[str | None, Query(max_length=200), AfterValidator(refuse_nul)]


def get_auth(request: Request, db: DB) -> Auth:
    """The agent whose bearer token came with the request; 401 otherwise."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("auth_required")
    agent = agent_for_token(db, token.strip())
    if agent is None:
        raise Unauthorized("token_invalid")
    if not agent.active:
        raise Unauthorized("agent_inactive", name=agent.name)
    return Auth(agent, principal_of(agent))


AuthDep = Annotated[Auth, Depends(get_auth)]
