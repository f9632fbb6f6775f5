"""Routing rules, table-driven: hundreds of cases from a small grid, no database.

The grid is skills × levels × loads × presence × urgency × returning; each row says whether
the agent may take the ticket and what the reason names. Hand-written rows pin the choices
that matter: the expert beats the novice, an urgent ticket goes to a free neighbour, the
returning customer's owner wins, nobody eligible means the lead or the admin.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from otklik.core.i18n import language_of
from otklik.routing.rules import (
    AVAILABLE,
    NEIGHBOURS,
    AgentFacts,
    Match,
    Presence,
    State,
    TicketFacts,
    absence_reason,
    availability,
    choose,
    escalation_target,
    fallback_owner,
    fallback_reason,
    should_reassign,
    skill_match,
)
from otklik.timers.sla import parse_calendar

MONDAY_NOON_MSK = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)  # 12:05 in Moscow
MONDAY_EVENING_MSK = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # 19:00 in Moscow
NINE_TO_SIX = parse_calendar("Europe/Moscow", [[["09:00", "18:00"]]] * 5 + [[], []], [], False)
GRACE = timedelta(minutes=5)


def agent(agent_id: int = 1, name: str = "Анна Финансова", **kw: object) -> AgentFacts:
    base = AgentFacts(id=agent_id, name=name, status=Presence.ONLINE, skills={"finance": 2})
    return replace(base, **kw)  # type: ignore[arg-type]  # a test helper: the fields are named by the caller


# ---- the grid: one agent, one ticket -----------------------------------------------------

SKILLS = {
    "exact": ("finance", "finance"),
    "neighbour": ("finance", "returns"),  # a finance ticket, a returns specialist
    "unrelated": ("finance", "shipping"),
    "general": (None, "shipping"),  # untriaged: anyone present
}
LEVELS = (1, 2, 3)
LOADS = (0, 7, 8)  # of 8: free, one slot left, full
PRESENCE = {
    # name: (status, shift, moment) → available?
    "online": (Presence.ONLINE, None, MONDAY_NOON_MSK),
    "online_in_shift": (Presence.ONLINE, NINE_TO_SIX, MONDAY_NOON_MSK),
    "online_off_shift": (Presence.ONLINE, NINE_TO_SIX, MONDAY_EVENING_MSK),
    "silent_in_shift": (None, NINE_TO_SIX, MONDAY_NOON_MSK),
    "silent_off_shift": (None, NINE_TO_SIX, MONDAY_EVENING_MSK),
    "silent_no_shift": (None, None, MONDAY_NOON_MSK),
    "away": (Presence.AWAY, None, MONDAY_NOON_MSK),
    "offline": (Presence.OFFLINE, NINE_TO_SIX, MONDAY_NOON_MSK),
    "on_leave": (Presence.ON_LEAVE, None, MONDAY_NOON_MSK),
}
AVAILABLE_PRESENCE = {"online", "online_in_shift", "silent_in_shift"}
GRID = list(itertools.product(SKILLS, LEVELS, LOADS, PRESENCE, ("urgent", "normal"), (False, True)))


@pytest.mark.parametrize(("skill", "level", "load", "presence", "urgency", "returning"), GRID)
def test_one_agent_grid(skill: str, level: int, load: int, presence: str, urgency: str, returning: bool) -> None:
    category, held = SKILLS[skill]
    status, shift, at = PRESENCE[presence]
    anna = agent(status=status, shift=shift, skills={held: level}, open_count=load, capacity=8)
    ticket = TicketFacts(id=10001, category=category, urgency=urgency, previous_owner_id=1 if returning else None)
    decision = choose(ticket, [anna], at)

    skilled = skill in {"exact", "neighbour", "general"}
    expected = presence in AVAILABLE_PRESENCE and load < 8 and (skilled or returning)
    assert (decision.chosen is not None) is expected
    if not expected:
        assert decision.code == "nobody"
        assert decision.reason["ru"].startswith("нет свободных специалистов")
        assert decision.excluded[0][1] in {"full", "no_skill", *(s.value for s in State if s not in AVAILABLE)}
        return
    chosen = decision.chosen
    assert chosen is not None
    ru, en = decision.reason["ru"], decision.reason["en"]
    assert ru.startswith("Анна Финансова: ")
    assert en.startswith("Анна Финансова: ")
    assert f"{load} из 8 открытых" in ru
    assert f"{load} of 8 open" in en
    assert ("в сети" if status is Presence.ONLINE else "на смене") in ru
    assert ("online" if status is Presence.ONLINE else "on shift") in en
    if returning:
        assert decision.code == "returning"
        assert "ответственный за прошлое обращение клиента" in ru
    if skill == "exact":
        assert f"Финансы, уровень {level}" in ru
        assert f"Finance, level {level}" in en
        assert chosen.match is Match.EXACT
    if skill == "neighbour":
        assert f"Возвраты и компенсации, уровень {level} (смежный навык для «Финансы»)" in ru
        assert ("срочное — к менее загруженному" in ru) is (urgency == "urgent")
    if skill == "general":
        assert "общая очередь" in ru
        assert "general queue" in en


@pytest.mark.parametrize(("urgency", "returning"), list(itertools.product(("urgent", "normal", "low"), (False, True))))
def test_scores_fall_with_load_and_rise_with_level(urgency: str, returning: bool) -> None:
    """Monotonic: one more open ticket never raises a score; one more level never lowers it."""
    ticket = TicketFacts(id=1, category="finance", urgency=urgency, previous_owner_id=1 if returning else None)
    for level, load in itertools.product(LEVELS, range(7)):
        here = choose(ticket, [agent(skills={"finance": level}, open_count=load)], MONDAY_NOON_MSK).chosen
        busier = choose(ticket, [agent(skills={"finance": level}, open_count=load + 1)], MONDAY_NOON_MSK).chosen
        assert here is not None
        assert busier is not None
        assert busier.score < here.score
        if level < 3:
            better = choose(ticket, [agent(skills={"finance": level + 1}, open_count=load)], MONDAY_NOON_MSK).chosen
            assert better is not None
            assert better.score > here.score


def _crowd(seed: int) -> list[AgentFacts]:
    rng = random.Random(seed)
    people = []
    for agent_id in range(1, 9):
        skills = {c: rng.randint(1, 3) for c in rng.sample(sorted(NEIGHBOURS), rng.randint(0, 2))}
        people.append(
            AgentFacts(
                id=agent_id,
                name=f"Сотрудник {agent_id}",
                capacity=rng.choice((4, 8)),
                open_count=rng.randint(0, 8),
                skills=skills,
                status=rng.choice([*Presence, None]),
                shift=rng.choice((None, NINE_TO_SIX)),
                languages=frozenset(rng.choice((("ru",), ("ru", "en"), ("en",)))),
            )
        )
    return people


@pytest.mark.parametrize("seed", range(40))
def test_choice_is_deterministic_and_never_breaks_the_rules(seed: int) -> None:
    """Whatever the order agents come in, the same one is chosen, and the chosen one is always
    present, under capacity and skilled (or the returning customer's owner)."""
    people = _crowd(seed)
    rng = random.Random(seed)
    for category, urgency in itertools.product([*sorted(NEIGHBOURS), "other", None], ("urgent", "normal")):
        ticket = TicketFacts(
            id=1, category=category, urgency=urgency, language=rng.choice(("ru", "en")),
            previous_owner_id=rng.choice((None, 3)),
        )  # fmt: skip
        first = choose(ticket, people, MONDAY_NOON_MSK)
        shuffled = people[:]
        rng.shuffle(shuffled)
        again = choose(ticket, shuffled, MONDAY_NOON_MSK)
        assert (first.chosen and first.chosen.agent.id) == (again.chosen and again.chosen.agent.id)
        assert first.reason == again.reason
        if first.chosen is None:
            continue
        chosen = first.chosen.agent
        assert availability(chosen, MONDAY_NOON_MSK) in AVAILABLE
        assert chosen.open_count < chosen.capacity
        match, _, _ = skill_match(category, chosen.skills)
        assert match is not Match.NONE or chosen.id == ticket.previous_owner_id
        if urgency == "normal" and match is Match.NEIGHBOUR and chosen.id != ticket.previous_owner_id:
            # a normal ticket goes to a neighbour only when no exact (or general) candidate was eligible
            assert all(s.match is Match.NEIGHBOUR for s in first.ranked)


# ---- hand-written rows: two candidates ----------------------------------------------------

MARINA = AgentFacts(
    id=2, name="Марина Складова", open_count=2, skills={"shipping": 3}, status=Presence.ONLINE, team_ids=frozenset({1})
)
PAVEL = AgentFacts(id=5, name="Павел Второй", open_count=1, skills={"orders": 2}, status=Presence.ONLINE)


@pytest.mark.parametrize(
    ("marina_open", "marina_capacity", "urgency", "winner"),
    [
        (2, 8, "urgent", "Марина Складова"),  # story 1: the expert with room takes it
        (2, 8, "normal", "Марина Складова"),
        (3, 4, "normal", "Марина Складова"),  # normal: the exact skill beats a neighbour, busy or not
        (3, 4, "urgent", "Павел Второй"),  # urgent: a free neighbour beats a busy expert
        (7, 8, "urgent", "Павел Второй"),
        (7, 8, "low", "Марина Складова"),
        (8, 8, "normal", "Павел Второй"),  # the expert is full: a neighbour rather than nobody
        (8, 8, "urgent", "Павел Второй"),
    ],
)
def test_urgent_may_go_to_a_neighbour_with_lower_load(
    marina_open: int, marina_capacity: int, urgency: str, winner: str
) -> None:
    marina = replace(MARINA, open_count=marina_open, capacity=marina_capacity)
    decision = choose(TicketFacts(id=1, category="shipping", urgency=urgency), [marina, PAVEL], MONDAY_NOON_MSK)
    assert decision.chosen is not None
    assert decision.chosen.agent.name == winner


def test_story_one_reason_text() -> None:
    decision = choose(TicketFacts(id=1, category="shipping", urgency="urgent"), [MARINA, PAVEL], MONDAY_NOON_MSK)
    assert decision.reason == {
        "ru": "Марина Складова: Отгрузка и поставки, уровень 3, 2 из 8 открытых, в сети",
        "en": "Марина Складова: Shipping and supplies, level 3, 2 of 8 open, online",
    }
    busy = replace(MARINA, open_count=7)
    neighbour = choose(TicketFacts(id=1, category="shipping", urgency="urgent"), [busy, PAVEL], MONDAY_NOON_MSK)
    assert neighbour.reason == {
        "ru": "Павел Второй: Заказы и доставка, уровень 2 (смежный навык для «Отгрузка и поставки»), "
        "1 из 8 открытых, в сети; срочное — к менее загруженному",
        "en": "Павел Второй: Orders and delivery, level 2 (neighbouring skill for Shipping and supplies), "
        "1 of 8 open, online; urgent — to the less loaded",
    }


@pytest.mark.parametrize(
    ("anna", "pavel", "previous", "winner"),
    [
        ({"finance": 2}, {"finance": 1}, None, 1),  # the higher level
        ({"finance": 1}, {"finance": 2}, None, 5),
        ({"finance": 1}, {"finance": 3}, 1, 1),  # the returning customer's owner beats an expert
        ({"shipping": 1}, {"finance": 3}, 1, 1),  # ... even without the skill
        ({"finance": 2}, {"finance": 2}, None, 1),  # a tie: the lower id
    ],
)
def test_level_returning_and_ties(
    anna: dict[str, int], pavel: dict[str, int], previous: int | None, winner: int
) -> None:
    people = [agent(5, "Павел Второй", skills=pavel), agent(1, skills=anna)]
    decision = choose(TicketFacts(id=1, category="finance", previous_owner_id=previous), people, MONDAY_NOON_MSK)
    assert decision.chosen is not None
    assert decision.chosen.agent.id == winner


def test_returning_owner_who_is_away_does_not_get_it() -> None:
    people = [agent(1, status=Presence.OFFLINE), agent(5, "Павел Второй", skills={"finance": 1})]
    decision = choose(TicketFacts(id=1, category="finance", previous_owner_id=1), people, MONDAY_NOON_MSK)
    assert decision.chosen is not None
    assert decision.chosen.agent.id == 5
    assert decision.code == "exact"


def test_language_outweighs_level() -> None:
    english = TicketFacts(id=1, category="finance", language="en")
    people = [
        agent(1, skills={"finance": 3}),
        agent(5, "Павел Второй", skills={"finance": 1}, languages=frozenset({"ru", "en"})),
    ]
    decision = choose(english, people, MONDAY_NOON_MSK)
    assert decision.chosen is not None
    assert decision.chosen.agent.id == 5
    assert decision.reason["en"].endswith("language: en")
    alone = choose(english, people[:1], MONDAY_NOON_MSK)  # nobody speaks it: still someone, and it says so
    assert alone.reason["ru"].endswith("не владеет языком клиента (en)")


def test_team_transfer_stays_within_the_team() -> None:
    people = [
        agent(1, team_ids=frozenset({7})),
        agent(5, "Павел Второй", skills={"finance": 3}, team_ids=frozenset({8})),
    ]
    decision = choose(TicketFacts(id=1, category="finance"), people, MONDAY_NOON_MSK, within_team=7)
    assert decision.chosen is not None
    assert decision.chosen.agent.id == 1
    assert (5, "other_team") in decision.excluded
    # handed to a team: any member may take it, and a neighbouring skill still counts over none
    members = [
        agent(1, team_ids=frozenset({7})),
        agent(5, "Павел Второй", skills={"orders": 2}, team_ids=frozenset({7})),
    ]
    shipping = choose(TicketFacts(id=1, category="shipping"), members, MONDAY_NOON_MSK, within_team=7)
    assert shipping.chosen is not None
    assert (shipping.chosen.agent.id, shipping.code) == (5, "neighbour")
    assert [s.match.value for s in shipping.ranked] == ["neighbour", "team"]


# ---- presence and shifts -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "shift", "at", "state"),
    [
        (Presence.ONLINE, None, MONDAY_NOON_MSK, State.ONLINE),
        (Presence.ONLINE, NINE_TO_SIX, MONDAY_NOON_MSK, State.ONLINE),
        (Presence.ONLINE, NINE_TO_SIX, MONDAY_EVENING_MSK, State.OFF_SHIFT),
        (None, NINE_TO_SIX, MONDAY_NOON_MSK, State.ON_SHIFT),
        (None, NINE_TO_SIX, MONDAY_EVENING_MSK, State.OFF_SHIFT),
        (None, NINE_TO_SIX, MONDAY_NOON_MSK + timedelta(days=5), State.OFF_SHIFT),  # Saturday
        (None, None, MONDAY_NOON_MSK, State.UNKNOWN),
        (Presence.AWAY, NINE_TO_SIX, MONDAY_NOON_MSK, State.AWAY),
        (Presence.OFFLINE, NINE_TO_SIX, MONDAY_NOON_MSK, State.OFFLINE),
        (Presence.ON_LEAVE, NINE_TO_SIX, MONDAY_NOON_MSK, State.ON_LEAVE),
    ],
)
def test_availability(status: Presence | None, shift: object, at: datetime, state: State) -> None:
    assert availability(agent(status=status, shift=shift), at) is state
    assert availability(agent(status=status, shift=shift, active=False), at) is State.INACTIVE


