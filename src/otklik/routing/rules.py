"""Pure routing rules: who may take a ticket now, how candidates score, and why (ru, en).

Values in, values out: presence, shifts, loads and the moment come in as arguments, so the
whole decision is a table-driven test. ``choose`` picks the owner, ``fallback_owner`` the lead
(or admin) who takes a ticket nobody can, ``should_reassign`` says whose waiting tickets move.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from otklik.core.taxonomy import label
from otklik.timers.rules import BusinessCalendar, is_open


class Presence(StrEnum):
    """What an agent says about themselves (``PUT /me/presence``)."""

    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"
    ON_LEAVE = "on_leave"


class State(StrEnum):
    """What presence and shift mean together at one moment."""

    ONLINE = "online"  # says online, and no shift or within it
    ON_SHIFT = "on_shift"  # said nothing; the shift says they work now
    AWAY = "away"  # stepped away: takes nothing new, keeps what they have
    UNKNOWN = "unknown"  # neither presence nor shift known: takes nothing new, keeps what they have
    OFFLINE = "offline"
    ON_LEAVE = "on_leave"
    OFF_SHIFT = "off_shift"
    INACTIVE = "inactive"


#: may take new tickets
AVAILABLE = frozenset({State.ONLINE, State.ON_SHIFT})
#: gone: their waiting tickets move to someone present (after the grace period)
ABSENT = frozenset({State.OFFLINE, State.ON_LEAVE, State.OFF_SHIFT, State.INACTIVE})


class Match(StrEnum):
    """How the chosen agent's skills meet the ticket's category."""

    EXACT = "exact"
    NEIGHBOUR = "neighbour"
    GENERAL = "general"  # no category yet (or «Другое»): anyone present may take it
    TEAM = "team"  # handed to a team by a person: any member may take it, the skilled ones first
    NONE = "none"  # no skill for it: only the returning customer's previous owner gets it so


#: categories close enough that an urgent ticket may go to the other side (both directions)
NEIGHBOUR_PAIRS: tuple[tuple[str, str], ...] = (
    ("shipping", "orders"),  # the same goods on the move, seen by the seller and the buyer
    ("finance", "returns"),  # money coming back
    ("orders", "returns"),  # the buyer's order and its return
    ("product_cards", "technical"),  # listings break in the cabinet's tools
    ("account", "technical"),  # a login that fails is often a fault
)


def _neighbours(pairs: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    result: dict[str, set[str]] = {}
    for one, other in pairs:
        result.setdefault(one, set()).add(other)
        result.setdefault(other, set()).add(one)
    return {code: frozenset(near) for code, near in result.items()}


NEIGHBOURS: dict[str, frozenset[str]] = _neighbours(NEIGHBOUR_PAIRS)

#: points of an exact skill by level (1 basic … 3 expert); a neighbouring skill counts half
LEVEL_POINTS = {1: 10.0, 2: 20.0, 3: 30.0}
NEIGHBOUR_SHARE = 0.5
#: points of a free slot: an idle agent gets the whole weight, a full one nothing. Urgent tickets
#: weigh load most, so they go where someone answers soonest, even in a neighbouring skill.
LOAD_WEIGHT = {"urgent": 40.0, "normal": 15.0, "low": 15.0}
#: not speaking the customer's language outweighs any skill level
LANGUAGE_PENALTY = 40.0
#: the customer's previous owner, when present and not full, outweighs everything else
RETURNING_BONUS = 100.0
#: statuses whose owner is busy with them: what «3 of 8 open» counts
LOAD_STATUSES = ("new", "open", "pending_customer", "on_hold")


@dataclass(frozen=True, slots=True)
class AgentFacts:
    """An agent as routing sees them: skills, languages, presence, shift and current load."""

    id: int
    name: str
    role: str = "agent"
    active: bool = True
    capacity: int = 8
    open_count: int = 0
    skills: Mapping[str, int] = field(default_factory=dict)
    languages: frozenset[str] = frozenset({"ru"})
    team_ids: frozenset[int] = frozenset()
    status: Presence | None = None
    status_since: datetime | None = None
    shift: BusinessCalendar | None = None


@dataclass(frozen=True, slots=True)
class TicketFacts:
    """A ticket as routing sees it. ``team_id`` is its team now (whose lead takes it when nobody can)."""

    id: int
    category: str | None = None
    urgency: str | None = None
    language: str = "ru"
    previous_owner_id: int | None = None
    owner_id: int | None = None
    team_id: int | None = None


@dataclass(frozen=True, slots=True)
class Scored:
    """One eligible candidate and the parts of their score."""

    agent: AgentFacts
    state: State
    match: Match
    skill: str | None
    level: int
    language_ok: bool
    returning: bool
    score: float


@dataclass(frozen=True, slots=True)
class Decision:
    """The choice: ``chosen`` is None when nobody eligible was found (``code`` is ``nobody``)."""

    chosen: Scored | None
    code: str
    ranked: tuple[Scored, ...]
    excluded: tuple[tuple[int, str], ...]
    reason: dict[str, str]


# ---- presence and shifts -----------------------------------------------------------------


def in_shift(shift: BusinessCalendar | None, at: datetime) -> bool | None:
    """Whether ``at`` falls in the shift; None when the agent has no shift."""
    return None if shift is None else is_open(at, shift)


def availability(agent: AgentFacts, at: datetime) -> State:
    """Presence and shift together. A shift, when set, bounds the working time; within it the
    agent's own status decides, and with no status the shift alone says they work."""
    if not agent.active:
        return State.INACTIVE
    match agent.status:
        case Presence.ON_LEAVE:
            return State.ON_LEAVE
        case Presence.OFFLINE:
            return State.OFFLINE
        case Presence.AWAY:
            return State.AWAY
    working = in_shift(agent.shift, at)
    if working is False:
        return State.OFF_SHIFT
    if agent.status is Presence.ONLINE:
        return State.ONLINE
    return State.ON_SHIFT if working else State.UNKNOWN


