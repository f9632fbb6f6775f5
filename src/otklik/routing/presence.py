"""The writes of routing on agents: presence (with its heartbeat), shift, languages, and skills and
capacity through ``agents.actions``. Going offline or on leave schedules the move of the agent's
waiting tickets (``routing.owner_away``). Nothing here commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from otklik.agents.actions import do_update_agent
from otklik.agents.models import Agent
from otklik.agents.rules import Principal, Role
from otklik.core import audit, clock, jobs
from otklik.core.actors import Actor
from otklik.core.errors import Forbidden, InvalidInput
from otklik.routing import queries
from otklik.routing.actions import OWNER_AWAY
from otklik.routing.models import RoutingProfile
from otklik.routing.rules import Presence
from otklik.routing.settings import get_routing_settings
from otklik.timers.sla import parse_calendar

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def check_manage_agent(who: Principal, agent: Agent) -> None:
    """An admin manages anyone; a lead the members of their teams (and themselves)."""
    if who.role is Role.ADMIN:
        return
    if who.role is Role.LEAD and (agent.id == who.agent_id or who.team_ids & {t.id for t in agent.teams}):
        return
    raise Forbidden("manage_agent_forbidden", name=agent.name)


def _profile(session: Session, agent: Agent, at: datetime) -> RoutingProfile:
    profile = queries.profile_of(session, agent.id)
    if profile is None:
        profile = RoutingProfile(agent_id=agent.id, timezone="Europe/Moscow", languages=["ru"], updated_at=at)
        session.add(profile)
    return profile


def do_set_presence(
    session: Session, agent: Agent, status: Presence, *, actor: Actor, at: datetime | None = None
) -> RoutingProfile:
    """The agent is online, away, offline or on leave (repeating the same status is a heartbeat).

    Going offline schedules their waiting tickets to move after the grace period; on leave
    moves them at once. Emits ``agent.presence_changed`` when the status changes.
    """
    moment = at or clock.now()
    profile = _profile(session, agent, moment)
    profile.last_seen_at = moment
    before = profile.status
    if before == status.value:
        return profile
    profile.status, profile.status_since, profile.updated_at = status.value, moment, moment
    audit.record(
        session, actor=actor, action="agent.presence_changed", entity="agent", entity_id=agent.id,
        data={"from": before, "to": status.value}, at=moment,
    )  # fmt: skip
    key = f"routing:agent:{agent.id}:away"
    if status in (Presence.OFFLINE, Presence.ON_LEAVE):
        grace = timedelta(0 if status is Presence.ON_LEAVE else get_routing_settings().away_grace_seconds)
        jobs.schedule(session, OWNER_AWAY, {"agent_id": agent.id}, due_at=moment + grace, key=key)
    else:
        jobs.cancel(session, key)
    return profile


def check_shift(timezone: str, days: dict[str, list[tuple[str, str]]] | None) -> list[list[list[str]]] | None:
    """Seven lists of ``["HH:MM", "HH:MM"]`` (Monday first) from ``{"mon": [...], ...}``; 422 naming the field."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            "invalid_field", field="timezone", reason="нужна зона IANA, например Europe/Moscow / an IANA zone"
        ) from None
    if days is None:
        return None
    unknown = [d for d in days if d not in WEEKDAYS]
    if unknown:
        raise InvalidInput("invalid_field", field="days", reason=f"дни / days: {', '.join(WEEKDAYS)}")
    hours: list[list[list[str]]] = []
    for day in WEEKDAYS:
        spans = sorted([start, "00:00" if end == "24:00" else end] for start, end in days.get(day, []))
        for start, end in spans:
            if end != "00:00" and end <= start:
                raise InvalidInput(
                    "invalid_field", field=f"days.{day}",
                    reason=f"{start}–{end}: конец раньше начала; ночную смену разбейте на два дня / "
                    "the end is before the start; split a night shift over two days",
                )  # fmt: skip
        hours.append(spans)
    try:
        parse_calendar(timezone, hours, [], False)
    except ValueError as exc:
        raise InvalidInput("invalid_field", field="days", reason=str(exc)) from None
    return hours


def do_set_shift(
    session: Session,
    agent: Agent,
    *,
    timezone: str,
    days: dict[str, list[tuple[str, str]]] | None,
    actor: Actor,
    at: datetime | None = None,
) -> RoutingProfile:
    """The agent's working hours per weekday in their own time zone (None: no shift). Emits ``agent.shift_changed``."""
    moment = at or clock.now()
    hours = check_shift(timezone, days)
    profile = _profile(session, agent, moment)
    before = {"timezone": profile.timezone, "shift": profile.shift}
    profile.timezone, profile.shift, profile.updated_at = timezone, hours, moment
    audit.record(
        session, actor=actor, action="agent.shift_changed", entity="agent", entity_id=agent.id,
        data={"from": before, "to": {"timezone": timezone, "shift": hours}}, at=moment,
    )  # fmt: skip
    return profile


def do_set_languages(
    session: Session, agent: Agent, languages: list[str], *, actor: Actor, at: datetime | None = None
) -> RoutingProfile:
    """The languages the agent answers in (ISO 639-1 codes). Emits ``agent.languages_changed``."""
    moment = at or clock.now()
    codes = list(dict.fromkeys(code.strip().lower() for code in languages))
    if not codes or any(len(c) != 2 or not c.isascii() or not c.isalpha() for c in codes):
        raise InvalidInput("invalid_field", field="languages", reason="коды ISO 639-1: ru, en … / ISO 639-1 codes")
    profile = _profile(session, agent, moment)
    before = list(profile.languages or [])
    profile.languages, profile.updated_at = codes, moment
    audit.record(
        session, actor=actor, action="agent.languages_changed", entity="agent", entity_id=agent.id,
        data={"from": before, "to": codes}, at=moment,
    )  # fmt: skip
    return profile


def do_set_skills_and_capacity(
    session: Session,
    agent: Agent,
    *,
    actor: Actor,
    skills: dict[str, int] | None = None,
    capacity: int | None = None,
    at: datetime | None = None,
) -> None:
    """New skills (category → level 1–3) and/or capacity, through ``agents.actions.do_update_agent``
    (which audits ``agent.updated``); role, teams and activity stay as they are."""
    do_update_agent(
        session,
        agent,
        role=agent.role,
        capacity=agent.capacity if capacity is None else capacity,
        active=agent.active,
        skills={s.category: s.level for s in agent.skills} if skills is None else skills,
        teams=[t.name for t in agent.teams],
        actor=actor,
        at=at,
    )
