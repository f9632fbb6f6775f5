"""The learned detector: new wordings the lexicon misses, good replies it leaves alone, the shipped
file (pickle-free, trained on the packaged corpus) and its figures on the quarter of the second
outside writer's replies it never saw. A worse model, or none, fails here."""

from __future__ import annotations

import numpy as np
import pytest

from otklik.quality.checker import check_reply
from otklik.quality.corpus import Report, corpus_checker, evaluate, load_articles, load_items
from otklik.quality.learned import MODEL_RULE
from otklik.quality.model import SHIPPED_MODEL, get_model
from otklik.quality.rules import find_flags
from otklik.quality.train import CODES, TRAIN_SPLITS, digest

#: wordings that are in no corpus file and that no lexicon row matches
NEW_WORDINGS = [
    ("cliche", "Нам ужасно неловко, что всё так вышло."),
    ("hedging", "Вероятно, ситуация разрешится сама."),
    ("blame", "Вы сами виноваты, что не проверили заказ при получении."),
    ("stalling", "Ваш вопрос в очереди, до него обязательно дойдут."),
    ("refusal_without_reason", "Компенсация в этом случае не положена."),
    ("refusal_without_reason", "Обмен не производим."),
]

#: good replies with the words the flags are made of («не можем», «передали», «сожалеем», «понимаем»)
GOOD_REPLIES = [
    "Курьер Олег привезёт заказ 48213 завтра, 12 марта, с 10:00 до 14:00.",
    "Передали заявку Анне из финансового отдела: она вернёт 1 250 ₽ на карту до пятницы.",
    "Вернуть деньги за этот товар не можем: он был в использовании, а по закону бельё надлежащего "
    "качества не возвращается. Можем предложить обмен на другой размер — оформим сегодня.",
    "Мы проверили заказ: его задержали на сортировке в Казани, сегодня он уже в пути.",
    "Понимаем, что три переноса подряд — это слишком, поэтому начислили 500 бонусов и закрепили за заказом курьера.",
    "Сожалеем о задержке: склад в Подольске стоял два дня из-за сбоя сканеров, ваш заказ отгрузили сегодня в 9:00.",
    "Igor from our payments team found the missing transfer and will resend it before 5 pm today.",
    "We can't refund a used item, but we can exchange it for another size; I've created the exchange, "
    "the courier comes tomorrow between 10 and 14.",
]


@pytest.mark.parametrize(("code", "reply"), NEW_WORDINGS)
def test_a_new_wording_is_caught_by_the_model(code: str, reply: str) -> None:
    assert code not in {f.code for f in find_flags(reply, learned=False)}
    found = [f for f in check_reply(reply).flags if f.code == code]
    assert found, reply
    assert found[0].rule == MODEL_RULE
    assert (found[0].start, found[0].end) == (0, len(reply.rstrip()))  # the span is the sentence
    assert get_model().thresholds[code] <= found[0].confidence < 1.0


@pytest.mark.parametrize("reply", GOOD_REPLIES)
def test_a_good_reply_with_risky_words_is_not_flagged(reply: str) -> None:
    assert check_reply(reply).flags == ()


def test_the_shipped_file_is_pickle_free_and_trained_on_the_packaged_corpus() -> None:
    with np.load(SHIPPED_MODEL, allow_pickle=False) as data:
        assert data["coef"].dtype == np.float32
    model = get_model()
    assert model.codes == CODES  # kb_dump stays with the overlap detector
    assert model.meta["corpus_sha256"] == digest(load_items(TRAIN_SPLITS)), "retrain: otklik quality train"
    assert set(model.thresholds) == set(CODES)
    # a model flag is more likely right than wrong
    assert all(0.5 <= t < 1.0 for t in model.thresholds.values())
    assert all(0.0 < p < 1.0 for p in model.rule_precision.values())


def test_rule_flags_carry_the_rules_measured_precision() -> None:
    flags = check_reply("Ваше обращение передано специалистам. Ожидайте ответа.").flags
    assert flags
    assert all(f.rule == "phrase" for f in flags)
    assert all(f.confidence == get_model().rule_precision[f.code] for f in flags)


@pytest.fixture(scope="module")
def check_quarter() -> tuple[Report, Report]:
    """The ids divisible by 4 of the second outside writer's replies: never trained on."""
    items = load_items(["written2_check"])
    assert len(items) >= 90
    articles = load_articles()
    rules_only = evaluate(
        items,
        lambda i: find_flags(
            i.reply,
            customer_message=i.customer_message,
            lang=i.lang,
            articles=[articles[a] for a in i.articles],
            earlier_replies=i.earlier_replies,
            learned=False,
        ),
    )
    return rules_only, evaluate(items, corpus_checker(articles))


def test_the_model_lifts_recall_on_a_new_writer(check_quarter: tuple[Report, Report]) -> None:
    rules_only, combined = check_quarter
    assert combined.micro.f1 >= 0.75, combined.per_code
    assert combined.micro.f1 >= rules_only.micro.f1 + 0.1
    assert combined.good_flag_rate <= max(rules_only.good_flag_rate, 0.03), combined.errors
    for code in ("cliche", "hedging", "blame", "stalling"):
        assert combined.per_code[code].recall > rules_only.per_code[code].recall, code


def test_the_model_helps_on_the_splits_it_never_saw() -> None:
    articles = load_articles()
    report = evaluate(load_items(["heldout"]), corpus_checker(articles))
    assert report.micro.f1 >= 0.91, report.per_code
    assert report.good_flag_rate <= 0.03, report.errors
