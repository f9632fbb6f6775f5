"""Every promise and target as a durable timer: SLA stages, delivery, holds, auto-close,
the customer's own clock, the backlog guard and the digest — driven by moving the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from otklik.core import clock, jobs
from otklik.worker import registry
from tests.conftest import Cast, Persona, unique

registry.load()
MOSCOW_NOON = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)  # Monday 12:05 in Moscow (the frozen clock's start)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def inbound(
    client: TestClient, who: Persona, *, channel: str = "webchat", sender: str = "", text: str = "Помогите"
) -> int:
    kind = {"email": "email", "webchat": "web", "telegram": "telegram"}[channel]
    value = sender or (f"{unique('c')}@example.ru" if kind == "email" else unique("c").replace("-", "_"))
    body = {"channel": channel, "external_id": unique(), "sender": {"kind": kind, "value": value}, "text": text}
    answer = client.post("/api/v1/messages/inbound", json=body, headers=who.headers)
    assert answer.status_code in (200, 201), answer.text
    return int(answer.json()["ticket_id"])


def ticket(client: TestClient, who: Persona, ticket_id: int) -> dict[str, Any]:
    answer = client.get(f"/api/v1/tickets/{ticket_id}", headers=who.headers)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def notes(client: TestClient, who: Persona, lang: str = "ru") -> list[dict[str, Any]]:
    answer = client.get("/api/v1/notifications", headers={**who.headers, "Accept-Language": lang})
    return list(answer.json()["items"])


def post(client: TestClient, who: Persona, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = client.post(path, json=body, headers=who.headers)
    assert answer.status_code in (200, 201), answer.text
    return dict(answer.json())


@pytest.fixture
def run(session_factory: sessionmaker[Session]) -> Any:
    """One worker round, as ``otklik worker`` does it (periodic sweeps included)."""

    def round_() -> int:
        with session_factory() as session, session.begin():
            jobs.ensure_periodic(session)
        return jobs.run_due(session_factory, worker="test")

    return round_


def test_first_response_target_runs_in_business_hours(client: TestClient, cast: Cast, frozen_clock: Any) -> None:
    ticket_id = inbound(client, cast.agent_marina)
    sla = ticket(client, cast.agent_marina, ticket_id)["sla"]
    assert sla["waiting_since"] == iso(MOSCOW_NOON)
    # untriaged counts as normal: 2 business hours on Moscow 9–18 → 14:05 MSK
    assert sla["first_response_due_at"] == iso(MOSCOW_NOON + timedelta(hours=2))
    # resolution: 27 business hours = three working days → Thursday 12:05 MSK
    assert sla["resolution_due_at"] == iso(MOSCOW_NOON + timedelta(days=3))


def test_urgent_target_warns_owner_then_lead_then_admin(
    client: TestClient, cast: Cast, frozen_clock: clock.FrozenClock, run: Any
) -> None:
    marina, boris, olga = cast.agent_marina, cast.lead_boris, cast.admin_olga
    ticket_id = inbound(client, marina, channel="telegram", text="стою на складе, поставку не принимают")
    triaged = post(client, marina, f"/api/v1/tickets/{ticket_id}/triage", {"category": "shipping", "urgency": "urgent"})
    assert triaged["sla"]["first_response_due_at"] == iso(MOSCOW_NOON + timedelta(minutes=15))  # 24/7
    frozen_clock.advance(timedelta(minutes=11))
    run()
    assert notes(client, boris) == []
    frozen_clock.advance(timedelta(minutes=1))  # 12 of 15 minutes: 80 %
    run()
    warned = notes(client, marina)
    assert [n["kind"] for n in warned] == ["sla_warn"]
    assert (
        warned[0]["text"] == f"Обращение #{ticket_id}: срок ответа истекает в 2026-11-23 12:20 MSK. Ответьте клиенту."
    )
    frozen_clock.advance(timedelta(minutes=3))
    run()
    breach = notes(client, boris, "en")
    assert [n["kind"] for n in breach] == ["sla_breach"]
    assert "Owner: Марина Складова" in breach[0]["text"]
    assert notes(client, olga) == []
    frozen_clock.advance(timedelta(minutes=7, seconds=30))
    run()
    assert [n["kind"] for n in notes(client, olga)] == ["sla_escalate"]


def test_a_new_category_under_the_same_policy_does_not_restart_the_stages(
    client: TestClient, cast: Cast, frozen_clock: clock.FrozenClock, run: Any
) -> None:
    """A retarget that keeps the policy keeps the plan: the warning already given is not given again."""
    marina, boris = cast.agent_marina, cast.lead_boris
    ticket_id = inbound(client, marina, channel="telegram", text="стою на складе, поставку не принимают")
    post(client, marina, f"/api/v1/tickets/{ticket_id}/triage", {"category": "shipping", "urgency": "urgent"})
    frozen_clock.advance(timedelta(minutes=12))  # 80 % of 15 minutes: the owner is warned
    run()
    assert [n["kind"] for n in notes(client, marina)] == ["sla_warn"]
    again = post(client, marina, f"/api/v1/tickets/{ticket_id}/triage", {"category": "finance", "urgency": "urgent"})
    assert again["sla"]["first_response_due_at"] == iso(MOSCOW_NOON + timedelta(minutes=15))  # the same target
    run()
    assert [n["kind"] for n in notes(client, marina)] == ["sla_warn"]  # not warned twice
    frozen_clock.advance(timedelta(minutes=3))
    run()
    assert [n["kind"] for n in notes(client, boris)] == ["sla_breach"]  # the walk goes on where it was


def test_only_a_delivered_reply_stops_the_clock(client: TestClient, cast: Cast, frozen_clock: Any, run: Any) -> None:
    anna = cast.agent_anna
    chat = inbound(client, anna, channel="webchat")
    mail = inbound(client, anna, channel="email")
    for ticket_id in (chat, mail):
        post(client, anna, f"/api/v1/tickets/{ticket_id}/replies", {"text": "Проверила: выплата ушла сегодня."})
    queued = ticket(client, anna, chat)
    assert queued["status"] == "pending_customer"
    assert queued["sla"]["waiting_since"] is not None  # queued is not delivered
    run()
    delivered = ticket(client, anna, chat)
    assert delivered["sla"]["waiting_since"] is None
    assert delivered["sla"]["first_response_at"] is not None
    timeline = client.get(f"/api/v1/tickets/{chat}/messages", headers=anna.headers).json()["items"]
    assert timeline[-1]["delivery"] == {"state": "sent", "error": None}
    # e-mail has no relay configured here: the reply fails for good and nothing claims otherwise
    lost = ticket(client, anna, mail)
    assert lost["status"] == "open"
    assert lost["sla"]["waiting_since"] is not None
    failed = client.get(f"/api/v1/tickets/{mail}/messages", headers=anna.headers).json()["items"][-1]
    assert failed["delivery"]["state"] == "failed"
    assert "OTKLIK_SMTP_URL" in failed["delivery"]["error"]
    assert [n["kind"] for n in notes(client, anna)] == ["delivery_failed"]
    refused = client.post(f"/api/v1/tickets/{mail}/solve", json={}, headers=anna.headers)
    assert refused.status_code == 409


def test_a_promise_comes_due_and_tops_the_queue(
    client: TestClient, cast: Cast, frozen_clock: clock.FrozenClock, run: Any
) -> None:
    marina = cast.agent_marina
    ticket_id = inbound(client, marina, channel="telegram")
    post(client, marina, f"/api/v1/tickets/{ticket_id}/replies", {"text": "Проверяю слот"})
    until = clock.now() + timedelta(minutes=5)
    held = post(
        client, marina, f"/api/v1/tickets/{ticket_id}/hold", {"until": iso(until), "promise": "Проверяю слот, 5 минут"}
    )
    assert held["status"] == "on_hold"
    assert held["hold"]["until"] == iso(until)
    frozen_clock.advance(timedelta(minutes=4))
    run()
    assert ticket(client, marina, ticket_id)["status"] == "on_hold"
    frozen_clock.advance(timedelta(minutes=1))
    run()
    due = ticket(client, marina, ticket_id)
    assert due["status"] == "open"
    assert due["sla"]["waiting_since"] == iso(until)  # now we owe them an answer
    kinds = [n["kind"] for n in notes(client, marina)]
    assert "follow_up_due" in kinds
    assert "«Проверяю слот, 5 минут»" in notes(client, marina)[0]["text"]


def test_solved_live_chat_closes_after_thirty_silent_minutes(
    client: TestClient, cast: Cast, frozen_clock: clock.FrozenClock, run: Any
) -> None:
    anna = cast.agent_anna
    ticket_id = inbound(client, anna, channel="webchat")
    post(client, anna, f"/api/v1/tickets/{ticket_id}/solve", {"text": "Готово, выплата отправлена."})
    frozen_clock.advance(timedelta(minutes=29, seconds=59))
    run()
    assert ticket(client, anna, ticket_id)["status"] == "solved"
    frozen_clock.advance(timedelta(seconds=1))
    run()
    closed = ticket(client, anna, ticket_id)
    assert closed["status"] == "closed"
    assert closed["customer_clock"]["stopped_at"] == iso(clock.now())


def test_an_admin_shortens_the_window_and_solved_tickets_follow(
    client: TestClient, cast: Cast, frozen_clock: clock.FrozenClock, run: Any
) -> None:
    anna, olga = cast.agent_anna, cast.admin_olga
    quiet = inbound(client, anna, channel="webchat")
    talking = inbound(client, anna, channel="webchat")
    for ticket_id in (quiet, talking):
        post(client, anna, f"/api/v1/tickets/{ticket_id}/solve", {"text": "Решено."})
    forbidden = client.put(
        "/api/v1/settings/channels/webchat", json={"inactivity_close_seconds": 60}, headers=anna.headers
    )
    assert forbidden.status_code == 403
    changed = client.put(
        "/api/v1/settings/channels/webchat", json={"inactivity_close_seconds": 60}, headers=olga.headers
    )
    assert changed.json()["inactivity_close_seconds"] == 60
    frozen_clock.advance(timedelta(seconds=30))
    sender = client.get(f"/api/v1/tickets/{talking}", headers=anna.headers).json()["customer"]["id"]
    identity = client.get(f"/api/v1/customers/{sender}", headers=anna.headers).json()["identities"][0]["value"]
    inbound(client, anna, channel="webchat", sender=identity, text="Нет, деньги не пришли")
    frozen_clock.advance(timedelta(seconds=30))
    run()
    assert ticket(client, anna, quiet)["status"] == "closed"
    assert ticket(client, anna, talking)["status"] == "open"
    bad = client.put("/api/v1/settings/channels/webchat", json={"inactivity_close_seconds": 0}, headers=olga.headers)
    assert bad.status_code == 422
    assert bad.json()["field"] == "inactivity_close_seconds"


def test_the_customers_clock_ignores_holds_and_climbs_to_the_admin(
    client: TestClient, cast: Cast, frozen_clock: clock.FrozenClock, run: Any, db: Session
) -> None:
    marina, boris, olga = cast.agent_marina, cast.lead_boris, cast.admin_olga
    ticket_id = inbound(client, marina, channel="telegram")
    post(client, marina, f"/api/v1/tickets/{ticket_id}/replies", {"text": "Товар будет через месяц, напишем."})
    post(
        client, marina, f"/api/v1/tickets/{ticket_id}/hold",
        {"until": iso(clock.now() + timedelta(days=40)), "promise": "Мы напишем вам до 2 января"},
    )  # fmt: skip
    for days, who, level in ((1, boris, 1), (6, olga, 2), (23, olga, 3)):
        frozen_clock.advance(timedelta(days=days))
        run()
        assert ticket(client, marina, ticket_id)["customer_clock"]["escalation_level"] == level
        assert any(n["kind"] == "customer_age" for n in notes(client, who))
    assert ticket(client, marina, ticket_id)["status"] == "on_hold"


def test_reminders_repeat_in_business_hours_only(
    client: TestClient, cast: Cast, frozen_clock: clock.FrozenClock, run: Any, db: Session
) -> None:
    anna, olga = cast.agent_anna, cast.admin_olga
    calendar = post(
        client, olga, "/api/v1/settings/calendars",
        {"name": "Москва, будни", "hours": [[["09:00", "18:00"]]] * 5 + [[], []]},
    )  # fmt: skip
    from otklik.agents.queries import find_team

    team = find_team(db, "Финансы")
    assert team is not None
    team.calendar_id = calendar["id"]
    db.commit()
    frozen_clock.set(datetime(2026, 11, 23, 23, 0, tzinfo=UTC))  # 02:00 in Moscow
    ticket_id = inbound(client, anna, channel="telegram")
    post(client, anna, f"/api/v1/tickets/{ticket_id}/triage", {"category": "finance", "urgency": "urgent"})
    frozen_clock.advance(timedelta(hours=1))  # breached at night
    run()
    assert [n for n in notes(client, anna) if n["kind"] == "backlog_reminder"] == []
    frozen_clock.set(datetime(2026, 11, 24, 6, 1, tzinfo=UTC))  # 09:01 Moscow
    run()
    reminders = lambda: [n for n in notes(client, anna) if n["kind"] == "backlog_reminder"]  # noqa: E731
    assert len(reminders()) == 1
    frozen_clock.advance(timedelta(minutes=10))
    run()
    assert len(reminders()) == 1
    frozen_clock.advance(timedelta(minutes=21))
    run()
    assert len(reminders()) == 2
    digest = [n for n in notes(client, olga) if n["kind"] == "daily_digest"]
    assert len(digest) == 1  # no lead in «Финансы»: the admin gets its digest
    assert f"#{ticket_id}" in digest[0]["text"]


def test_a_holding_message_starts_its_own_short_timer(
    client: TestClient, cast: Cast, frozen_clock: clock.FrozenClock, run: Any
) -> None:
    marina = cast.agent_marina
    ticket_id = inbound(client, marina, channel="webchat", text="стою на складе в Хоругвино, нет слота")
    note = client.post(
        f"/api/v1/tickets/{ticket_id}/replies",
        json={"text": "Проверяю слот, 5 минут", "public": False, "follow_up_minutes": 5},
        headers=marina.headers,
    )
    assert note.status_code == 422
    assert note.json()["field"] == "follow_up_minutes"
    post(
        client,
        marina,
        f"/api/v1/tickets/{ticket_id}/replies",
        {"text": "Проверяю слот, 5 минут", "follow_up_minutes": 5},
    )
    held = ticket(client, marina, ticket_id)
    assert held["status"] == "on_hold"
    assert held["hold"] == {"until": iso(clock.now() + timedelta(minutes=5)), "promise": "Проверяю слот, 5 минут"}
    frozen_clock.advance(timedelta(minutes=5))
    run()
    assert ticket(client, marina, ticket_id)["status"] == "open"
    assert next(n["kind"] for n in notes(client, marina)) == "follow_up_due"


def test_a_reply_then_a_hold_keeps_the_first_response(
    client: TestClient, cast: Cast, frozen_clock: clock.FrozenClock, run: Any
) -> None:
    """Issue 12, item 1: a reply followed by a hold before the reply's delivery was confirmed lost the
    first response, and when the promise lapsed the customer was told «Ответим до …» as if nobody
    had ever answered."""
    marina = cast.agent_marina
    ticket_id = inbound(client, marina, channel="webchat")
    post(client, marina, f"/api/v1/tickets/{ticket_id}/replies", {"text": "Проверила поставку, слот есть."})
    replied_at = clock.now()
    until = clock.now() + timedelta(hours=1)
    post(client, marina, f"/api/v1/tickets/{ticket_id}/hold", {"until": iso(until), "promise": "Пришлю код к 13:05"})
    run()  # the reply is delivered while the ticket is on hold
    held = ticket(client, marina, ticket_id)
    assert held["status"] == "on_hold"
    assert held["sla"]["first_response_at"] == iso(replied_at)
    frozen_clock.advance(timedelta(hours=1))
    run()
    lapsed = ticket(client, marina, ticket_id)
    assert lapsed["status"] == "open"
    assert lapsed["sla"]["first_response_at"] == iso(replied_at)  # the promise lapsed; the answer still stands
    assert lapsed["sla"]["first_response_due_at"] is None or lapsed["sla"]["next_response_due_at"] is not None


def _page_ids(client: TestClient, who: Persona, query: str) -> list[int]:
    ids: list[int] = []
    cursor = ""
    while True:
        answer = client.get(f"/api/v1/tickets?{query}&limit=2{cursor}", headers=who.headers)
        assert answer.status_code == 200, answer.text
        ids += [t["id"] for t in answer.json()["items"]]
        if not answer.json()["next_cursor"]:
            return ids
        cursor = f"&cursor={answer.json()['next_cursor']}"


def test_order_priority_puts_urgent_then_the_earliest_breach_first(
    client: TestClient, cast: Cast, frozen_clock: clock.FrozenClock
) -> None:
    """Issue 12, item 5: queues were ordered by last update, so an urgent ticket breached hours ago
    sat below a new normal one."""
    anna = cast.agent_anna
    old_normal = inbound(client, anna, text="Где отчёт о реализации?")
    old_urgent = inbound(client, anna, text="Курьер не приехал")
    post(client, anna, f"/api/v1/tickets/{old_urgent}/triage", {"category": "shipping", "urgency": "urgent"})
    frozen_clock.advance(timedelta(hours=7))
    new_urgent = inbound(client, anna, text="Склад не принимает поставку")
    post(client, anna, f"/api/v1/tickets/{new_urgent}/triage", {"category": "shipping", "urgency": "urgent"})
    new_normal = inbound(client, anna, text="Как поменять фото в карточке?")
    post(client, anna, f"/api/v1/tickets/{old_normal}/notes", {"text": "смотрю"})  # fresh activity, no answer
    mine = {old_normal, old_urgent, new_urgent, new_normal}
    by_activity = [i for i in _page_ids(client, anna, "status=new,open") if i in mine]
    assert by_activity[0] in (old_normal, new_normal)  # the old order: whatever moved last
    by_priority = [i for i in _page_ids(client, anna, "status=new,open&order=priority") if i in mine]
    assert by_priority == [old_urgent, new_urgent, old_normal, new_normal]
    bad = client.get("/api/v1/tickets?order=loudest", headers=anna.headers)
    assert bad.status_code == 422
    assert "order" in bad.text
    wrong_cursor = client.get("/api/v1/tickets?order=priority&cursor=abc", headers=anna.headers)
    assert wrong_cursor.status_code == 422