SHIFT_END = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 18:00 in Moscow


@pytest.mark.parametrize(
    ("status", "since", "shift", "at", "why"),
    [
        (Presence.OFFLINE, SHIFT_END, None, SHIFT_END + timedelta(minutes=4), None),  # within the grace
        (Presence.OFFLINE, SHIFT_END, None, SHIFT_END + timedelta(minutes=5), State.OFFLINE),
        (Presence.ON_LEAVE, SHIFT_END, None, SHIFT_END, State.ON_LEAVE),  # at once
        (Presence.AWAY, SHIFT_END - timedelta(hours=3), None, SHIFT_END, None),  # away keeps the tickets
        (None, None, None, SHIFT_END, None),  # unknown keeps them too
        (None, None, NINE_TO_SIX, SHIFT_END - timedelta(minutes=1), None),
        (None, None, NINE_TO_SIX, SHIFT_END + timedelta(minutes=4), None),
        (None, None, NINE_TO_SIX, SHIFT_END + timedelta(minutes=5), State.OFF_SHIFT),
        (Presence.ONLINE, SHIFT_END, NINE_TO_SIX, SHIFT_END + timedelta(minutes=6), State.OFF_SHIFT),
        (Presence.ONLINE, SHIFT_END, None, SHIFT_END + timedelta(hours=9), None),
    ],
)
def test_should_reassign(
    status: Presence | None, since: datetime | None, shift: object, at: datetime, why: State | None
) -> None:
    assert should_reassign(agent(status=status, status_since=since, shift=shift), at, GRACE) is why


