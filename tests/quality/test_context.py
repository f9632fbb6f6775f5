"""Context rules against false alarms on replies written outside the project: each good reply here
used to be flagged, each bad twin next to it is still caught. And the phrase families added from
the outside writer's training replies (``data/written.jsonl``)."""

from __future__ import annotations

import pytest

from otklik.quality import check_reply
from otklik.quality.overlap import Article, customer_quotes
from otklik.quality.rules import find_flags, has_date, thanks_only
from otklik.quality.text import analyse


def fragments(reply: str, customer_message: str | None = None) -> list[tuple[str, str]]:
    return [(f.code, reply[f.start : f.end]) for f in find_flags(reply, customer_message=customer_message)]


def codes(reply: str, customer_message: str | None = None) -> set[str]:
    return {code for code, _ in fragments(reply, customer_message)}


# (good reply that used to be flagged, bad twin that must stay flagged, the twin's code)
TWINS = [
    # a short apology or thanks followed by what happened or what was done
    (
        "Приносим свои извинения. Заказ 48213 простоял на сортировке, курьер привезёт его завтра до 14:00.",
        "Приносим свои извинения. Вам обязательно перезвонят.",
        "cliche",
    ),
    (
        "Спасибо за терпение! Курьер приедет завтра с 9 до 12.",
        "Спасибо за ваше терпение. Вопрос находится на контроле.",
        "cliche",
    ),
    (
        "We're really sorry. The refund of 1,290 RUB was sent to your card today.",
        "We're really sorry. We'll try to look into it.",
        "cliche",
    ),
    # empathy that names the case is not a form letter
    (
        "Понимаем, как это неприятно, особенно когда дело касается близких. "
        "Руководитель службы Дмитрий позвонит вам завтра до 12:00.",
        "Понимаем, как это неприятно. Заявка зарегистрирована, ожидайте решения.",
        "cliche",
    ),
    # «сделаем всё» is the work itself; «всё возможное» is the hedge
    (
        "Сделаем всё сегодня до 18:00: заменим товар и вернём стоимость доставки.",
        "Сделаем всё возможное, чтобы решить вопрос.",
        "hedging",
    ),
    # a «no» that closes an explanation given before it
    (
        "Можно, но только в категориях «Электроника» и «Книги», с пометкой «Б/у». Одежда б/у на площадке запрещена.",
        "Одежда б/у на площадке запрещена.",
        "refusal_without_reason",
    ),
]


@pytest.mark.parametrize(("good", "bad", "code"), TWINS)
def test_good_reply_is_fine_and_its_bad_twin_is_flagged(good: str, bad: str, code: str) -> None:
    assert fragments(good) == []
    assert code in codes(bad), fragments(bad)


def test_regret_at_hearing_stays_a_cliche_even_before_facts() -> None:
    reply = "Ох, нам очень жаль слышать об этом. Компенсацию 410 ₽ мы уже отправили на вашу карту."
    assert fragments(reply) == [("cliche", "нам очень жаль")]


def test_a_formula_after_a_formula_is_no_fact() -> None:
    assert codes("Нам очень жаль. Мы попробуем разобраться с уведомлениями.") == {"cliche", "hedging"}


def test_two_stock_phrases_in_one_sentence_are_both_stock() -> None:
    assert codes("Понимаем, насколько это неприятно, надеемся на скорое решение.") == {"cliche", "hedging"}


def test_a_try_with_today_only_is_still_a_hedge() -> None:
    assert codes("Постараемся перезвонить вам сегодня.") == {"hedging"}


def test_the_customers_quoted_words_are_not_the_agents() -> None:
    message = "Надеюсь, вы сами разберётесь, потому что мне уже всё равно"
    reply = (
        "Вы пишете: «надеюсь, вы сами разберётесь, потому что мне уже всё равно». Разобрались: деньги вернули сегодня."
    )
    assert fragments(reply, message) == []
    assert "hedging" in codes(reply, "Где мои деньги?")  # not the customer's words: the agent's own
    assert customer_quotes("Статус «Поставки» → «Создать»", message) == []  # menu items are not quotations


def test_passing_on_thanks_is_not_stalling() -> None:
    reply = "Спасибо за тёплые слова! Передадим коллегам из поддержки продавцов."
    assert fragments(reply, "Большое спасибо поддержке продавцов, помогли разобраться с ЭДО за один день") == []
    assert codes(reply, "Где моя выплата? Вторую неделю жду") == {"stalling"}
    assert thanks_only("Спасибо, всё получилось!")
    assert not thanks_only("Спасибо, но где мой заказ?")


def test_a_reason_given_with_two_words() -> None:
    good = "К сожалению, вернуть товар не получится, так как он был в употреблении."
    assert fragments(good) == []
    assert codes("К сожалению, вернуть товар не получится.") == {"refusal_without_reason"}


