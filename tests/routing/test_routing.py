"""Routing end to end: intake → (triage's result) → the routing job → a named owner with a reason,
over the API and the worker, on SQLite and PostgreSQL. The clock is frozen and moved, never slept on."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.agents.queries import find_team
from otklik.core import clock, jobs
from otklik.core.audit import AuditEvent
from otklik.tickets.models import Ticket
from tests.conftest import Cast
from tests.routing.conftest import (
    call,
    decisions,
    follow_page,
    give,
    hand_over_from_triage,
    notes,
    owner,
    presence,
    ticket,
    write,
)

Run = Callable[[], int]
ILYA = "стою на складе в Хоругвино, поставку не принимают, говорят нет слота"


def audit_of(db: Session, ticket_id: int, action: str) -> list[AuditEvent]:
    db.expire_all()
    query = select(AuditEvent).where(AuditEvent.ticket_id == ticket_id, AuditEvent.action == action)
    return list(db.scalars(query.order_by(AuditEvent.id)))


@pytest.mark.usefixtures("real_triage")
def test_story_one_marina_takes_ilyas_urgent_supply(
    client: TestClient, db: Session, cast: Cast, frozen_clock: clock.FrozenClock, run: Run
) -> None:
    """Story 1, with the real triage model: it reads shipping/urgent; Marina handles FBO supplies
    (level 3) and is online with 2 of 8 open; within the same worker round as triage, Ilya's page
    says «Вашим обращением занимается Марина»."""
    marina, boris, anna = cast.agent_marina, cast.lead_boris, cast.agent_anna
    call(client, boris, "PUT", f"/agents/{marina.agent.id}/skills", {"skills": {"shipping": 3}})
    presence(client, marina, "online")
    presence(client, anna, "online")  # online, but finance is no neighbour of shipping
    for _ in range(2):
        give(db, write(client, marina, "Где акт приёмки по поставке?"), marina)

    ticket_id = write(client, marina, ILYA, sender="ilya_driver")
    assert owner(client, marina, ticket_id) is None  # not yet: the routing job runs after triage
    run()

    routed = ticket(client, marina, ticket_id)
    assert routed["assignee"]["name"] == "Марина Складова"
    assert (routed["category"], routed["urgency"], routed["status"]) == ("shipping", "urgent", "open")
    assert routed["team"]["name"] == "FBO"
    [decision] = decisions(client, marina, ticket_id)
    assert decision["reason"] == {
        "ru": "Марина Складова: Отгрузка и поставки, уровень 3, 2 из 8 открытых, в сети",
        "en": "Марина Складова: Shipping and supplies, level 3, 2 of 8 open, online",
    }
    assert (decision["cause"], decision["code"], decision["alarm"], decision["from"]) == ("route", "exact", False, None)
    assert decision["facts"]["category"] == "shipping"
    assert [c["name"] for c in decision["candidates"]] == ["Марина Складова"]
    assert decision["excluded"]["no_skill"] == 1  # Anna
    [assigned] = audit_of(db, ticket_id, "ticket.assigned")
    [created] = audit_of(db, ticket_id, "ticket.created")
    assert assigned.created_at == created.created_at  # the same moment: no waiting in a pool
    assert assigned.data["reason"] == decision["reason"]["ru"]
    [triaged] = audit_of(db, ticket_id, "ticket.triaged")
    assert triaged.actor_name == "triage"
    assert "Вашим обращением занимается Марина Складова" in follow_page(client, ticket_id)
    assert "Марина Складова is handling your request" in follow_page(client, ticket_id, "en")


def test_urgent_goes_to_a_free_neighbour_normal_waits_for_the_expert(
    client: TestClient, db: Session, cast: Cast, frozen_clock: clock.FrozenClock, run: Run
) -> None:
    marina, pavel, boris, olga = cast.agent_marina, cast.agent_pavel, cast.lead_boris, cast.admin_olga
    call(client, boris, "PUT", f"/agents/{marina.agent.id}/capacity", {"capacity": 4})
    call(client, olga, "PUT", f"/agents/{pavel.agent.id}/skills", {"skills": {"orders": 2}})
    presence(client, marina, "online")
    presence(client, pavel, "online")
    for _ in range(3):
        give(db, write(client, marina, "Поставка застряла"), marina)  # 3 of 4: busy

    urgent = write(client, marina, ILYA)
    hand_over_from_triage(db, urgent, "shipping", "urgent")
    normal = write(client, marina, "Подскажите, как записаться на слот поставки на следующую неделю?")
    hand_over_from_triage(db, normal, "shipping", "normal")
    run()

    assert owner(client, olga, urgent) == "Павел Второй"
    [why] = decisions(client, olga, urgent)
    assert why["code"] == "neighbour"
    assert why["reason"]["ru"] == (
        "Павел Второй: Заказы и доставка, уровень 2 (смежный навык для «Отгрузка и поставки»), "
        "0 из 8 открытых, в сети; срочное — к менее загруженному"
    )
    assert [c["name"] for c in why["candidates"]] == ["Павел Второй", "Марина Складова"]
    assert owner(client, olga, normal) == "Марина Складова"  # normal: the exact skill, 3 of 4 or not
    assert decisions(client, olga, normal)[0]["reason"]["en"].endswith("3 of 4 open, online")


def test_two_tickets_of_one_customer_in_one_worker_batch_go_to_the_same_owner(
    client: TestClient, db: Session, cast: Cast, frozen_clock: clock.FrozenClock, run: Run
) -> None:
    """Routing's reads do not flush (a batch writes once): the second ticket must still see that
    the first, routed a moment ago in the same batch and not yet written, went to someone."""
    anna, pavel, olga = cast.agent_anna, cast.agent_pavel, cast.admin_olga
    presence(client, anna, "online")
    presence(client, pavel, "online")
    first = write(client, anna, "Не пришла выплата за неделю", sender="irina_tg")
    customer_id = ticket(client, olga, first)["customer"]["id"]
    call(client, olga, "POST", f"/customers/{customer_id}/identities", {"kind": "vk", "value": "irina_vk"}, 201)
    second = write(client, anna, "И акт сверки не сходится", sender="irina_vk", channel="vk")
    assert second != first
    assert ticket(client, olga, second)["customer"]["id"] == customer_id
    for ticket_id in (first, second):  # the bot's jobs would flush between the two routing jobs
        jobs.cancel(db, f"bot:{ticket_id}")
    hand_over_from_triage(db, first, "finance", "normal")
    hand_over_from_triage(db, second, "finance", "normal")
    assert run() >= 2
    first_owner = owner(client, olga, first)
    assert first_owner is not None
    assert owner(client, olga, second) == first_owner
    [why] = decisions(client, olga, second)
    assert why["code"] == "returning"
    assert why["to"]["name"] == first_owner


def test_returning_customer_goes_back_to_their_previous_owner(
    client: TestClient, db: Session, cast: Cast, frozen_clock: clock.FrozenClock, run: Run
) -> None:
    anna, pavel, olga = cast.agent_anna, cast.agent_pavel, cast.admin_olga
    presence(client, anna, "online")
    presence(client, pavel, "online")
    first = write(client, anna, "Не пришла выплата за неделю", sender="svetlana")
    give(db, first, pavel)
    call(client, pavel, "POST", f"/tickets/{first}/solve", {"text": "Выплата ушла сегодня."})
    call(client, olga, "POST", f"/tickets/{first}/customer-verdict", {"solved": True})

    second = write(client, anna, "Опять не пришла выплата", sender="svetlana")
    assert second != first
    hand_over_from_triage(db, second, "finance", "normal")
    run()
    assert owner(client, olga, second) == "Павел Второй"  # her last ticket's owner, over Anna's level 2
    [why] = decisions(client, olga, second)
    assert why["code"] == "returning"
    assert why["reason"]["ru"] == (
        "Павел Второй: ответственный за прошлое обращение клиента, Финансы, уровень 1, 0 из 8 открытых, в сети"
    )
    assert why["facts"]["previous_owner_id"] == pavel.agent.id

    presence(client, pavel, "away")  # stepped out: the customer is not held for him
    third = write(client, anna, "И ещё вопрос по акту сверки", sender="svetlana", channel="vk")
    hand_over_from_triage(db, third, "finance", "normal")
    run()
    assert owner(client, olga, third) == "Анна Финансова"
    assert decisions(client, olga, third)[0]["code"] == "exact"


def test_nobody_eligible_goes_to_the_lead_as_an_alarm_then_to_a_free_specialist(
    client: TestClient, db: Session, cast: Cast, frozen_clock: clock.FrozenClock, run: Run
) -> None:
    marina, boris = cast.agent_marina, cast.lead_boris
    ticket_id = write(client, marina, ILYA)
    hand_over_from_triage(db, ticket_id, "shipping", "urgent")
    run()

    assert owner(client, boris, ticket_id) == "Борис Лидов"  # never unowned
    [why] = decisions(client, boris, ticket_id)
    assert why["alarm"] is True
    assert why["reason"] == {
        "ru": "нет свободных специалистов (Отгрузка и поставки) — передано руководителю: Борис Лидов",
        "en": "no specialist available (Shipping and supplies) — handed to the lead: Борис Лидов",
    }
    [alarm] = notes(client, boris)
    assert alarm["kind"] == "routing_alarm"
    assert alarm["text"].startswith(f"Обращение #{ticket_id}: нет свободных специалистов (Отгрузка и поставки)")
    assert notes(client, boris, "en")[0]["text"].startswith(f"Ticket #{ticket_id}: no specialist is free")

    presence(client, marina, "online")
    frozen_clock.advance(timedelta(minutes=2))
    run()
    assert owner(client, boris, ticket_id) == "Марина Складова"
    assert decisions(client, boris, ticket_id)[-1]["reason"]["ru"].startswith(
        "освободился специалист — Марина Складова: Отгрузка и поставки, уровень 2"
    )


def test_transfer_to_a_team_with_a_reason_keeps_the_history(
    client: TestClient, db: Session, cast: Cast, frozen_clock: clock.FrozenClock, run: Run
) -> None:
    marina, anna, pavel = cast.agent_marina, cast.agent_anna, cast.agent_pavel
    presence(client, marina, "online")
    presence(client, anna, "online")
    presence(client, pavel, "online")
    ticket_id = write(client, marina, "Поставку приняли, а выплату за неё так и не начислили")
    hand_over_from_triage(db, ticket_id, "shipping", "normal")
    run()
    assert owner(client, marina, ticket_id) == "Марина Складова"
    call(client, marina, "POST", f"/tickets/{ticket_id}/notes", {"text": "Поставка принята 20.11, акт есть"}, 201)
    finance = find_team(db, "Финансы")
    assert finance is not None

    body = {"team_id": finance.id, "reason": "Вопрос о выплате, а не о поставке"}
    call(client, pavel, "POST", f"/tickets/{ticket_id}/transfer-team", body, status=403)  # not his ticket
    moved = call(client, marina, "POST", f"/tickets/{ticket_id}/transfer-team", body)
    assert moved["ticket"]["assignee"]["name"] == "Анна Финансова"  # a member; a tie with Pavel: the lower id
    assert moved["ticket"]["team"]["name"] == "Финансы"
    assert moved["reason"]["ru"] == (
        "в команду «Финансы»: Вопрос о выплате, а не о поставке — "
        "Анна Финансова: участник команды, 0 из 8 открытых, в сети"
    )
    timeline = call(client, anna, "GET", f"/tickets/{ticket_id}/messages")["items"]
    assert [m["text"] for m in timeline] == [
        "Поставку приняли, а выплату за неё так и не начислили",
        "Вашим обращением занимается Марина Складова. Ответ придёт сюда, в этот чат.",
        "Поставка принята 20.11, акт есть",
        "Вашим обращением занимается Анна Финансова. Ответ придёт сюда, в этот чат.",
    ]  # the customer on the messenger is told each owner by name, once
    [transferred] = audit_of(db, ticket_id, "ticket.transferred")
    assert transferred.data["from"]["name"] == "Марина Складова"
    assert transferred.data["to"]["name"] == "Анна Финансова"
    assert transferred.data["reason"] == moved["reason"]["ru"]
    assert len(audit_of(db, ticket_id, "ticket.assigned")) == 1  # the first owner is still on record
    assert [d["cause"] for d in decisions(client, anna, ticket_id)] == ["route", "transfer_team"]
    [told] = notes(client, anna)
    assert told["kind"] == "routing_transferred"
    assert "Причина: Вопрос о выплате, а не о поставке" in told["text"]


def test_escalation_goes_to_the_lead_then_to_the_admin(
    client: TestClient, db: Session, cast: Cast, frozen_clock: clock.FrozenClock, run: Run
) -> None:
    marina, boris = cast.agent_marina, cast.lead_boris
    presence(client, marina, "online")
    ticket_id = write(client, marina, ILYA)
    hand_over_from_triage(db, ticket_id, "shipping", "urgent")
    run()
    up = call(client, marina, "POST", f"/tickets/{ticket_id}/escalate", {"reason": "Склад отказывает без причины"})
    assert up["ticket"]["assignee"]["name"] == "Борис Лидов"
    assert up["reason"]["ru"] == "эскалация руководителю: Склад отказывает без причины — Борис Лидов"
    [told] = notes(client, boris)
    assert (told["kind"], told["text"]) == (
        "routing_escalated",
        f"Обращение #{ticket_id} эскалировано вам. Причина: Склад отказывает без причины. От кого: Марина Складова.",
    )
    higher = call(client, boris, "POST", f"/tickets/{ticket_id}/escalate", {"reason": "Нужен договор со складом"})
    assert higher["ticket"]["assignee"]["name"] == "Ольга Админова"
    assert [d["cause"] for d in decisions(client, boris, ticket_id)] == ["route", "escalate", "escalate"]
    short = client.post(f"/api/v1/tickets/{ticket_id}/escalate", json={"reason": "  "}, headers=boris.headers)
    assert (short.status_code, short.json()["field"]) == (422, "reason")


def test_going_offline_hands_waiting_tickets_over_and_the_customer_sees_the_new_name(
    client: TestClient, db: Session, cast: Cast, frozen_clock: clock.FrozenClock, run: Run
) -> None:
    anna, pavel = cast.agent_anna, cast.agent_pavel
    presence(client, anna, "online")
    ticket_id = write(client, anna, "Не пришла выплата за неделю")
    hand_over_from_triage(db, ticket_id, "finance", "normal")
    run()
    assert "Вашим обращением занимается Анна Финансова" in follow_page(client, ticket_id)
    presence(client, pavel, "online")

    presence(client, anna, "offline")
    frozen_clock.advance(timedelta(minutes=4))
    run()
    assert owner(client, pavel, ticket_id) == "Анна Финансова"  # a blink is not an absence
    frozen_clock.advance(timedelta(minutes=1))
    run()
    assert owner(client, pavel, ticket_id) == "Павел Второй"
    assert "Вашим обращением занимается Павел Второй" in follow_page(client, ticket_id)
    why = decisions(client, pavel, ticket_id)[-1]
    assert (why["cause"], why["from"]["name"]) == ("absent_owner", "Анна Финансова")
    assert why["reason"] == {
        "ru": "Анна Финансова не в сети — передано: Павел Второй: Финансы, уровень 1, 0 из 8 открытых, в сети",
        "en": "Анна Финансова is offline — handed to Павел Второй: Finance, level 1, 0 of 8 open, online",
    }
    [told] = notes(client, pavel)
    assert told["kind"] == "routing_reassigned"
    assert told["text"] == (
        f"Обращение #{ticket_id} теперь ваше: Анна Финансова не в сети. Клиент ждёт ответа с 2026-11-23 12:05 MSK."
    )


def test_past_the_shift_and_on_leave(
    client: TestClient, db: Session, cast: Cast, frozen_clock: clock.FrozenClock, run: Run
) -> None:
    anna, pavel, olga = cast.agent_anna, cast.agent_pavel, cast.admin_olga
    weekdays = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    shift = call(client, olga, "PUT", f"/agents/{anna.agent.id}/shift", {"timezone": "Europe/Moscow", "days": weekdays})
    assert (shift["state"], shift["in_shift"], shift["available"]) == (
        "on_shift",
        True,
        True,
    )  # no status: the shift says
    presence(client, pavel, "online")
    give(db, write(client, anna, "Сверка"), pavel)
    late = write(client, anna, "Где выплата?")
    hand_over_from_triage(db, late, "finance", "normal")
    run()
    assert owner(client, olga, late) == "Анна Финансова"  # on shift, and Pavel is busier

    frozen_clock.set(frozen_clock.now().replace(hour=15, minute=4))  # 18:04 in Moscow
    run()
    assert owner(client, olga, late) == "Анна Финансова"  # the grace period
    frozen_clock.advance(timedelta(minutes=2))
    run()
    assert owner(client, olga, late) == "Павел Второй"
    assert decisions(client, olga, late)[-1]["reason"]["ru"].startswith("Анна Финансова: смена закончилась — передано")

    presence(client, anna, "online")  # overtime is not in the shift: she takes nothing new
    assert call(client, anna, "GET", "/me/presence")["state"] == "off_shift"
    presence(client, pavel, "on_leave")  # on leave: at once, no grace
    run()
    assert owner(client, olga, late) == "Ольга Админова"  # nobody in finance is left, and it has no lead
    last = decisions(client, olga, late)[-1]
    assert (last["alarm"], last["reason"]["ru"]) == (
        True,
        "Павел Второй в отпуске — нет свободных специалистов (Финансы) — передано администратору: Ольга Админова",
    )


def test_capacity_holds_under_a_burst_of_twenty(
    client: TestClient, db: Session, cast: Cast, frozen_clock: clock.FrozenClock, run: Run
) -> None:
    marina, anna, pavel, olga = cast.agent_marina, cast.agent_anna, cast.agent_pavel, cast.admin_olga
    for who, capacity in ((marina, 5), (anna, 6), (pavel, 4)):
        call(client, olga, "PUT", f"/agents/{who.agent.id}/capacity", {"capacity": capacity})
        presence(client, who, "online")
    burst = [write(client, olga, f"Вопрос номер {n}") for n in range(20)]
    assert run() >= 20  # one worker round routes the whole burst

    db.expire_all()
    owners = [db.get(Ticket, t).assignee for t in burst]  # type: ignore[union-attr]  # each exists
    counts: dict[str, int] = {}
    for person in owners:
        assert person is not None  # every ticket has an owner
        counts[person.name] = counts.get(person.name, 0) + 1
    assert counts == {"Марина Складова": 5, "Анна Финансова": 6, "Павел Второй": 4, "Ольга Админова": 5}
    alarms = [n for n in notes(client, olga) if n["kind"] == "routing_alarm"]
    assert len(alarms) == 5
    board = {p["agent"]["name"]: p for p in call(client, olga, "GET", "/routing/agents")}
    assert (board["Анна Финансова"]["open"], board["Анна Финансова"]["available"]) == (6, False)


def test_the_english_workspace_explains_routing_in_english(
    client: TestClient, db: Session, cast: Cast, frozen_clock: clock.FrozenClock, run: Run
) -> None:
    """Issue 12: routing reasons stayed Russian in the English UI although the decision had them in
    English (``reason.en`` in the API)."""
    from otklik.web.agent.plugins import explanations

    marina = cast.agent_marina
    presence(client, marina, "online")
    ticket_id = write(client, marina, "Подскажите, как записаться на слот поставки на следующую неделю?")
    hand_over_from_triage(db, ticket_id, "shipping", "normal")
    run()
    ticket = db.get(Ticket, ticket_id)
    assert ticket is not None
    [routed] = [x for x in explanations(db, ticket, "en") if x.kind == "routing"]
    [english] = routed.reasons
    assert english == decisions(client, cast.admin_olga, ticket_id)[0]["reason"]["en"]
    assert not re.search(r"[а-яё]", english.replace("Марина Складова", ""), re.I)
    [russian] = next(x for x in explanations(db, ticket, "ru") if x.kind == "routing").reasons
    assert "в сети" in russian
