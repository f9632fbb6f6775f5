"""Table tests of the detectors: each flag found where the taxonomy means it and not where it
does not, in Russian and English, across inflections, word order and negation; spans exact."""

from __future__ import annotations

import pytest

from otklik.quality.rules import find_flags


def codes(reply: str, customer_message: str | None = None) -> set[str]:
    return {f.code for f in find_flags(reply, customer_message=customer_message)}


def fragments(reply: str) -> list[tuple[str, str]]:
    return [(f.code, reply[f.start : f.end]) for f in find_flags(reply)]


FLAGGED = [
    # cliche: stock empathy, any order, any form
    ("cliche", "Мы понимаем ваше негодование."),
    ("cliche", "Ваше возмущение мы прекрасно понимаем."),
    ("cliche", "Мы очень понимаем ваше возмущение."),
    ("cliche", "Приносим извинения за доставленные неудобства."),
    ("cliche", "Примите наши искренние извинения за причинённые неудобства."),
    ("cliche", "Нам правда очень жаль."),
    ("cliche", "Нам очень жаль, что так получилось."),
    ("cliche", "Искренне сочувствуем вам."),
    ("cliche", "Ваше обращение очень важно для нас."),
    ("cliche", "We apologize for any inconvenience caused."),
    ("cliche", "We understand your frustration."),
    # hedging: no commitment to an outcome
    ("hedging", "Постараемся разобраться."),
    ("hedging", "Разобраться постараемся, как только сможем."),
    ("hedging", "Мы попробуем помочь."),
    ("hedging", "Проверим по возможности."),
    ("hedging", "Сделаем всё возможное, чтобы решить вопрос."),
    ("hedging", "Будем стараться ускорить доставку."),
    ("hedging", "We'll try to look into it."),
    ("hedging", "We will do our best."),
    # blame: fault or feelings moved onto the customer
    ("blame", "Жаль, что это было воспринято как хамство."),
    ("blame", "Надеемся на понимание."),
    ("blame", "Советуем придерживаться рекомендаций площадки."),
    ("blame", "Вам следовало проверить заказ при получении."),
    ("blame", "Вы неправильно поняли сотрудника."),
    ("blame", "Не стоит так переживать."),
    ("blame", "Thank you for your understanding."),
    ("blame", "You should have chosen delivery in person."),
    # stalling: passed on with no owner, step or time
    ("stalling", "Ваше обращение передано специалистам."),
    ("stalling", "Ваш вопрос передан в профильный отдел."),
    ("stalling", "Мы передали вашу жалобу коллегам."),
    ("stalling", "Ожидайте ответа."),
    ("stalling", "С вами свяжутся."),
    ("stalling", "Your request has been forwarded to the relevant department."),
    ("stalling", "Someone will get back to you."),
    # refusal without a reason
    ("refusal_without_reason", "К большому сожалению, не имеем возможности компенсировать."),
    ("refusal_without_reason", "Вернуть деньги мы не сможем."),
    ("refusal_without_reason", "Продлить срок хранения мы не можем."),
    ("refusal_without_reason", "В компенсации отказано."),
    ("refusal_without_reason", "Unfortunately, we are unable to compensate you."),
]