@pytest.mark.parametrize(
    ("text", "dated"),
    [
        ("до 18:00", True),
        ("15 марта", True),
        ("до пятницы", True),
        ("by Friday", True),
        ("за 2 часа", True),
        ("сегодня", False),
        ("в ближайшее время", False),
        ("на этой неделе", False),
    ],
)
def test_what_counts_as_a_date(text: str, dated: bool) -> None:
    analysed = analyse(text)
    assert has_date(analysed, 0, len(analysed.tokens)) is dated


MARKING = Article(
    "fbo-marking",
    "Этикетка короба наклеивается на боковую сторону, не на крышку и не на стык. Штрихкод должен быть целым, "
    "без складок и скотча поверх него. На каждом коробе — только одна этикетка короба; старые этикетки нужно "
    "удалить или полностью заклеить.",
    "Маркировка коробов для поставки FBO",
)


def test_an_article_quoted_inside_an_answer_is_not_kb_dump() -> None:
    question = "Как правильно маркировать коробки для поставки FBO? Нас уже раз развернули"
    quoted = (
        "Добрый день! Приведу требования из инструкции, раз уж в прошлый раз из-за этого развернули: «"
        + MARKING.text
        + "» По вашей прошлой поставке (№ 6120) причина отказа — как раз две этикетки на части коробов. "
        "Если перед следующей поставкой пришлёте фото одного короба, проверю маркировку коробки до отгрузки."
    )
    assert check_reply(quoted, customer_message=question, articles=[MARKING]).ok
    bare = "Добрый день! " + MARKING.text
    other = "Склад не принял поставку, в кабинете ошибка оплаты хранения"
    assert [f.code for f in check_reply(bare, customer_message=other, articles=[MARKING]).flags] == ["kb_dump"]


# phrase families drawn from the outside writer's training replies (one line each, a new family)
FAMILIES = [
    ("cliche", "Мы всегда стремимся к тому, чтобы каждая покупка приносила радость."),
    ("cliche", "Благодарим за обратную связь, она помогает нам становиться лучше."),
    ("cliche", "Простите нас, пожалуйста, за этот досадный инцидент."),
    ("cliche", "Видим ваши эмоции, и они нам понятны."),
    ("cliche", "Спасибо, что выбираете нас!"),
    ("cliche", "Спасибо за ваш вопрос, он действительно важен для нас."),
    ("cliche", "Мы всегда рады видеть вас среди наших клиентов!"),
    ("cliche", "Сожалеем, что не смогли быть полезны."),
    ("hedging", "Думаем, что проверка скоро завершится."),
    ("hedging", "Как-нибудь решим."),
    ("hedging", "Может быть, стоит подождать ещё немного."),
    ("hedging", "It may take some time."),
    ("blame", "Если бы вы прочитали условия акции, вопроса бы не возникло."),
    ("blame", "Напоминаем, что перед отгрузкой необходимо проверять этикетки."),
    ("blame", "Надеемся, что в дальнейшем такие ситуации не повторятся."),
    ("blame", "Перед покупкой всегда стоит изучить описание."),
    ("blame", "Пожалуйста, обращайте внимание на эти данные."),
    ("blame", "В таких случаях лучше оформлять заказ сразу."),
    ("blame", "Пожалуйста, не создавайте дублирующих обращений."),
    ("blame", "Просим набраться терпения."),
    ("blame", "As clearly stated at checkout, you must be available."),
    ("blame", "The problem is on your side."),
    ("stalling", "Мы уже занимаемся вашим вопросом."),
    ("stalling", "Ответ поступит после проверки."),
    ("stalling", "Ваш вопрос на особом контроле у руководства."),
    ("stalling", "Мы в курсе ситуации."),
    ("stalling", "We have escalated this internally."),
    ("refusal_without_reason", "Ваша заявка отклонена."),
    ("refusal_without_reason", "Your request has been declined."),
    ("refusal_without_reason", "Restoring the listing isn't an option."),
]


@pytest.mark.parametrize(("code", "reply"), FAMILIES)
def test_new_phrase_families(code: str, reply: str) -> None:
    assert code in codes(reply), fragments(reply)


@pytest.mark.parametrize(
    "reply",
    [
        "В таком случае стоит оформить возврат как за брак: пришлите фото, и я оформлю его сегодня.",
        "Всегда рады помочь! Заказ 48213 привезут завтра до 14:00.",
        "Для входа всегда нужно подтверждение по SMS: код приходит за 1–2 минуты.",
    ],
)
def test_near_misses_of_the_new_families_are_fine(reply: str) -> None:
    assert fragments(reply) == []
