"""Canned replies: starting points an agent picks in the composer, in the desk's house style.

Each names who handles the case, what happens next and by when; ``{customer_name}``,
``{agent_name}`` and ``{ticket_number}`` are filled in by the composer, and ``{due}`` or
``{step}`` stay for the agent to complete (the composer shows what is left). They are
shipped with the desk and checked by the reply checker like any draft.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session


@dataclass(frozen=True, slots=True)
class CannedReply:
    id: str
    title: str
    body: str
    lang: str


CANNED: tuple[CannedReply, ...] = (
    CannedReply(
        "taking-over",
        "Беру в работу",
        "{customer_name}, здравствуйте! Меня зовут {agent_name}, я веду ваше обращение {ticket_number}. "
        "Сейчас {step} и напишу вам до {due}.",
        "ru",
    ),
    CannedReply(
        "checking-warehouse",
        "Уточняю у склада",
        "{customer_name}, я запросил(а) у склада данные по вашей поставке. Склад отвечает в течение часа; "
        "как только придёт ответ, напишу вам, не позже {due}. {agent_name}, обращение {ticket_number}.",
        "ru",
    ),
    CannedReply(
        "payout-timeline",
        "Сроки выплаты",
        "{customer_name}, я проверил(а) выплату по обращению {ticket_number}: {step}. "
        "Деньги поступят на счёт до {due}. Если к этому сроку их не будет, я сам(а) напишу вам. {agent_name}",
        "ru",
    ),
    CannedReply(
        "handover",
        "Передаю коллеге",
        "{customer_name}, ваш вопрос лучше решит мой коллега {step}: он уже видит всю переписку, "
        "повторять ничего не нужно. Он напишет вам до {due}. Обращение {ticket_number}.",
        "ru",
    ),
    CannedReply(
        "taking-over-en",
        "Taking it over",
        "Hello {customer_name}, I'm {agent_name} and I'm handling your request {ticket_number}. "
        "Right now I {step}, and I will write to you by {due}.",
        "en",
    ),
    CannedReply(
        "handover-en",
        "Handing over",
        "{customer_name}, my colleague {step} is best placed to solve this; they already see the whole "
        "conversation, so there is nothing to repeat. They will write to you by {due}. Request {ticket_number}.",
        "en",
    ),
)


def list_canned_replies(session: Session, lang: str = "ru") -> list[CannedReply]:
    """The canned replies in ``lang`` first, then the others (an agent may answer in either)."""
    return sorted(CANNED, key=lambda c: (c.lang != lang, c.id))