def should_reassign(agent: AgentFacts, at: datetime, grace: timedelta) -> State | None:
    """Why the waiting tickets of ``agent`` must move now, or None while they stay.

    On leave and deactivated: at once. Offline: once the status is ``grace`` old. Off shift: once
    the shift ended at least ``grace`` ago (it was also over ``grace`` before ``at``).
    """
    state = availability(agent, at)
    if state is State.ON_LEAVE or state is State.INACTIVE:
        return state
    if state is State.OFFLINE:
        since = agent.status_since
        return state if since is None or at - since >= grace else None
    if state is State.OFF_SHIFT:
        return state if in_shift(agent.shift, at - grace) is False else None
    return None


# ---- scoring ------------------------------------------------------------------------------


def skill_match(category: str | None, skills: Mapping[str, int]) -> tuple[Match, str | None, int]:
    """How ``skills`` meet ``category``: the match, the skill used and its level."""
    if category is None:
        return Match.GENERAL, None, 0
    if category in skills:
        return Match.EXACT, category, _level(skills[category])
    near = sorted((-_level(skills[s]), s) for s in NEIGHBOURS.get(category, frozenset()) if s in skills)
    if near:
        level, skill = near[0]
        return Match.NEIGHBOUR, skill, -level
    if category == "other":
        return Match.GENERAL, None, 0
    return Match.NONE, None, 0


def _level(level: int) -> int:
    return min(max(level, 1), 3)


def score_of(
    *, match: Match, level: int, open_count: int, capacity: int, urgency: str | None, language_ok: bool, returning: bool
) -> float:
    """Skill points + free-slot points − language penalty + returning bonus, rounded for stable ties."""
    skill = LEVEL_POINTS.get(level, 0.0)
    if match is Match.NEIGHBOUR:
        skill *= NEIGHBOUR_SHARE
    elif match is not Match.EXACT:
        skill = 0.0
    free = 1.0 - min(open_count, capacity) / capacity if capacity > 0 else 0.0
    total = skill + LOAD_WEIGHT.get(urgency or "normal", LOAD_WEIGHT["normal"]) * free
    if not language_ok:
        total -= LANGUAGE_PENALTY
    if returning:
        total += RETURNING_BONUS
    return round(total, 3)


def choose(
    ticket: TicketFacts,
    agents: Sequence[AgentFacts],
    at: datetime,
    *,
    within_team: int | None = None,
    exclude: frozenset[int] = frozenset(),
) -> Decision:
    """The owner for ``ticket`` among ``agents`` at ``at``, with the reason.

    Eligible: active, available (online, or on shift), under capacity, and with a skill for the
    category (or the customer's previous owner; or, ``within_team``, any member of that team).
    A normal or low ticket goes to a neighbouring skill only when nobody with the exact skill is
    eligible; an urgent one weighs load so much that a free neighbour beats a busy expert.
    Ties: higher score, fewer open, lower id.
    """
    urgent = ticket.urgency == "urgent"
    ranked: list[Scored] = []
    excluded: list[tuple[int, str]] = []
    for agent in sorted(agents, key=lambda a: a.id):
        why = _ineligible(ticket, agent, at, within_team, exclude)
        if why is not None:
            excluded.append((agent.id, why))
            continue
        returning = agent.id == ticket.previous_owner_id
        match, skill, level = skill_match(ticket.category, agent.skills)
        if match is Match.NONE and within_team is not None:
            match = Match.TEAM
        if match is Match.NONE and not returning:
            excluded.append((agent.id, "no_skill"))
            continue
        language_ok = ticket.language in agent.languages
        score = score_of(
            match=match, level=level, open_count=agent.open_count, capacity=agent.capacity,
            urgency=ticket.urgency, language_ok=language_ok, returning=returning,
        )  # fmt: skip
        state = availability(agent, at)
        ranked.append(Scored(agent, state, match, skill, level, language_ok, returning, score))
    if not urgent and any(s.match in (Match.EXACT, Match.GENERAL) or s.returning for s in ranked):
        spare = [s for s in ranked if s.match is Match.NEIGHBOUR and not s.returning]
        excluded.extend((s.agent.id, "neighbour_not_needed") for s in spare)
        ranked = [s for s in ranked if s not in spare]
    ranked.sort(key=lambda s: (-s.score, s.agent.open_count, s.agent.id))
    if not ranked:
        return Decision(None, "nobody", (), tuple(excluded), nobody_reason(ticket))
    best = ranked[0]
    code = "returning" if best.returning else best.match.value
    return Decision(best, code, tuple(ranked), tuple(excluded), reason(ticket, best))


