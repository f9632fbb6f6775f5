"""Writes for agents: accounts, teams, skills and API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.agents.models import Agent, AgentSkill, ApiToken, Notification, Team
from otklik.agents.queries import find_team
from otklik.agents.rules import Role
from otklik.agents.security import hash_password, new_token, token_digest, verify_password
from otklik.core import audit, clock
from otklik.core.actors import Actor, ActorKind
from otklik.core.errors import Conflict, InvalidInput, Unauthorized
from otklik.core.taxonomy import Category


def check_new_agent(session: Session, *, email: str, name: str, role: str, skills: list[str]) -> None:
    """Refuses an agent that could not exist: bad role, unknown skill, taken email."""
    if "@" not in email or len(email) > 320:
        raise InvalidInput("invalid_field", field="email", reason="нужен адрес почты / an email address is required")
    if not name.strip():
        raise InvalidInput("invalid_field", field="name", reason="пусто / empty")
    if role not in {r.value for r in Role}:
        raise InvalidInput("invalid_field", field="role", reason="admin | lead | agent")
    unknown = [s for s in skills if s not in {c.value for c in Category}]
    if unknown:
        raise InvalidInput(
            "invalid_field", field="skills", reason=f"неизвестные категории / unknown categories: {', '.join(unknown)}"
        )
    if session.scalars(select(Agent.id).where(Agent.email == email.strip().lower())).first() is not None:
        raise Conflict("agent_email_taken", email=email)


def actor_of(agent: Agent) -> Actor:
    """The agent as the audit log names them."""
    return Actor(ActorKind.AGENT, agent.id, agent.name)


_NO_SUCH_AGENT = hash_password("no such agent: spend the same time as a real check")


def check_credentials(session: Session, *, email: str, password: str) -> Agent:
    """The active agent with this email and password; 401 otherwise.

    An unknown email costs the same argon2 check as a wrong password, so the
    answer time does not reveal which accounts exist.
    """
    agent = session.scalars(select(Agent).where(Agent.email == email.strip().lower())).first()
    if agent is None or agent.password_hash is None:
        verify_password(_NO_SUCH_AGENT, password)
        raise Unauthorized("credentials_invalid")
    if not verify_password(agent.password_hash, password):
        raise Unauthorized("credentials_invalid")
    if not agent.active:
        raise Unauthorized("agent_inactive", name=agent.name)
    return agent


def do_ensure_team(session: Session, name: str, *, actor: Actor, at: datetime | None = None) -> Team:
    """The team called ``name``, created if new. Emits ``team.created`` when created."""
    team = find_team(session, name)
    if team is not None:
        return team
    moment = at or clock.now()
    team = Team(name=name, created_at=moment)
    session.add(team)
    session.flush()
    audit.record(
        session, actor=actor, action="team.created", entity="team", entity_id=team.id, data={"name": name}, at=moment
    )
    return team


def do_create_agent(
    session: Session,
    *,
    email: str,
    name: str,
    role: str,
    actor: Actor,
    password: str | None = None,
    skills: dict[str, int] | None = None,
    teams: list[str] | None = None,
    capacity: int = 8,
    at: datetime | None = None,
) -> Agent:
    """A new agent with skills (category → level) and team memberships. Emits ``agent.created``."""
    moment = at or clock.now()
    skills = skills or {}
    check_new_agent(session, email=email, name=name, role=role, skills=list(skills))
    agent = Agent(
        email=email.strip().lower(),
        name=name.strip(),
        role=role,
        password_hash=hash_password(password) if password else None,
        active=True,
        capacity=capacity,
        created_at=moment,
    )
    agent.skills = [AgentSkill(category=c, level=level) for c, level in skills.items()]
    agent.teams = [do_ensure_team(session, t, actor=actor, at=moment) for t in dict.fromkeys(teams or []) if t]
    session.add(agent)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="agent.created",
        entity="agent",
        entity_id=agent.id,
        data={"email": agent.email, "role": role, "skills": skills, "teams": teams or []},
        at=moment,
    )
    return agent


def do_create_token(session: Session, agent: Agent, *, actor: Actor, name: str = "", at: datetime | None = None) -> str:
    """A new API token for ``agent``; the plaintext is returned once and never stored."""
    moment = at or clock.now()
    token = new_token()
    row = ApiToken(agent_id=agent.id, token_hash=token_digest(token), prefix=token[:12], name=name, created_at=moment)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="token.created",
        entity="agent",
        entity_id=agent.id,
        data={"token_id": row.id, "prefix": row.prefix, "name": name},
        at=moment,
    )
    return token


def do_end_sessions(session: Session, agent: Agent, *, actor: Actor, at: datetime | None = None) -> None:
    """End every browser session of ``agent`` (a sign-out): a cookie copied before it no longer opens
    the desk. API tokens are revoked on their own."""
    moment = at or clock.now()
    agent.session_generation += 1
    audit.record(
        session, actor=actor, action="agent.sessions_ended", entity="agent", entity_id=agent.id,
        data={"generation": agent.session_generation}, at=moment,
    )  # fmt: skip


def do_notify(
    session: Session,
    agent_ids: list[int],
    *,
    kind: str,
    ticket_id: int | None = None,
    params: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> list[Notification]:
    """One notification per distinct agent; the text is rendered from ``kind`` when read."""
    moment = at or clock.now()
    notes = [
        Notification(agent_id=agent_id, ticket_id=ticket_id, kind=kind, params=params or {}, created_at=moment)
        for agent_id in dict.fromkeys(agent_ids)
    ]
    session.add_all(notes)
    return notes


def do_mark_read(session: Session, note: Notification, *, at: datetime | None = None) -> None:
    note.read_at = note.read_at or at or clock.now()


def check_agent_update(*, role: str, capacity: int, skills: dict[str, int]) -> None:
    """Refuses an update that could not hold: bad role, capacity or skill."""
    if role not in {r.value for r in Role}:
        raise InvalidInput("invalid_field", field="role", reason="admin | lead | agent")
    if not 0 <= capacity <= 100:
        raise InvalidInput("invalid_field", field="capacity", reason="0–100")
    unknown = [s for s in skills if s not in {c.value for c in Category}]
    if unknown:
        raise InvalidInput("invalid_field", field="skills", reason=f"неизвестные / unknown: {', '.join(unknown)}")
    if any(not 1 <= level <= 3 for level in skills.values()):
        raise InvalidInput("invalid_field", field="skills", reason="уровень 1–3 / level 1–3")


def do_update_agent(
    session: Session,
    agent: Agent,
    *,
    role: str,
    capacity: int,
    active: bool,
    skills: dict[str, int],
    teams: list[str],
    actor: Actor,
    at: datetime | None = None,
) -> None:
    """An admin changes an agent's role, capacity, skills (category → level), teams or activity.

    Emits ``agent.updated`` with the values before and after.
    """
    check_agent_update(role=role, capacity=capacity, skills=skills)
    moment = at or clock.now()

    def snapshot() -> dict[str, Any]:
        return {
            "role": agent.role,
            "capacity": agent.capacity,
            "active": agent.active,
            "skills": {s.category: s.level for s in agent.skills},
            "teams": [t.name for t in agent.teams],
        }

    before = snapshot()
    agent.role, agent.capacity, agent.active = role, capacity, active
    current = {s.category: s for s in agent.skills}
    agent.skills = [
        current[c] if c in current else AgentSkill(agent_id=agent.id, category=c, level=level)
        for c, level in sorted(skills.items())
    ]
    for skill in agent.skills:
        skill.level = skills[skill.category]
    agent.teams = [do_ensure_team(session, name, actor=actor, at=moment) for name in dict.fromkeys(teams) if name]
    after = snapshot()
    if after != before:
        audit.record(
            session, actor=actor, action="agent.updated", entity="agent", entity_id=agent.id,
            data={"from": before, "to": after}, at=moment,
        )  # fmt: skip