def test_deactivated_owner_is_reassigned_at_once() -> None:
    assert should_reassign(agent(active=False), MONDAY_NOON_MSK, GRACE) is State.INACTIVE


# ---- nobody eligible: the lead, else the admin ----------------------------------------------

BORIS = AgentFacts(id=3, name="Борис Лидов", role="lead", team_ids=frozenset({1}), skills={"shipping": 3}, open_count=9)
OLGA = AgentFacts(id=9, name="Ольга Админова", role="admin")
GLEB = AgentFacts(id=4, name="Глеб Финлид", role="lead", team_ids=frozenset({2}), status=Presence.OFFLINE)
ANNA = AgentFacts(id=1, name="Анна Финансова", team_ids=frozenset({2}), skills={"finance": 2}, status=Presence.OFFLINE)


@pytest.mark.parametrize(
    ("category", "team_id", "exclude", "expected"),
    [
        ("shipping", None, frozenset(), "Борис Лидов"),  # the team whose members hold the skill
        ("finance", None, frozenset(), "Глеб Финлид"),  # its lead, even offline (this is the alarm)
        ("finance", 1, frozenset(), "Борис Лидов"),  # the ticket's own team first
        ("technical", None, frozenset(), "Ольга Админова"),  # nobody holds it: the admin
        (None, None, frozenset(), "Ольга Админова"),
        ("shipping", None, frozenset({3}), "Ольга Админова"),  # the absent lead is not handed it back
    ],
)
def test_fallback_owner(category: str | None, team_id: int | None, exclude: frozenset[int], expected: str) -> None:
    people = [BORIS, OLGA, GLEB, ANNA]
    ticket = TicketFacts(id=1, category=category, team_id=team_id)
    assert choose(ticket, people, MONDAY_NOON_MSK).chosen is None
    owner = fallback_owner(ticket, people, MONDAY_NOON_MSK, exclude=exclude)
    assert owner is not None
    assert owner.name == expected