def _ineligible(
    ticket: TicketFacts, agent: AgentFacts, at: datetime, within_team: int | None, exclude: frozenset[int]
) -> str | None:
    if agent.id == ticket.owner_id:
        return "current_owner"
    if agent.id in exclude:
        return "excluded"
    if within_team is not None and within_team not in agent.team_ids:
        return "other_team"
    state = availability(agent, at)
    if state not in AVAILABLE:
        return state.value
    if agent.open_count >= agent.capacity:
        return "full"
    return None


def fallback_owner(
    ticket: TicketFacts,
    agents: Sequence[AgentFacts],
    at: datetime,
    *,
    exclude: frozenset[int] = frozenset(),
    by_skill: bool = True,
) -> AgentFacts | None:
    """Who takes a ticket nobody eligible can: a lead of its team; then (``by_skill``) a lead of
    the team whose members hold its category; else an admin. Present ones first, then the least
    loaded, then the lowest id; capacity does not apply (this is the alarm, not the routine)."""
    live = [a for a in agents if a.active and a.id not in exclude]
    leads = [a for a in live if a.role == "lead"]
    groups: list[list[AgentFacts]] = []
    if ticket.team_id is not None:
        groups.append([a for a in leads if ticket.team_id in a.team_ids])
    for team in _skill_teams(ticket.category, live) if by_skill else []:
        groups.append([a for a in leads if team in a.team_ids])
    groups.append([a for a in live if a.role == "admin"])
    for group in groups:
        if group:
            return pick_present(group, at)
    return None


def pick_present(group: Sequence[AgentFacts], at: datetime) -> AgentFacts:
    """Of a non-empty group (leads, admins): a present one first, then the least loaded, then the lowest id."""
    return min(group, key=lambda a: (availability(a, at) not in AVAILABLE, _ratio(a), a.id))


def escalation_target(
    agents: Sequence[AgentFacts], at: datetime, *, team_id: int | None, exclude: frozenset[int]
) -> AgentFacts | None:
    """Who an escalation goes to: a lead of the ticket's team, else an admin (never the one escalating)."""
    live = [a for a in agents if a.active and a.id not in exclude]
    for group in (
        [a for a in live if a.role == "lead" and team_id is not None and team_id in a.team_ids],
        [a for a in live if a.role == "admin"],
    ):
        if group:
            return pick_present(group, at)
    return None


