"""API shapes for routing: presence, shifts, skills, languages, transfers and the recorded decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from otklik.agents.models import Agent
from otklik.agents.schemas import AgentRef
from otklik.core.audit import AuditEvent
from otklik.core.schemas import Id, StrictIn, TimeZone
from otklik.core.taxonomy import Category
from otklik.routing.models import RoutingProfile
from otklik.routing.rules import AVAILABLE, AgentFacts, Presence, availability, in_shift, presence_text
from otklik.tickets.schemas import TicketOut

HHMM = Annotated[str, Field(pattern=r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Reason = Annotated[str, Field(min_length=3, max_length=1000)]


class PresenceIn(StrictIn):
    status: Presence


class ShiftIn(StrictIn):
    """Working hours per weekday in the agent's own time zone; ``days: null`` clears the shift.

    A night shift is two intervals: ``"mon": [["22:00", "24:00"]], "tue": [["00:00", "06:00"]]``.
    """

    timezone: TimeZone = "Europe/Moscow"
    days: dict[Weekday, list[tuple[HHMM, HHMM]]] | None


class SkillsIn(StrictIn):
    skills: dict[Category, Annotated[int, Field(ge=1, le=3)]]  # 1 basic … 3 expert


class CapacityIn(StrictIn):
    capacity: int = Field(ge=1, le=100)


class LanguagesIn(StrictIn):
    languages: list[Annotated[str, Field(pattern=r"^[a-z]{2}$")]] = Field(min_length=1, max_length=10)


class TransferTeamIn(StrictIn):
    team_id: Id
    reason: Reason


class EscalateIn(StrictIn):
    reason: Reason


class ProfileOut(BaseModel):
    """An agent as routing sees them now: what they said, what their shift says, and their load."""

    agent: AgentRef
    status: str | None
    status_since: datetime | None
    last_seen_at: datetime | None
    state: str
    state_label: dict[str, str]
    available: bool
    in_shift: bool | None
    timezone: str
    shift: dict[str, list[list[str]]] | None
    languages: list[str]
    skills: dict[str, int]
    capacity: int
    open: int

    @classmethod
    def of(cls, agent: Agent, profile: RoutingProfile | None, facts: AgentFacts, at: datetime) -> ProfileOut:
        state = availability(facts, at)
        shift = None
        if profile is not None and profile.shift is not None:
            shift = {day: [list(span) for span in spans] for day, spans in zip(WEEKDAYS, profile.shift, strict=False)}
        ref = AgentRef.of(agent)
        assert ref is not None
        return cls(
            agent=ref,
            status=profile.status if profile is not None else None,
            status_since=profile.status_since if profile is not None else None,
            last_seen_at=profile.last_seen_at if profile is not None else None,
            state=state.value,
            state_label=presence_text(state),
            available=state in AVAILABLE and facts.open_count < facts.capacity,
            in_shift=in_shift(facts.shift, at),
            timezone=profile.timezone if profile is not None else "Europe/Moscow",
            shift=shift,
            languages=sorted(facts.languages),
            skills=dict(facts.skills),
            capacity=facts.capacity,
            open=facts.open_count,
        )


class DecisionOut(BaseModel):
    """One recorded routing decision: who got the ticket from whom, and why (ru and en)."""

    id: int
    at: datetime
    actor: str
    cause: str
    code: str
    to: dict[str, Any] | None
    from_: dict[str, Any] | None = Field(serialization_alias="from")
    reason: dict[str, str]
    alarm: bool
    facts: dict[str, Any]
    candidates: list[dict[str, Any]]
    excluded: dict[str, int]

    @classmethod
    def of(cls, event: AuditEvent) -> DecisionOut:
        data = event.data
        return cls(
            id=event.id,
            at=event.created_at,
            actor=event.actor_name,
            cause=str(data.get("cause", "")),
            code=str(data.get("code", "")),
            to=data.get("to"),
            from_=data.get("from"),
            reason=dict(data.get("reason") or {}),
            alarm=bool(data.get("alarm")),
            facts=dict(data.get("facts") or {}),
            candidates=list(data.get("candidates") or []),
            excluded=dict(data.get("excluded") or {}),
        )


class DecisionPage(BaseModel):
    items: list[DecisionOut]


class RoutedOut(BaseModel):
    """The ticket after a transfer or an escalation, and why it went where it did."""

    ticket: TicketOut
    code: str
    reason: dict[str, str]
    alarm: bool