FINE = [
    # a specific apology naming what went wrong is not a cliché
    "Простите: мы списали комиссию дважды, это наша ошибка. Вернули 612 ₽ сегодня.",
    "Нам жаль, что курьер не привёз заказ 12 ноября: его маршрут перестроили без предупреждения.",
    "Three reschedules in a row is our failure, and I'm sorry. Sergey will call you on Friday.",
    "Понимаю, что двенадцать дней без выплаты — это серьёзно для магазина. Анна проверит реестр до 15:00.",
    # the customer is asked to try something: an instruction, not a hedge
    "Постарайтесь сохранить чек. Возврат 6 990 ₽ отправлен сегодня.",
    "Попробуйте обновить приложение до версии 5.12 — в ней исправлен вылет.",
    "Мы попробовали перезапустить выплату — она прошла в 14:10.",
    # passed on, but with an owner, a step or a time: not stalling
    "Мы не просто передали ваш вопрос — Анна уже проверяет реестр и ответит до 18:00.",
    "Передала ваш вопрос Анне из финансового отдела, она ответит до 16:00.",
    "Ваше обращение передано специалистам, ответ придёт сегодня до 18:00.",
    "Ожидайте курьера завтра с 10:00 до 14:00.",
    "Anna from our finance team has your payout and will write before 3 pm today.",
    # «к сожалению» with facts and an alternative; a refusal with a reason
    "К сожалению, вернуть деньги за сертификат нельзя: по условиям оферты (пункт 7.3) он не обменивается на деньги. "
    "Зато я продлила сертификат до 30 июня.",
    "Мы не можем продлить хранение дольше 14 дней, потому что пункт обязан вернуть заказ продавцу. "
    "Но я могу оформить доставку курьером бесплатно.",
    "Unfortunately, gift cards can't be refunded under section 7.3 of our terms, but I can extend yours to 30 June.",
    # negation and reassurance are not blame
    "Вы не ошиблись: маркировка верная, сканер склада не читал новый формат этикеток.",
    # a plain good reply
    "Отменила заказ № 48213. Деньги, 2 390 ₽, вернутся на карту в течение трёх рабочих дней.",
    "I checked the courier log: the courier did not come on 14 November. The fine is cancelled today.",
]


@pytest.mark.parametrize(("code", "reply"), FLAGGED)
def test_flagged(code: str, reply: str) -> None:
    assert code in codes(reply), fragments(reply)


@pytest.mark.parametrize("reply", FINE)
def test_not_flagged(reply: str) -> None:
    assert fragments(reply) == []


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (
            "Мы понимаем ваше негодование, постараемся разобраться.",
            [
                ("cliche", "Мы понимаем ваше негодование"),
                ("hedging", "постараемся разобраться"),
            ],
        ),
        (
            "Здравствуйте! Ваше обращение передано специалистам. Ожидайте ответа.",
            [
                ("stalling", "обращение передано специалистам"),
                ("stalling", "Ожидайте ответа"),
            ],
        ),
        (
            "К сожалению, не имеем возможности компенсировать. Надеемся на понимание.",
            [
                ("refusal_without_reason", "К сожалению, не имеем возможности компенсировать"),
                ("blame", "Надеемся на понимание"),
            ],
        ),
        (
            "We apologize for any inconvenience caused. We'll try to fix it.",
            [
                ("cliche", "We apologize for any inconvenience"),
                ("hedging", "We'll try"),
            ],
        ),
    ],
)
def test_spans_are_the_flagged_phrase(reply: str, expected: list[tuple[str, str]]) -> None:
    found = find_flags(reply)
    assert [(f.code, reply[f.start : f.end]) for f in found] == expected
    for finding in found:
        assert 0 <= finding.start < finding.end <= len(reply)


def test_spans_are_offsets_into_the_original_text() -> None:
    reply = "Ёлки!  Мы  понимаем  ваше   негодование…\nПостараемся разобраться’"
    for finding in find_flags(reply):
        assert reply[finding.start : finding.end].strip() == reply[finding.start : finding.end]
        assert reply[finding.start : finding.end]


def test_inflections_of_one_phrase() -> None:
    for reply in (
        "Ваш вопрос передан в профильный отдел.",
        "Ваши вопросы переданы в профильные отделы.",
        "Вопрос мы передали в профильный отдел.",
        "Мы передадим ваш вопрос в профильный отдел.",
    ):
        assert codes(reply) == {"stalling"}, reply


def test_a_hedge_keeps_a_promise_from_counting_as_a_step() -> None:
    assert codes("По возможности проверим вашу проблему. Ожидайте обратной связи.") == {"hedging", "stalling"}


def test_a_regret_about_the_customers_impression_is_blame_not_cliche() -> None:
    assert codes("Нам жаль, что у вас сложилось такое впечатление.") == {"blame"}


def test_an_empty_or_wordless_reply_has_no_flags() -> None:
    assert find_flags("") == []
    assert find_flags("   \n ") == []
    assert find_flags("👍 12:00 !!!") == []