def _skill_teams(category: str | None, agents: Sequence[AgentFacts]) -> list[int]:
    """Teams ordered by how many of their members hold ``category`` (then by id)."""
    if category is None:
        return []
    counts: dict[int, int] = {}
    for agent in agents:
        if category in agent.skills:
            for team in agent.team_ids:
                counts[team] = counts.get(team, 0) + 1
    return [team for team, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _ratio(agent: AgentFacts) -> float:
    return agent.open_count / agent.capacity if agent.capacity > 0 else 1.0


# ---- reasons ------------------------------------------------------------------------------

_PRESENCE_TEXT = {
    State.ONLINE: ("в сети", "online"),
    State.ON_SHIFT: ("на смене", "on shift"),
    State.AWAY: ("отошёл", "away"),
    State.UNKNOWN: ("статус неизвестен", "status unknown"),
    State.OFFLINE: ("не в сети", "offline"),
    State.ON_LEAVE: ("в отпуске", "on leave"),
    State.OFF_SHIFT: ("вне смены", "off shift"),
    State.INACTIVE: ("отключён", "deactivated"),
}
_ABSENCE_TEXT = {
    State.OFFLINE: ("{name} не в сети", "{name} is offline"),
    State.ON_LEAVE: ("{name} в отпуске", "{name} is on leave"),
    State.OFF_SHIFT: ("{name}: смена закончилась", "{name}: the shift is over"),
    State.INACTIVE: ("{name}: учётная запись отключена", "{name}: the account is deactivated"),
}


def presence_text(state: State) -> dict[str, str]:
    ru, en = _PRESENCE_TEXT[state]
    return {"ru": ru, "en": en}


def reason(ticket: TicketFacts, chosen: Scored) -> dict[str, str]:
    """«Анна Финансова: Финансы, уровень 2, 3 из 8 открытых, в сети» and its English twin."""
    ru: list[str] = []
    en: list[str] = []
    if chosen.returning:
        ru.append("ответственный за прошлое обращение клиента")
        en.append("owner of the customer's last ticket")
    if chosen.match is Match.EXACT and chosen.skill:
        ru.append(f"{label(chosen.skill, 'ru')}, уровень {chosen.level}")
        en.append(f"{label(chosen.skill, 'en')}, level {chosen.level}")
    elif chosen.match is Match.NEIGHBOUR and chosen.skill and ticket.category:
        ru.append(
            f"{label(chosen.skill, 'ru')}, уровень {chosen.level} (смежный навык для «{label(ticket.category, 'ru')}»)"
        )
        en.append(
            f"{label(chosen.skill, 'en')}, level {chosen.level} (neighbouring skill for {label(ticket.category, 'en')})"
        )
    elif chosen.match is Match.GENERAL:
        ru.append("общая очередь")
        en.append("general queue")
    elif chosen.match is Match.TEAM:
        ru.append("участник команды")
        en.append("team member")
    agent = chosen.agent
    ru.append(f"{agent.open_count} из {agent.capacity} открытых")
    en.append(f"{agent.open_count} of {agent.capacity} open")
    presence = presence_text(chosen.state)
    ru.append(presence["ru"])
    en.append(presence["en"])
    if not chosen.language_ok:
        ru.append(f"не владеет языком клиента ({ticket.language})")
        en.append(f"does not speak the customer's language ({ticket.language})")
    elif ticket.language != "ru":
        ru.append(f"язык: {ticket.language}")
        en.append(f"language: {ticket.language}")
    text = {"ru": f"{agent.name}: {', '.join(ru)}", "en": f"{agent.name}: {', '.join(en)}"}
    if chosen.match is Match.NEIGHBOUR and ticket.urgency == "urgent":
        text = {
            "ru": f"{text['ru']}; срочное — к менее загруженному",
            "en": f"{text['en']}; urgent — to the less loaded",
        }
    return text


def nobody_reason(ticket: TicketFacts) -> dict[str, str]:
    """«нет свободных специалистов (Финансы)»."""
    if ticket.category is None:
        return {"ru": "нет свободных специалистов", "en": "no specialist available"}
    return {
        "ru": f"нет свободных специалистов ({label(ticket.category, 'ru')})",
        "en": f"no specialist available ({label(ticket.category, 'en')})",
    }


def fallback_reason(ticket: TicketFacts, owner: AgentFacts) -> dict[str, str]:
    """«нет свободных специалистов (Финансы) — передано руководителю: Борис Лидов»."""
    nobody = nobody_reason(ticket)
    if owner.role == "lead":
        return {
            "ru": f"{nobody['ru']} — передано руководителю: {owner.name}",
            "en": f"{nobody['en']} — handed to the lead: {owner.name}",
        }
    return {
        "ru": f"{nobody['ru']} — передано администратору: {owner.name}",
        "en": f"{nobody['en']} — handed to the admin: {owner.name}",
    }


def absence(name: str, state: State) -> dict[str, str]:
    """«Анна Финансова не в сети»."""
    ru, en = _ABSENCE_TEXT.get(state, ("{name} недоступен", "{name} is unavailable"))
    return {"ru": ru.format(name=name), "en": en.format(name=name)}


def absence_reason(name: str, state: State, then: dict[str, str], *, fallback: bool = False) -> dict[str, str]:
    """«Анна Финансова не в сети — передано: Павел Второй: Финансы, …»; with ``fallback`` (``then`` is
    a «нет свободных специалистов …» that names whom it went to) the two are simply joined."""
    gone = absence(name, state)
    if fallback:
        return prefixed(gone, then)
    return {"ru": f"{gone['ru']} — передано: {then['ru']}", "en": f"{gone['en']} — handed to {then['en']}"}


def prefixed(prefix: dict[str, str], then: dict[str, str]) -> dict[str, str]:
    """A person's reason (a transfer, an escalation) before the routing's own."""
    return {lang: f"{prefix[lang]} — {then[lang]}" for lang in ("ru", "en")}
