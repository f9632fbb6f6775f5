"""The bot in a live conversation, end to end over HTTP and the worker: it answers with an article,
hands off with the whole transcript and the triage result, never answers the same question twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.bot.models import BotTurn
from otklik.core.audit import AuditEvent
from otklik.kb.models import Article
from otklik.kb.seed import ImportSummary
from tests.conftest import Cast, Persona, unique


def say(client: TestClient, who: Persona, sender: str, text: str, channel: str = "webchat") -> int:
    kind = {"webchat": "web", "telegram": "telegram", "email": "email"}[channel]
    body = {"channel": channel, "external_id": unique(), "sender": {"kind": kind, "value": sender}, "text": text}
    answer = client.post("/api/v1/messages/inbound", json=body, headers=who.headers)
    assert answer.status_code == 201, answer.text
    return int(answer.json()["ticket_id"])


def messages(client: TestClient, who: Persona, ticket_id: int, lang: str = "ru") -> list[dict[str, Any]]:
    headers = {**who.headers, "Accept-Language": lang}
    answer = client.get(f"/api/v1/tickets/{ticket_id}/messages", headers=headers)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def status(client: TestClient, who: Persona, ticket_id: int) -> str:
    return str(client.get(f"/api/v1/tickets/{ticket_id}", headers=who.headers).json()["status"])


def actions_on(db: Session, ticket_id: int) -> set[str]:
    return set(db.scalars(select(AuditEvent.action).where(AuditEvent.ticket_id == ticket_id)))


def turns(db: Session, ticket_id: int) -> list[BotTurn]:
    return list(db.scalars(select(BotTurn).where(BotTurn.ticket_id == ticket_id).order_by(BotTurn.id)))


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
    assert answer["author"]["kind"] == "system"
    assert answer["author"]["id"] is None
    assert "Сколько хранится заказ в пункте выдачи" in answer["text"]
    assert f"№ {article}" in answer["text"]
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
    assert "Сколько дней хранится заказ в пункте выдачи?" in note
    assert "позовите человека" in note
    assert "Причина: клиент просит оператора" in note
    assert "Триаж: Заказы и доставка; срочность: Обычная" in note
    assert f"№ {article} «Сколько хранится заказ в пункте выдачи» (v1)" in note
    assert "The bot hands" not in note  # one language a reader
    assert "the customer asked for a person" not in note
    english = next(m["text"] for m in messages(client, marina, ticket_id, "en") if not m["public"])
    assert english.startswith("The bot hands this conversation to a person\nReason: the customer asked for a person")
    assert "Triage: Orders and delivery; urgency: Normal" in english
    assert f"No. {article} “Сколько хранится заказ в пункте выдачи” (v1)" in english  # the title is data
    assert "] Customer: позовите человека" in english
    for russian in ("Бот передаёт", "Причина", "Клиент:"):
        assert russian not in english
    assert len([m for m in after if m["direction"] == "outbound" and m["public"]]) == 1  # no second answer
    assert status(client, marina, ticket_id) == "open"
    assert {"bot.answered", "bot.handed_off"} <= actions_on(db, ticket_id)

    say(client, marina, visitor, "ау, где оператор? сколько дней хранится заказ?")
    run()
    assert len(messages(client, marina, ticket_id)) == len(after) + 1  # after a hand-off the bot is silent


def test_did_not_help_hands_off_at_once_and_never_offers_the_article_again(
    client: TestClient, cast: Cast, db: Session, seeded: ImportSummary, triage: Any, run: Callable[[], int]
) -> None:
    anna, visitor = cast.agent_anna, unique("tg").replace("-", "_")
    ticket_id = say(client, anna, visitor, "как изменить реквизиты для выплат?", channel="telegram")
    run()
    article = slug_id(db, "bank-details")
    assert [(t.kind, t.article_id) for t in turns(db, ticket_id)] == [("answered", article)]
    say(client, anna, visitor, "не помогло", channel="telegram")
    run()
    kinds = [(t.kind, t.reason) for t in turns(db, ticket_id)]
    assert kinds == [("answered", "confident"), ("handed_off", "did_not_help")]
    items = messages(client, anna, ticket_id)
    assert len([m for m in items if m["direction"] == "outbound" and m["public"] and not m["notice"]]) == 1
    [notice] = [m["text"] for m in items if m["notice"] == "owner"]  # the person it went to, by name
    assert notice.startswith("Вашим обращением занимается ")
    note = next(m["text"] for m in items if not m["public"])
    assert "как изменить реквизиты для выплат?" in note
    assert "не помогло" in note
    assert "ответ бота не помог" in note
    assert f"№ {article}" in note
    assert "На ваш вопрос отвечает статья" in note  # the bot's own answer is part of the transcript
    assert status(client, anna, ticket_id) == "open"


def test_the_same_question_again_is_handed_off_not_answered_twice(
    client: TestClient, cast: Cast, db: Session, seeded: ImportSummary, triage: Any, run: Callable[[], int]
) -> None:
    anna, visitor = cast.agent_anna, unique("visitor")
    ticket_id = say(client, anna, visitor, "Как отменить заказ?")
    run()
    assert [t.kind for t in turns(db, ticket_id)] == ["answered"]
    say(client, anna, visitor, "так как мне отменить заказ??")
    run()
    assert [(t.kind, t.reason) for t in turns(db, ticket_id)] == [
        ("answered", "confident"),
        ("handed_off", "asked_again"),
    ]
    assert len([m for m in messages(client, anna, ticket_id) if m["direction"] == "outbound" and m["public"]]) == 1


def test_urgent_goes_to_a_person_without_any_article(
    client: TestClient, cast: Cast, db: Session, seeded: ImportSummary, triage: Any, run: Callable[[], int]
) -> None:
    marina = cast.agent_marina
    text = "стою на складе в Хоругвино, поставку не принимают, говорят нет слота"
    ticket_id = say(client, marina, unique("driver").replace("-", "_"), text, channel="telegram")
    run()
    (turn,) = turns(db, ticket_id)
    assert (turn.kind, turn.reason, turn.article_id) == ("handed_off", "urgent", None)
    items = messages(client, marina, ticket_id)
    assert [m for m in items if m["direction"] == "outbound" and m["public"] and not m["notice"]] == []
    note = next(m["text"] for m in items if not m["public"])
    assert text in note
    assert "срочность: Срочно;" in note
    assert "Бот не предлагал статей" in note
    english = next(m["text"] for m in messages(client, marina, ticket_id, "en") if not m["public"])
    assert "urgency: Urgent;" in english
    assert "The bot offered no article" in english
    assert status(client, marina, ticket_id) in {"new", "open"}


def test_a_personal_case_is_handed_off(
    client: TestClient, cast: Cast, db: Session, seeded: ImportSummary, triage: Any, run: Callable[[], int]
) -> None:
    ticket_id = say(client, cast.agent_anna, unique("v"), "мой заказ 4512 не пришёл")
    run()
    (turn,) = turns(db, ticket_id)
    assert (turn.kind, turn.reason, turn.article_id) == ("handed_off", "personal_case", None)


def test_a_greeting_waits_and_a_burst_is_one_question(
    client: TestClient, cast: Cast, db: Session, seeded: ImportSummary, triage: Any, run: Callable[[], int]
) -> None:
    anna, visitor = cast.agent_anna, unique("v")
    ticket_id = say(client, anna, visitor, "Добрый день!")
    run()
    assert turns(db, ticket_id) == []  # nothing asked yet: no answer, no hand-off
    say(client, anna, visitor, "подскажите")
    say(client, anna, visitor, "какие требования к фото товара?")
    run()
    (turn,) = turns(db, ticket_id)
    assert turn.kind == "answered"
    assert turn.article_id == slug_id(db, "card-photos")
    assert "Добрый день!" in turn.question
    assert "какие требования к фото товара?" in turn.question


def test_thanks_after_an_answer_needs_nobody(
    client: TestClient, cast: Cast, db: Session, seeded: ImportSummary, triage: Any, run: Callable[[], int]
) -> None:
    anna, visitor = cast.agent_anna, unique("v")
    ticket_id = say(client, anna, visitor, "как включить двухфакторную аутентификацию")
    run()
    say(client, anna, visitor, "спасибо, помогло!")
    run()
    assert [t.kind for t in turns(db, ticket_id)] == ["answered", "thanked"]
    assert [m for m in messages(client, anna, ticket_id) if not m["public"]] == []


def test_the_bot_stays_out_of_mail_and_of_conversations_a_person_has_joined(
    client: TestClient, cast: Cast, db: Session, seeded: ImportSummary, triage: Any, run: Callable[[], int]
) -> None:
    anna = cast.agent_anna
    mail = say(client, anna, f"{unique('c')}@example.ru", "Как отменить заказ?", channel="email")
    chat_visitor = unique("v")
    chat = say(client, anna, chat_visitor, "Здравствуйте")
    reply = client.post(
        f"/api/v1/tickets/{chat}/replies", json={"text": "Здравствуйте! Слушаю вас."}, headers=anna.headers
    )
    assert reply.status_code == 201, reply.text
    say(client, anna, chat_visitor, "Как отменить заказ?")
    run()
    assert turns(db, mail) == []
    assert turns(db, chat) == []


def test_without_articles_in_the_language_the_bot_does_nothing(
    client: TestClient, cast: Cast, db: Session, triage: Any, run: Callable[[], int]
) -> None:
    ticket_id = say(client, cast.agent_anna, unique("v"), "позовите оператора")
    run()
    assert turns(db, ticket_id) == []
    assert [m for m in messages(client, cast.agent_anna, ticket_id) if m["direction"] == "outbound"] == []
