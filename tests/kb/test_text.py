"""The index normaliser: Russian forms meet in one term, verbs meet their nouns, filler disappears."""

from __future__ import annotations

import pytest

from otklik.kb.text import index_text, terms


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("поставки", "поставка"),
        ("поставку", "поставками"),
        ("приёмки", "приемка"),
        ("вернуть", "возврат"),
        ("отменили", "отмена"),
        ("правильно", "правильный"),
        ("штрих-код", "штрихкод"),
        ("ЛК", "кабинет"),
        ("ФБО", "FBO"),
        ("returns", "return"),
        ("refund", "return"),
    ],
)
def test_forms_of_one_word_share_a_term(one: str, other: str) -> None:
    assert terms(one) == terms(other) != []


@pytest.mark.parametrize(
    "filler",
    ["Здравствуйте!", "Добрый день, подскажите пожалуйста", "Hello, thank you", "а как же это", "и в на с по"],
)
def test_greetings_and_function_words_leave_nothing(filler: str) -> None:
    assert terms(filler) == []


def test_index_text_keeps_the_order_of_terms() -> None:
    assert index_text("Как забронировать слот для поставки?") == " ".join(terms("бронирование слот поставка"))


def test_an_unknown_hyphenated_word_is_split_a_known_one_is_kept() -> None:
    assert terms("приложение-аутентификатор") == terms("приложение аутентификатор")
    assert len(terms("штрих-код")) == 1
