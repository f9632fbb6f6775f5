"""kb_dump: a pasted article that does not answer the question, and a template sent twice."""

from __future__ import annotations

from otklik.quality import check_reply
from otklik.quality.overlap import Article, NoArticles

REQUISITES = Article(
    "payout-requisites",
    "Откройте раздел «Профиль → Реквизиты», нажмите «Изменить» и укажите новый БИК и номер расчётного счёта. "
    "Изменения вступают в силу после проверки, она занимает до двух рабочих дней. "
    "На время проверки выплаты не приостанавливаются.",
    "Как изменить реквизиты для выплат",
)


def test_a_near_copy_that_does_not_answer_is_kb_dump() -> None:
    question = "Кабинет не пускает после смены телефона, пишет «неверный код»."
    reply = "Здравствуйте! " + REQUISITES.text.replace("БИК", "новый БИК банка", 1)
    result = check_reply(reply, customer_message=question, articles=[REQUISITES])
    assert [f.code for f in result.flags] == ["kb_dump"]
    flag = result.flags[0]
    assert flag.rule == "kb_copy"
    assert flag.source == "payout-requisites"
    assert reply[flag.start : flag.end].startswith("Откройте раздел")
    assert reply[flag.start : flag.end].endswith("не приостанавливаются.")


def test_a_copy_that_answers_the_question_is_fine() -> None:
    question = "Как изменить реквизиты: новый БИК и расчётный счёт? Сколько длится проверка?"
    assert check_reply(REQUISITES.text, customer_message=question, articles=[REQUISITES]).ok


def test_without_the_question_a_copy_is_not_judged() -> None:
    assert check_reply(REQUISITES.text, articles=[REQUISITES]).ok


def test_the_same_template_twice_in_one_ticket_is_flagged() -> None:
    template = (
        "Здравствуйте! Очистите кэш браузера и попробуйте войти в режиме инкогнито. "
        "Если ошибка повторится, пришлите скриншот."
    )
    result = check_reply(template + " Спасибо!", earlier_replies=["Проверяю, минуту.", template])
    assert [(f.code, f.rule, f.source) for f in result.flags] == [("kb_dump", "repeated", "reply:2")]
    assert "уже отправлялся" in result.flags[0].explanation


def test_a_new_answer_after_a_template_is_fine() -> None:
    template = "Здравствуйте! Для возврата оформите заявку в разделе «Покупки» и выберите пункт выдачи."
    fresh = "Простите за шаблон. Товар принят 19 ноября, я отправила 2 750 ₽ вручную, они придут до 1 декабря."
    assert check_reply(fresh, earlier_replies=[template, template]).ok


def test_a_short_courtesy_repeated_is_not_a_template() -> None:
    assert check_reply("Спасибо, что написали!", earlier_replies=["Спасибо, что написали!"]).ok


def test_the_empty_article_source() -> None:
    assert list(NoArticles().candidates("выплата", "ru", 5)) == []
