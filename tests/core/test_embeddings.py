"""The shipped word vectors: loaded once, paraphrases closer than other topics, unknown words ignored."""

from __future__ import annotations

import numpy as np

from otklik.core.embeddings import DIM, Vector, embeddings
from otklik.triage.text import normalise, tokens


def text(words: str) -> Vector:
    """A message's vector as triage makes it: normalised words, their unit mean vector."""
    return embeddings().mean(tokens(normalise(words)))


def similarity(a: Vector, b: Vector) -> float:
    return float(a @ b)


def test_vectors_load_once_per_process_without_importing_natasha() -> None:
    import sys

    assert embeddings() is embeddings()
    assert "natasha" not in sys.modules  # its start-up would load models we never use


def test_a_paraphrase_lies_closer_than_another_topic() -> None:
    courier = text("Курьер приедет через час, а заказ не собран")
    paraphrase = text("водитель будет через сорок минут, отправление ещё не упаковано")
    refund = text("Хочу вернуть деньги за платье, оно не подошло по размеру")
    assert similarity(courier, paraphrase) > similarity(courier, refund) + 0.1


def test_text_vectors_are_unit_length_and_unknown_text_is_zero() -> None:
    known = text("Где моя выплата за прошлую неделю?")
    assert known.shape == (DIM,)
    assert abs(float(np.linalg.norm(known)) - 1.0) < 1e-4
    assert not text("zzqxw qqqzv 12345").any()
    assert not text("и в на").any()  # stop words alone say nothing


def test_sentence_vectors_tell_a_paraphrase_from_another_question_in_both_languages() -> None:
    from otklik.core.embeddings import SENTENCE_DIM, sentences

    encoder = sentences()
    cancel, cancel_en, refund, again = encoder.encode(
        ["Как отменить заказ?", "How do I cancel my order?", "Когда вернутся деньги за возврат?", "Как отменить заказ?"]
    )
    assert cancel.shape == (SENTENCE_DIM,)
    assert float(cancel @ cancel_en) > float(cancel @ refund) + 0.2
    assert np.array_equal(cancel, again)  # one text, one vector: the encoder keeps what it encoded