def test_fallback_and_absence_reasons() -> None:
    ticket = TicketFacts(id=1, category="shipping")
    assert fallback_reason(ticket, BORIS) == {
        "ru": "нет свободных специалистов (Отгрузка и поставки) — передано руководителю: Борис Лидов",
        "en": "no specialist available (Shipping and supplies) — handed to the lead: Борис Лидов",
    }
    assert (
        fallback_reason(TicketFacts(id=1), OLGA)["ru"]
        == "нет свободных специалистов — передано администратору: Ольга Админова"
    )
    then = {"ru": "Павел Второй: Финансы, уровень 1", "en": "Павел Второй: Finance, level 1"}
    assert absence_reason("Анна Финансова", State.OFFLINE, then) == {
        "ru": "Анна Финансова не в сети — передано: Павел Второй: Финансы, уровень 1",
        "en": "Анна Финансова is offline — handed to Павел Второй: Finance, level 1",
    }


def test_escalation_goes_to_the_teams_lead_then_the_admin() -> None:
    people = [BORIS, OLGA, GLEB, ANNA]
    lead = escalation_target(people, MONDAY_NOON_MSK, team_id=2, exclude=frozenset({1}))
    assert lead is not None
    assert lead.name == "Глеб Финлид"
    admin = escalation_target(people, MONDAY_NOON_MSK, team_id=2, exclude=frozenset({4}))
    assert admin is not None
    assert admin.name == "Ольга Админова"
    assert escalation_target([ANNA], MONDAY_NOON_MSK, team_id=2, exclude=frozenset()) is None


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("стою на складе в Хоругвино", "ru"),
        ("Hello, where is my payout?", "en"),
        ("Order 123, где он?", "ru"),
        ("12345 !!!", "ru"),
        (None, "ru"),
    ],
)
def test_language_of(text: str | None, lang: str) -> None:
    assert language_of(text) == lang
