"""The bot's pure rules, table-driven: what the words signal and the order of the decision."""

from __future__ import annotations

import pytest

from otklik.bot.language import analyse
from otklik.bot.rules import (
    Action,
    Candidate,
    Conversation,
    HandoffReason,
    asks_for_person,
    decide,
    personal_signals,
    says_not_helped,
    says_thanks,
)


@pytest.mark.parametrize(
    "text",
    [
        "позовите оператора",
        "Позовите человека!",
        "человек",
        "оператора пожалуйста",
        "хочу поговорить с живым человеком",
        "соедините со специалистом",
        "нужен оператор, бот не понимает",
        "дайте человека",
        "talk to a human please",
        "I want to speak with an agent",
        "real person please",
        "operator",
    ],
)
def test_asking_for_a_person(text: str) -> None:
    assert asks_for_person(analyse(text))


@pytest.mark.parametrize(
    "text",
    [
        "как добавить сотрудника в кабинет",
        "как дать сотруднику доступ к финансам",
        "до скольки отвечают операторы в чате",
        "как сделать чтобы заказ забрал другой человек",
        "какие роли бывают у сотрудников",
        "how do I return an item",
    ],
)
def test_questions_that_only_mention_people(text: str) -> None:
    assert not asks_for_person(analyse(text))


@pytest.mark.parametrize(
    "text",
    ["не помогло", "Не помогла ваша статья", "это не то", "это не ответ на мой вопрос", "бесполезно", "didn't help",
     "not what I asked", "this is useless"],
)  # fmt: skip
def test_did_not_help(text: str) -> None:
    assert says_not_helped(analyse(text))


@pytest.mark.parametrize("text", ["спасибо", "Спасибо, помогло!", "thanks, got it", "понятно, спасибо"])
def test_thanks(text: str) -> None:
    assert says_thanks(analyse(text))


@pytest.mark.parametrize("text", ["спасибо, но не помогло", "спасибо, а как вернуть товар?"])
def test_not_just_thanks(text: str) -> None:
    assert not says_thanks(analyse(text))


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("мой заказ 4512 не пришёл", "identifier"),
        ("верните деньги за брак", "demand"),
        ("разберитесь уже наконец", "demand"),
        ("требую компенсацию", "demand"),
        ("с карты списали деньги а заказ не оформился", "adverse_event"),
        ("почему мне не вернули деньги за возврат", "adverse_event"),
        ("выплату не получили", "adverse_event"),
        ("жду уже три недели", "waiting"),
        ("кто-то заказал с моего аккаунта телефон", "someone_else"),
        ("у нас весь кабинет не работает", "outage"),
        ("списали 3000 руб за хранение", "identifier"),
        ("refund me for the broken headphones", "demand"),
        ("you charged me twice", "adverse_event"),
    ],
)
def test_personal_cases(text: str, signal: str) -> None:
    assert signal in personal_signals(analyse(text))


@pytest.mark.parametrize(
    "text",
    [
        "как вернуть товар?",
        "подскажите, как отменить заказ",
        "почему выплата не пришла, если баланс отрицательный",
        "карточка пропала с витрины, почему?",
        "отклонили карточку товара, как оспорить решение модерации",
        "потерял телефон с кодами 2фа как войти",
        "ошибка 429 в api",
        "как узнать где сейчас мой заказ",
        "пришел не тот товар",
        "how do I cancel my order",
        "отчёт за 2025 год где найти",
    ],
)
def test_general_questions_are_not_personal(text: str) -> None:
    assert personal_signals(analyse(text)) == []


SURE = Candidate(7, 0.95)
UNSURE = Candidate(7, 0.30)
ANSWERED = Conversation(offered=frozenset({7}), questions=("как вернуть товар?",), answered=True)


@pytest.mark.parametrize(
    ("text", "best", "urgent", "conversation", "action", "reason"),
    [
        ("как вернуть товар?", SURE, False, Conversation(), Action.ANSWER, "confident"),
        ("как вернуть товар?", UNSURE, False, Conversation(), Action.HANDOFF, HandoffReason.NOT_CONFIDENT),
        ("как вернуть товар?", None, False, Conversation(), Action.HANDOFF, HandoffReason.NOT_CONFIDENT),
        ("как вернуть товар?", SURE, True, Conversation(), Action.HANDOFF, HandoffReason.URGENT),
        ("позовите оператора", SURE, False, Conversation(), Action.HANDOFF, HandoffReason.ASKED_FOR_PERSON),
        ("верните деньги за брак", SURE, False, Conversation(), Action.HANDOFF, HandoffReason.PERSONAL_CASE),
        ("не помогло", SURE, False, ANSWERED, Action.HANDOFF, HandoffReason.DID_NOT_HELP),
        ("спасибо!", SURE, False, ANSWERED, Action.THANKS, "thanks"),
        ("Здравствуйте!", SURE, False, Conversation(), Action.WAIT, "no_question_yet"),
        ("а как вернуть товар", Candidate(8, 0.99), False, ANSWERED, Action.HANDOFF, HandoffReason.ASKED_AGAIN),
        ("возврат одежды по размеру", SURE, False, ANSWERED, Action.HANDOFF, HandoffReason.ASKED_AGAIN),
        ("как отменить заказ", Candidate(9, 0.95), False, ANSWERED, Action.ANSWER, "confident"),
        ("позовите оператора", SURE, True, ANSWERED, Action.HANDOFF, HandoffReason.ASKED_FOR_PERSON),
    ],
)
def test_decide(
    text: str, best: Candidate | None, urgent: bool, conversation: Conversation, action: Action, reason: str
) -> None:
    decision = decide(analyse(text), best=best, threshold=0.8, urgent=urgent, conversation=conversation)
    assert (decision.action, decision.reason) == (action, reason)
    assert (decision.article_id is not None) is (action is Action.ANSWER)
